package storage_test

import (
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

// Two deliveries about one subject to one host are never in flight at
// once; the older goes first. Other subjects, and other hosts, go along.
func TestClaimDeliveriesOrderKey(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		q := newQueue(t, s)
		keyed := func(host, user, key string) *federation.Delivery {
			d := q.delivery(host, user, t0)
			d.OrderKey = key
			return d
		}
		create := keyed("a.example", "1", "https://node.example/p/1")
		other := keyed("a.example", "2", "https://node.example/p/2")
		update := keyed("a.example", "3", "https://node.example/p/1")
		elsewhere := keyed("b.example", "1", "https://node.example/p/1")
		free := keyed("a.example", "4", "")
		free2 := keyed("a.example", "5", "")
		wantErr(t, "AddDeliveries", s.AddDeliveries(ctx(t), []*federation.Delivery{create, other, update, elsewhere, free, free2}), nil)

		claim := func(at time.Time) []forum.ID {
			t.Helper()
			ds, err := s.ClaimDeliveries(ctx(t), at, time.Minute, 10, 10)
			wantErr(t, "ClaimDeliveries", err, nil)
			return deliveryIDs(ds)
		}
		same(t, "first claim: the update waits for the create", claim(t0), []forum.ID{create.ID, other.ID, elsewhere.ID, free.ID, free2.ID})
		same(t, "the create in flight holds the update back", claim(t0), []forum.ID{})
		create.State, create.Attempts, create.LastStatus, create.FinishedAt = federation.DeliveryDone, 1, 202, ptr(t0)
		wantErr(t, "FinishDelivery", s.FinishDelivery(ctx(t), create), nil)
		same(t, "then the update", claim(t0), []forum.ID{update.ID})
		got, err := s.ClaimDeliveries(ctx(t), t0.Add(2*time.Minute), time.Minute, 1, 0)
		wantErr(t, "ClaimDeliveries", err, nil)
		if len(got) != 1 || got[0].OrderKey != "https://node.example/p/2" {
			t.Errorf("claimed %+v, want the delivery of p/2 with its order key", got)
		}
	})
}

func TestFinishDeliveriesAndSaveHosts(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		q := newQueue(t, s)
		a, b, c, d := q.delivery("a.example", "1", t0), q.delivery("b.example", "1", t0),
			q.delivery("c.example", "1", t0), q.delivery("d.example", "1", t0)
		wantErr(t, "AddDeliveries", s.AddDeliveries(ctx(t), []*federation.Delivery{a, b, c, d}), nil)
		_, err := s.ClaimDeliveries(ctx(t), t0, time.Minute, 10, 0)
		wantErr(t, "ClaimDeliveries", err, nil)

		for _, x := range []*federation.Delivery{a, b} {
			x.State, x.Attempts, x.LastStatus, x.FinishedAt = federation.DeliveryDone, 1, 202, ptr(t0.Add(time.Second))
		}
		c.State, c.Attempts, c.LastStatus, c.LastError, c.FinishedAt = federation.DeliveryFailed, 2, 410, "Gone", ptr(t0.Add(2*time.Second))
		gone := &federation.Delivery{ID: q.ids.New(), State: federation.DeliveryDone, Attempts: 1, FinishedAt: ptr(t0)}
		wantErr(t, "FinishDeliveries", s.FinishDeliveries(ctx(t), []*federation.Delivery{a, b, c, gone}), nil)
		if err := s.FinishDeliveries(ctx(t), []*federation.Delivery{{ID: d.ID, State: federation.DeliveryPending}}); err == nil {
			t.Error("FinishDeliveries with state pending: no error")
		}
		st, err := s.DeliveryStats(ctx(t))
		wantErr(t, "DeliveryStats", err, nil)
		same(t, "DeliveryStats", st, federation.DeliveryStats{Pending: 1, Done: 2, Failed: 1, OldestPending: ptr(t0)})
		// Their leases are gone: only d (still leased) is in flight, and
		// once its lease ends it is claimed again; nothing else is.
		ds, err := s.ClaimDeliveries(ctx(t), t0.Add(2*time.Minute), time.Minute, 10, 0)
		wantErr(t, "ClaimDeliveries", err, nil)
		same(t, "only d is pending", deliveryIDs(ds), []forum.ID{d.ID})

		ha := &federation.HostHealth{Host: "a.example", LastSuccess: ptr(t0), Delivered: 1}
		hc := &federation.HostHealth{Host: "c.example", ConsecutiveFails: 1, Failed: 1, LastFailure: ptr(t0),
			OpenUntil: ptr(t0.Add(time.Hour))}
		wantErr(t, "SaveHosts", s.SaveHosts(ctx(t), []*federation.HostHealth{ha, hc}), nil)
		ha.Delivered = 2
		wantErr(t, "SaveHosts again", s.SaveHosts(ctx(t), []*federation.HostHealth{ha}), nil)
		got, err := s.HostsByName(ctx(t), []string{"a.example", "b.example", "c.example"})
		wantErr(t, "HostsByName", err, nil)
		same(t, "HostsByName", got, map[string]*federation.HostHealth{"a.example": ha, "c.example": hc})
	})
}

// ListFollowers reads each follower's actor type from the actor cache in
// the same query.
func TestListFollowersActorType(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		ids := newIDs()
		target := "https://node.example/forums/digital"
		for _, a := range []*federation.RemoteActor{
			{URI: "https://m.example/users/ana", Type: "Person", Domain: "m.example", Inbox: "https://m.example/users/ana/inbox", FetchedAt: t0},
			{URI: "https://l.example/c/city", Type: "Group", Domain: "l.example", Inbox: "https://l.example/c/city/inbox", FetchedAt: t0},
		} {
			wantErr(t, "SaveRemoteActor", s.SaveRemoteActor(ctx(t), a), nil)
		}
		var want []*federation.Follower
		for _, f := range []struct{ actor, typ string }{
			{"https://m.example/users/ana", "Person"}, {"https://l.example/c/city", "Group"}, {"https://x.example/unknown", ""},
		} {
			fl := &federation.Follower{ID: ids.New(), Target: target, ActorURI: f.actor, Inbox: f.actor + "/inbox",
				State: federation.FollowAccepted, CreatedAt: t0}
			wantErr(t, "SaveFollower", s.SaveFollower(ctx(t), fl), nil)
			withType := *fl
			withType.ActorType = f.typ
			want = append(want, &withType)
		}
		got, err := s.ListFollowers(ctx(t), target, "", 10)
		wantErr(t, "ListFollowers", err, nil)
		same(t, "ListFollowers with actor types", got, want)
	})
}

// FollowerInboxes gives each inbox once (a shared inbox for all the
// followers on its server, an actor's own inbox when it has none), split
// by whether the followers there are people, and only for accepted
// followers of that target.
func TestFollowerInboxes(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		ids := newIDs()
		target := "https://node.example/forums/digital"
		for _, a := range []*federation.RemoteActor{
			{URI: "https://m.example/users/ana", Type: "Person", Domain: "m.example", Inbox: "https://m.example/users/ana/inbox", FetchedAt: t0},
			{URI: "https://m.example/users/bot", Type: "Service", Domain: "m.example", Inbox: "https://m.example/users/bot/inbox", FetchedAt: t0},
			{URI: "https://m.example/actor", Type: "Application", Domain: "m.example", Inbox: "https://m.example/actor/inbox", FetchedAt: t0},
			{URI: "https://l.example/c/city", Type: "Group", Domain: "l.example", Inbox: "https://l.example/c/city/inbox", FetchedAt: t0},
		} {
			wantErr(t, "SaveRemoteActor", s.SaveRemoteActor(ctx(t), a), nil)
		}
		followers := []struct {
			target, actor, shared string
			state                 federation.FollowState
		}{
			{target, "https://m.example/users/ana", "https://m.example/inbox", federation.FollowAccepted},
			{target, "https://m.example/users/bot", "https://m.example/inbox", federation.FollowAccepted},
			{target, "https://m.example/actor", "https://m.example/inbox", federation.FollowAccepted},
			{target, "https://l.example/c/city", "", federation.FollowAccepted},
			{target, "https://x.example/unknown", "https://x.example/inbox", federation.FollowAccepted},
			{target, "https://y.example/users/pending", "https://y.example/inbox", federation.FollowPending},
			{"https://node.example/forums/other", "https://z.example/users/zoe", "https://z.example/inbox", federation.FollowAccepted},
		}
		for _, f := range followers {
			fl := &federation.Follower{ID: ids.New(), Target: f.target, ActorURI: f.actor, Inbox: f.actor + "/inbox",
				SharedInbox: f.shared, State: f.state, CreatedAt: t0}
			wantErr(t, "SaveFollower", s.SaveFollower(ctx(t), fl), nil)
		}
		got, err := s.FollowerInboxes(ctx(t), target)
		wantErr(t, "FollowerInboxes", err, nil)
		same(t, "FollowerInboxes", got, []stored.FollowerInbox{
			{Inbox: "https://l.example/c/city/inbox"},
			{Inbox: "https://m.example/inbox"},
			{Inbox: "https://m.example/inbox", Person: true},
			{Inbox: "https://x.example/inbox"},
		})
	})
}
