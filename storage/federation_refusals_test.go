package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

func refusalIDs(rs []*federation.Refusal) []forum.ID {
	out := []forum.ID{}
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// refuseItems stores one inbox item per refusal and refuses it, keeping
// keep refusals; it returns the refusals in the order given.
func refuseItems(t *testing.T, s *storage.Store, ids *forum.ULIDs, keep int, specs ...federation.Refusal) []*federation.Refusal {
	t.Helper()
	var out []*federation.Refusal
	for _, spec := range specs {
		it := &federation.InboxItem{ID: ids.New(), ActivityID: fmt.Sprintf("https://%s/activities/%s", spec.Host, ids.New()),
			ActorURI: "https://" + spec.Host + "/users/ana", Body: []byte(`{"type":"` + spec.Type + `"}`),
			ReceivedAt: t0, NextAttemptAt: t0}
		wantErr(t, "AddInboxItem", s.AddInboxItem(ctx(t), it), nil)
		r := spec
		r.ID, r.ItemID, r.ActivityID, r.ActorURI = ids.New(), it.ID, it.ActivityID, it.ActorURI
		wantErr(t, "RefuseInboxItem", s.RefuseInboxItem(ctx(t), &r, keep), nil)
		out = append(out, &r)
	}
	return out
}

func TestInboxRefusals(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		ids := newIDs()
		at := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }
		// Stored in id order, refused out of it: newest first is by time.
		rs := refuseItems(t, s, ids, 0,
			federation.Refusal{Host: "a.example", Type: "Create", Reason: federation.ReasonUnsupported,
				Detail: "Video objects are not posts", RefusedAt: at(30)},
			federation.Refusal{Host: "b.example", Type: "Like", Reason: federation.ReasonUnknownTarget,
				Detail: "like of https://x.example/p/1, which this node doesn't have", RefusedAt: at(10)},
			federation.Refusal{Host: "a.example", Type: "Create", Reason: federation.ReasonGaveUp,
				Detail: "fetch parent: timeout", RefusedAt: at(20)},
			federation.Refusal{Host: "a.example:8443", Type: "Update", Reason: federation.ReasonUnsupported,
				Detail: "Audio objects are not posts", RefusedAt: at(40)},
		)
		// The items are failed with the refusal's text, and not claimed again.
		if pending, failed, err := s.CountInbox(ctx(t)); err != nil || pending != 0 || failed != 4 {
			t.Errorf("CountInbox = %d pending, %d failed, %v; want 0, 4", pending, failed, err)
		}
		claimed, err := s.ClaimInboxItems(ctx(t), at(3600), time.Minute, 10)
		wantErr(t, "ClaimInboxItems", err, nil)
		same(t, "refused items claimed", inboxIDs(claimed), []forum.ID{})

		all, err := s.ListRefusals(ctx(t), federation.RefusalQuery{})
		wantErr(t, "ListRefusals", err, nil)
		same(t, "every refusal, newest first", all, []*federation.Refusal{rs[3], rs[0], rs[2], rs[1]})

		for _, tt := range []struct {
			name string
			q    federation.RefusalQuery
			want []*federation.Refusal
		}{
			{"limit", federation.RefusalQuery{Limit: 2}, []*federation.Refusal{rs[3], rs[0]}},
			{"reason", federation.RefusalQuery{Reason: federation.ReasonUnsupported}, []*federation.Refusal{rs[3], rs[0]}},
			{"host, any case, not its ports", federation.RefusalQuery{Host: "A.example"}, []*federation.Refusal{rs[0], rs[2]}},
			{"host and reason", federation.RefusalQuery{Host: "a.example", Reason: federation.ReasonGaveUp}, []*federation.Refusal{rs[2]}},
			{"host and limit", federation.RefusalQuery{Host: "a.example", Limit: 1}, []*federation.Refusal{rs[0]}},
			{"no such reason", federation.RefusalQuery{Reason: federation.ReasonPanic}, []*federation.Refusal{}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.ListRefusals(ctx(t), tt.q)
				wantErr(t, "ListRefusals", err, nil)
				same(t, "refusals", refusalIDs(got), refusalIDs(tt.want))
			})
		}

		counts, err := s.CountRefusals(ctx(t), federation.RefusalQuery{})
		wantErr(t, "CountRefusals", err, nil)
		same(t, "counts by reason", counts, map[string]int{federation.ReasonUnsupported: 2,
			federation.ReasonUnknownTarget: 1, federation.ReasonGaveUp: 1})
		counts, err = s.CountRefusals(ctx(t), federation.RefusalQuery{Host: "a.example", Limit: 1})
		wantErr(t, "CountRefusals by host", err, nil)
		same(t, "counts of a host (limit aside)", counts, map[string]int{federation.ReasonUnsupported: 1, federation.ReasonGaveUp: 1})

		// An unknown item: ErrNotFound, and nothing kept.
		err = s.RefuseInboxItem(ctx(t), &federation.Refusal{ID: ids.New(), ItemID: ids.New(), Host: "c.example",
			Reason: federation.ReasonMalformed, RefusedAt: at(50)}, 0)
		wantErr(t, "RefuseInboxItem of an unknown item", err, forum.ErrNotFound)
		if got, _ := s.ListRefusals(ctx(t), federation.RefusalQuery{Host: "c.example"}); len(got) != 0 {
			t.Errorf("refusal of an unknown item kept: %+v", got[0])
		}
	})
}

func TestInboxRefusalsBound(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		ids := newIDs()
		at := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }
		spec := func(sec int) federation.Refusal {
			return federation.Refusal{Host: "a.example", Type: "Create", Reason: federation.ReasonMalformed,
				Detail: fmt.Sprint("refusal at ", sec), RefusedAt: at(sec)}
		}
		// Within the bound, nothing goes.
		rs := refuseItems(t, s, ids, 3, spec(10), spec(20), spec(30))
		got, err := s.ListRefusals(ctx(t), federation.RefusalQuery{})
		wantErr(t, "ListRefusals", err, nil)
		same(t, "three kept of three", refusalIDs(got), refusalIDs([]*federation.Refusal{rs[2], rs[1], rs[0]}))

		// Two more, one of them at the same time as the newest (the later
		// id is the newer): the two oldest go.
		rs = append(rs, refuseItems(t, s, ids, 3, spec(40), spec(40))...)
		got, err = s.ListRefusals(ctx(t), federation.RefusalQuery{})
		wantErr(t, "ListRefusals", err, nil)
		same(t, "the newest three", refusalIDs(got), refusalIDs([]*federation.Refusal{rs[4], rs[3], rs[2]}))

		// A late refusal older than all kept: it is the one dropped.
		refuseItems(t, s, ids, 3, spec(5))
		got, err = s.ListRefusals(ctx(t), federation.RefusalQuery{})
		wantErr(t, "ListRefusals", err, nil)
		same(t, "still the newest three", refusalIDs(got), refusalIDs([]*federation.Refusal{rs[4], rs[3], rs[2]}))

		// The failed items stay: their activity ids keep replays out.
		if _, failed, err := s.CountInbox(ctx(t)); err != nil || failed != 6 {
			t.Errorf("failed inbox items = %d, %v; want 6", failed, err)
		}
	})
}
