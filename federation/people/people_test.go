package people

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/personal"
	"github.com/metropolis/agora/uris"
)

type fixedClock struct{}

func (fixedClock) Now() time.Time { return time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC) }

type seqIDs struct{ n int }

func (s *seqIDs) New() forum.ID            { s.n++; return fmt.Sprintf("id%04d", s.n) }
func (s *seqIDs) NewAt(time.Time) forum.ID { return s.New() }

// memStore keeps follows by member and person.
type memStore struct {
	follows map[string]*personal.PersonFollow
}

func key(m, p forum.ID) string { return m + " " + p }

func (s *memStore) PersonFollow(_ context.Context, m, p forum.ID) (*personal.PersonFollow, error) {
	if f := s.follows[key(m, p)]; f != nil {
		cp := *f
		return &cp, nil
	}
	return nil, forum.ErrNotFound
}
func (s *memStore) SavePersonFollow(_ context.Context, f *personal.PersonFollow) error {
	s.follows[key(f.MemberID, f.PersonID)] = f
	return nil
}
func (s *memStore) DeletePersonFollow(_ context.Context, m, p forum.ID) error {
	if s.follows[key(m, p)] == nil {
		return forum.ErrNotFound
	}
	delete(s.follows, key(m, p))
	return nil
}

type oneActor struct{}

func (oneActor) Actor(_ context.Context, uri string, _ bool) (*stored.RemoteActor, error) {
	if uri != "https://social.example/users/ana" {
		return nil, errors.New("unreachable")
	}
	return &stored.RemoteActor{URI: uri, Inbox: uri + "/inbox", SharedInbox: "https://social.example/inbox"}, nil
}

// TestFollowAndUnfollow: a Follow in the member's name to the person's own
// inbox, recorded as requested in the same transaction; following again
// sends nothing; the Undo embeds the Follow; local people, and unfollowing
// someone not followed, send nothing.
func TestFollowAndUnfollow(t *testing.T) {
	urls, err := uris.New("https://agora.example")
	if err != nil {
		t.Fatal(err)
	}
	marta := &forum.Member{ID: "m1", Username: "marta"}
	ana := &forum.Member{ID: "p1", Username: "ana", Domain: "social.example", URI: "https://social.example/users/ana"}
	gone := &forum.Member{ID: "p2", Username: "gone", Domain: "down.example", URI: "https://down.example/users/gone"}
	joao := &forum.Member{ID: "m2", Username: "joao"}
	for _, tc := range []struct {
		name  string
		steps func(p *People) error
		sent  []string // types of the activities queued, in order
		kept  map[string]personal.FollowState
		err   error
	}{
		{"follow", func(p *People) error { _, err := p.Follow(t.Context(), marta, ana); return err },
			[]string{"Follow"}, map[string]personal.FollowState{"m1 p1": personal.FollowRequested}, nil},
		{"follow twice", func(p *People) error {
			if _, err := p.Follow(t.Context(), marta, ana); err != nil {
				return err
			}
			_, err := p.Follow(t.Context(), marta, ana)
			return err
		}, []string{"Follow"}, map[string]personal.FollowState{"m1 p1": personal.FollowRequested}, nil},
		{"follow then unfollow", func(p *People) error {
			if _, err := p.Follow(t.Context(), marta, ana); err != nil {
				return err
			}
			return p.Unfollow(t.Context(), marta, ana)
		}, []string{"Follow", "Undo"}, map[string]personal.FollowState{}, nil},
		{"unfollow nobody", func(p *People) error { return p.Unfollow(t.Context(), marta, ana) }, nil, map[string]personal.FollowState{}, nil},
		{"a local member", func(p *People) error { _, err := p.Follow(t.Context(), marta, joao); return err },
			nil, map[string]personal.FollowState{}, ErrNotRemote},
		{"unreachable", func(p *People) error { _, err := p.Follow(t.Context(), marta, gone); return err },
			nil, map[string]personal.FollowState{}, ErrUnreachable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &memStore{follows: map[string]*personal.PersonFollow{}}
			var sent []*deliver.Outgoing
			p, err := New(Config{URLs: urls, IDs: &seqIDs{}, Clock: fixedClock{}, Store: store, Actors: oneActor{},
				Send: func(ctx context.Context, acts []*deliver.Outgoing, then func(ctx context.Context, tx Store) error) error {
					sent = append(sent, acts...)
					return then(ctx, store)
				}})
			if err != nil {
				t.Fatal(err)
			}
			err = tc.steps(p)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			var types []string
			for _, a := range sent {
				types = append(types, a.Type)
				var doc map[string]any
				if err := json.Unmarshal(a.Body, &doc); err != nil {
					t.Fatal(err)
				}
				if a.ActorURI != urls.Member("marta") || doc["actor"] != a.ActorURI || a.Inboxes[0] != ana.URI+"/inbox" ||
					len(a.Inboxes) != 1 || a.OrderKey != ana.URI || doc["id"] != a.URI {
					t.Errorf("%s: %+v %v", a.Type, a, doc)
				}
			}
			if fmt.Sprint(types) != fmt.Sprint(tc.sent) {
				t.Errorf("sent %v, want %v", types, tc.sent)
			}
			if len(sent) == 2 {
				var undo map[string]any
				_ = json.Unmarshal(sent[1].Body, &undo)
				inner, _ := undo["object"].(map[string]any)
				if inner["id"] != sent[0].URI || inner["type"] != "Follow" || inner["object"] != ana.URI {
					t.Errorf("Undo embeds %v, want the Follow %s", inner, sent[0].URI)
				}
			}
			got := map[string]personal.FollowState{}
			for k, f := range store.follows {
				got[k] = f.State
				if f.FollowID != urls.Activity(f.ID) || f.PersonURI != ana.URI {
					t.Errorf("kept %+v", f)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.kept) {
				t.Errorf("kept %v, want %v", got, tc.kept)
			}
		})
	}
}
