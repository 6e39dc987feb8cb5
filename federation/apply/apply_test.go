package apply

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/personal"
	"github.com/metropolis/agora/uris"
)

type fixedClock struct{}

func (fixedClock) Now() time.Time { return time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC) }

type seqIDs struct{ n int }

func (s *seqIDs) New() forum.ID { s.n++; return fmt.Sprintf("id%04d", s.n) }

func (s *seqIDs) NewAt(time.Time) forum.ID { return s.New() }

// fakeTx keeps follows in memory.
type fakeTx struct {
	Store
	following *stored.Following
	saved     *stored.Following
	deleted   string

	person        *personal.PersonFollow
	personSaved   *personal.PersonFollow
	personDeleted string
}

func (t *fakeTx) FollowingByActivity(_ context.Context, id string) (*stored.Following, error) {
	if t.following == nil || t.following.FollowID != id {
		return nil, forum.ErrNotFound
	}
	cp := *t.following
	return &cp, nil
}
func (t *fakeTx) SaveFollowing(_ context.Context, fg *stored.Following) error {
	t.saved = fg
	return nil
}
func (t *fakeTx) DeleteFollowing(_ context.Context, uri string) error { t.deleted = uri; return nil }

// A member's follow of a remote person (package people).
func (t *fakeTx) PersonFollowByActivity(_ context.Context, id string) (*personal.PersonFollow, error) {
	if t.person == nil || t.person.FollowID != id {
		return nil, forum.ErrNotFound
	}
	cp := *t.person
	return &cp, nil
}
func (t *fakeTx) SavePersonFollow(_ context.Context, f *personal.PersonFollow) error {
	t.personSaved = f
	return nil
}
func (t *fakeTx) DeletePersonFollow(_ context.Context, memberID, personID forum.ID) error {
	t.personDeleted = memberID + " " + personID
	return nil
}

type noActors struct{}

func (noActors) Actor(context.Context, string, bool) (*stored.RemoteActor, error) {
	return nil, forum.ErrNotFound
}

type noFetcher struct{}

func (noFetcher) GetObject(context.Context, string) (*fetch.Document, error) {
	return nil, fetch.ErrBudgetExhausted
}

type noBlocks struct{}

func (noBlocks) BlockedURL(context.Context, string) (bool, error) { return false, nil }

func testConfig(tx Store, backfilled *[]string) Config {
	urls, err := uris.New("https://agora.example")
	if err != nil {
		panic(err)
	}
	return Config{URLs: urls, IDs: &seqIDs{}, Clock: fixedClock{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Forum: &forum.Service{}, Store: tx,
		Atomic: func(context.Context, func(context.Context, AtomicTx) error) error {
			return errors.New("no transactions here")
		},
		Actors: noActors{}, Fetcher: noFetcher{}, Blocks: noBlocks{},
		Send:     func(context.Context, []*deliver.Outgoing) error { return nil },
		Backfill: func(uri string) { *backfilled = append(*backfilled, uri) },
		Applied:  func() {}, Refused: func(string) {}}
}

// New refuses a Config missing any collaborator, rather than failing on
// the first activity that needs it.
func TestNewIncompleteConfig(t *testing.T) {
	var backfilled []string
	for _, tc := range []struct {
		name  string
		unset func(*Config)
	}{
		{"URLs", func(c *Config) { c.URLs = nil }},
		{"IDs", func(c *Config) { c.IDs = nil }},
		{"Clock", func(c *Config) { c.Clock = nil }},
		{"Log", func(c *Config) { c.Log = nil }},
		{"Forum", func(c *Config) { c.Forum = nil }},
		{"Store", func(c *Config) { c.Store = nil }},
		{"Atomic", func(c *Config) { c.Atomic = nil }},
		{"Actors", func(c *Config) { c.Actors = nil }},
		{"Fetcher", func(c *Config) { c.Fetcher = nil }},
		{"Blocks", func(c *Config) { c.Blocks = nil }},
		{"Send", func(c *Config) { c.Send = nil }},
		{"Backfill", func(c *Config) { c.Backfill = nil }},
		{"Applied", func(c *Config) { c.Applied = nil }},
		{"Refused", func(c *Config) { c.Refused = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(&fakeTx{}, &backfilled)
			tc.unset(&cfg)
			if _, err := New(cfg); err == nil {
				t.Errorf("New took a Config without %s", tc.name)
			}
		})
	}
	if _, err := New(testConfig(&fakeTx{}, &backfilled)); err != nil {
		t.Errorf("New refused a complete Config: %v", err)
	}
}

// onFollowAnswer: only the forum followed answers; an Accept marks the
// follow accepted and backfills, a Reject drops it, an unknown follow is
// refused.
func TestOnFollowAnswer(t *testing.T) {
	const forumURI, followID = "https://other.example/c/parks", "https://agora.example/activities/1"
	for _, tc := range []struct {
		name, actor, typ, object string
		wantReason               string // "" : applied
		wantSaved, wantBackfill  bool
		wantDeleted              string
	}{
		{"accept", forumURI, ap.TypeAccept, followID, "", true, true, ""},
		{"reject", forumURI, ap.TypeReject, followID, "", false, false, forumURI},
		{"another actor", "https://evil.example/u/x", ap.TypeAccept, followID, ReasonOrigin, false, false, ""},
		{"unknown follow", forumURI, ap.TypeAccept, "https://agora.example/activities/9", ReasonUnknownTarget, false, false, ""},
		// An organiser's Accept of a member's Join: acknowledged, nothing
		// refused or changed. The same id as a bare link stays unknown.
		{"accept of a join", "https://other.example/u/organiser", ap.TypeAccept, "join:https://agora.example/activities/j1", "", false, false, ""},
		{"accept of a join by link", "https://other.example/u/organiser", ap.TypeAccept, "https://agora.example/activities/j1", ReasonUnknownTarget, false, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tx := &fakeTx{following: &stored.Following{ObjectURI: forumURI, FollowID: followID, State: stored.FollowPending}}
			var backfilled []string
			a, err := New(testConfig(tx, &backfilled))
			if err != nil {
				t.Fatal(err)
			}
			object := ap.Ref{IRI: tc.object}
			if id, ok := strings.CutPrefix(tc.object, "join:"); ok {
				object = ap.Ref{Activity: &ap.Activity{ID: id, Type: ap.TypeJoin, Actor: "https://agora.example/u/marta",
					Object: ap.Ref{IRI: "https://other.example/events/1"}}}
			}
			err = a.onFollowAnswer(context.Background(), &ap.Activity{ID: "https://other.example/a/1", Type: tc.typ,
				Actor: tc.actor, Object: object})
			if tc.wantReason != "" {
				if err == nil || ReasonOf(err) != tc.wantReason || !IsPermanent(err) {
					t.Fatalf("err %v (reason %q), want a refusal %q", err, ReasonOf(err), tc.wantReason)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got := tx.saved != nil && tx.saved.State == stored.FollowAccepted; got != tc.wantSaved {
				t.Errorf("saved accepted: %v, want %v", got, tc.wantSaved)
			}
			if got := len(backfilled) == 1 && backfilled[0] == forumURI; got != tc.wantBackfill {
				t.Errorf("backfilled %v, want backfill %v", backfilled, tc.wantBackfill)
			}
			if tx.deleted != tc.wantDeleted {
				t.Errorf("deleted %q, want %q", tx.deleted, tc.wantDeleted)
			}
		})
	}
}

// onFollowAnswer of a member's follow of a remote person: only that
// person answers it; an Accept marks it accepted (no backfill), a Reject
// removes it, an Accept of one already accepted changes nothing.
func TestOnPersonFollowAnswer(t *testing.T) {
	const personURI, followID = "https://social.example/users/ana", "https://agora.example/activities/2"
	for _, tc := range []struct {
		name, actor, typ string
		state            personal.FollowState
		wantReason       string // "" : applied
		wantSaved        bool
		wantDeleted      string
	}{
		{"accept", personURI, ap.TypeAccept, personal.FollowRequested, "", true, ""},
		{"accept again", personURI, ap.TypeAccept, personal.FollowAccepted, "", false, ""},
		{"reject", personURI, ap.TypeReject, personal.FollowRequested, "", false, "m1 p1"},
		{"reject after accepting", personURI, ap.TypeReject, personal.FollowAccepted, "", false, "m1 p1"},
		{"another actor", "https://social.example/users/bo", ap.TypeAccept, personal.FollowRequested, ReasonOrigin, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tx := &fakeTx{person: &personal.PersonFollow{ID: "f1", MemberID: "m1", PersonID: "p1", PersonURI: personURI,
				FollowID: followID, State: tc.state}}
			var backfilled []string
			a, err := New(testConfig(tx, &backfilled))
			if err != nil {
				t.Fatal(err)
			}
			err = a.onFollowAnswer(context.Background(), &ap.Activity{ID: "https://social.example/a/1", Type: tc.typ,
				Actor: tc.actor, Object: ap.Ref{Activity: &ap.Activity{ID: followID, Type: ap.TypeFollow,
					Actor: "https://agora.example/u/marta", Object: ap.Ref{IRI: personURI}}}})
			if tc.wantReason != "" {
				if err == nil || ReasonOf(err) != tc.wantReason || !IsPermanent(err) {
					t.Fatalf("err %v (reason %q), want a refusal %q", err, ReasonOf(err), tc.wantReason)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got := tx.personSaved != nil && tx.personSaved.State == personal.FollowAccepted; got != tc.wantSaved {
				t.Errorf("saved accepted: %v, want %v", got, tc.wantSaved)
			}
			if tx.personDeleted != tc.wantDeleted {
				t.Errorf("deleted %q, want %q", tx.personDeleted, tc.wantDeleted)
			}
			if len(backfilled) != 0 || tx.saved != nil || tx.deleted != "" {
				t.Errorf("a forum follow touched: backfilled %v, saved %v, deleted %q", backfilled, tx.saved, tx.deleted)
			}
		})
	}
}
