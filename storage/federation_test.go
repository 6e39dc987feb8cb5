package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

func TestActorKeysAndRemoteActors(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		k := &federation.ActorKey{Owner: "forum:01ABC", PrivatePEM: "-----BEGIN PRIVATE KEY-----\n…",
			PublicPEM: "-----BEGIN PUBLIC KEY-----\n…", CreatedAt: t0}
		wantErr(t, "CreateActorKey", s.CreateActorKey(ctx(t), k), nil)
		again := *k
		again.PublicPEM = "other"
		wantErr(t, "CreateActorKey again", s.CreateActorKey(ctx(t), &again), forum.ErrConflict)
		got, err := s.ActorKey(ctx(t), k.Owner)
		wantErr(t, "ActorKey", err, nil)
		same(t, "ActorKey keeps the first key", got, k)
		_, err = s.ActorKey(ctx(t), "instance")
		wantErr(t, "ActorKey unknown", err, forum.ErrNotFound)

		a := &federation.RemoteActor{URI: "https://social.example/users/ana", Type: "Person", Username: "ana",
			Domain: "social.example", Inbox: "https://social.example/users/ana/inbox",
			SharedInbox: "https://social.example/inbox", Outbox: "https://social.example/users/ana/outbox",
			Followers: "https://social.example/users/ana/followers", KeyID: "https://social.example/users/ana#main-key",
			PublicKeyPEM: "PEM1", Document: []byte(`{"type":"Person"}`), FetchedAt: t0}
		wantErr(t, "SaveRemoteActor", s.SaveRemoteActor(ctx(t), a), nil)
		gotA, err := s.RemoteActor(ctx(t), a.URI)
		wantErr(t, "RemoteActor", err, nil)
		same(t, "RemoteActor", gotA, a)
		// Saving again replaces every field (a key rotation).
		a.KeyID, a.PublicKeyPEM, a.Document, a.FetchedAt = a.URI+"#key2", "PEM2", []byte(`{}`), t0.Add(time.Hour)
		wantErr(t, "SaveRemoteActor again", s.SaveRemoteActor(ctx(t), a), nil)
		gotA, err = s.RemoteActorByKeyID(ctx(t), a.URI+"#key2")
		wantErr(t, "RemoteActorByKeyID", err, nil)
		same(t, "RemoteActorByKeyID", gotA, a)
		_, err = s.RemoteActorByKeyID(ctx(t), "https://social.example/users/ana#main-key")
		wantErr(t, "RemoteActorByKeyID old key", err, forum.ErrNotFound)
		_, err = s.RemoteActor(ctx(t), "https://social.example/users/bea")
		wantErr(t, "RemoteActor unknown", err, forum.ErrNotFound)
	})
}

func TestFollowers(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		ids := newIDs()
		target := "https://node.example/forums/digital"
		follower := func(actor string, state federation.FollowState) *federation.Follower {
			return &federation.Follower{ID: ids.New(), Target: target, ActorURI: actor, Inbox: actor + "/inbox",
				SharedInbox: "https://shared.example/inbox", FollowID: actor + "/follows/1", State: state, CreatedAt: t0}
		}
		a := follower("https://a.example/u", federation.FollowAccepted)
		b := follower("https://b.example/u", federation.FollowPending)
		c := follower("https://c.example/u", federation.FollowAccepted)
		d := follower("https://d.example/u", federation.FollowPending)
		e := follower("https://e.example/u", federation.FollowAccepted)
		other := &federation.Follower{ID: ids.New(), Target: "https://node.example/forums/other", ActorURI: a.ActorURI,
			State: federation.FollowAccepted, CreatedAt: t0}
		for _, f := range []*federation.Follower{a, b, c, d, e, other} {
			wantErr(t, "SaveFollower", s.SaveFollower(ctx(t), f), nil)
		}
		got, err := s.Follower(ctx(t), target, b.ActorURI)
		wantErr(t, "Follower", err, nil)
		same(t, "Follower", got, b)
		_, err = s.Follower(ctx(t), target, "https://z.example/u")
		wantErr(t, "Follower unknown", err, forum.ErrNotFound)

		pending, err := s.ListPendingFollowers(ctx(t), target, 10)
		wantErr(t, "ListPendingFollowers", err, nil)
		same(t, "ListPendingFollowers", pending, []*federation.Follower{b, d})

		// Accepting b replaces the row found by (Target, ActorURI).
		b.State = federation.FollowAccepted
		wantErr(t, "SaveFollower accept", s.SaveFollower(ctx(t), b), nil)
		// A new Follow from c (new ID, new activity) replaces c's row.
		c2 := follower(c.ActorURI, federation.FollowAccepted)
		c2.FollowID = c.ActorURI + "/follows/2"
		wantErr(t, "SaveFollower refollow", s.SaveFollower(ctx(t), c2), nil)

		var all []*federation.Follower
		after := forum.ID("")
		for range 5 {
			page, err := s.ListFollowers(ctx(t), target, after, 2)
			wantErr(t, "ListFollowers", err, nil)
			if len(page) == 0 {
				break
			}
			all = append(all, page...)
			after = page[len(page)-1].ID
		}
		same(t, "ListFollowers in pages", all, []*federation.Follower{a, b, e, c2})
		if n, err := s.CountFollowers(ctx(t), target); err != nil || n != 4 {
			t.Errorf("CountFollowers = %d, %v; want 4", n, err)
		}

		wantErr(t, "DeleteFollower", s.DeleteFollower(ctx(t), target, a.ActorURI), nil)
		wantErr(t, "DeleteFollower again", s.DeleteFollower(ctx(t), target, a.ActorURI), forum.ErrNotFound)
		_, err = s.Follower(ctx(t), other.Target, a.ActorURI)
		wantErr(t, "other target's follower stays", err, nil)
		if n, _ := s.CountFollowers(ctx(t), target); n != 3 {
			t.Errorf("CountFollowers after delete = %d, want 3", n)
		}
	})
}

func TestFollowing(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		ids := newIDs()
		instance := "https://city.example/actor"
		hub := &federation.Following{ID: ids.New(), ActorURI: instance, ObjectURI: "https://hub.example/forums/climate",
			FollowID: "https://city.example/follows/1", ForumID: ids.New(), State: federation.FollowPending, CreatedAt: t0}
		other := &federation.Following{ID: ids.New(), ActorURI: instance, ObjectURI: "https://hub.example/forums/water",
			FollowID: "https://city.example/follows/2", State: federation.FollowAccepted, CreatedAt: t0}
		for _, f := range []*federation.Following{hub, other} {
			wantErr(t, "SaveFollowing", s.SaveFollowing(ctx(t), f), nil)
		}
		got, err := s.Following(ctx(t), hub.ObjectURI)
		wantErr(t, "Following", err, nil)
		same(t, "Following", got, hub)
		got, err = s.FollowingByActivity(ctx(t), other.FollowID)
		wantErr(t, "FollowingByActivity", err, nil)
		same(t, "FollowingByActivity", got, other)
		_, err = s.FollowingByActivity(ctx(t), "https://city.example/follows/9")
		wantErr(t, "FollowingByActivity unknown", err, forum.ErrNotFound)

		hub.State = federation.FollowAccepted
		wantErr(t, "SaveFollowing accept", s.SaveFollowing(ctx(t), hub), nil)
		list, err := s.ListFollowing(ctx(t))
		wantErr(t, "ListFollowing", err, nil)
		same(t, "ListFollowing", list, []*federation.Following{hub, other})

		wantErr(t, "DeleteFollowing", s.DeleteFollowing(ctx(t), hub.ObjectURI), nil)
		wantErr(t, "DeleteFollowing again", s.DeleteFollowing(ctx(t), hub.ObjectURI), forum.ErrNotFound)
		_, err = s.Following(ctx(t), hub.ObjectURI)
		wantErr(t, "Following deleted", err, forum.ErrNotFound)
	})
}

func TestOutbox(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		ids := newIDs()
		actor := "https://node.example/forums/digital"
		var public []*federation.OutboxActivity
		for i := range 5 {
			a := &federation.OutboxActivity{ID: ids.New(), URI: "https://node.example/activities/" + string(rune('a'+i)),
				ActorURI: actor, Type: "Create", ObjectURI: "https://node.example/posts/x",
				Body: []byte(`{"type":"Create"}`), Public: i != 2, CreatedAt: t0}
			wantErr(t, "AddOutboxActivity", s.AddOutboxActivity(ctx(t), a), nil)
			if a.Public {
				public = append(public, a)
			}
		}
		otherActor := &federation.OutboxActivity{ID: ids.New(), URI: "https://node.example/activities/z",
			ActorURI: "https://node.example/actor", Type: "Announce", Body: []byte(`{}`), Public: true, CreatedAt: t0}
		wantErr(t, "AddOutboxActivity other actor", s.AddOutboxActivity(ctx(t), otherActor), nil)
		dup := *public[0]
		dup.ID = ids.New()
		wantErr(t, "AddOutboxActivity same URI", s.AddOutboxActivity(ctx(t), &dup), forum.ErrConflict)

		got, err := s.OutboxActivity(ctx(t), public[1].ID)
		wantErr(t, "OutboxActivity", err, nil)
		same(t, "OutboxActivity", got, public[1])
		got, err = s.OutboxActivityByURI(ctx(t), public[2].URI)
		wantErr(t, "OutboxActivityByURI", err, nil)
		same(t, "OutboxActivityByURI", got, public[2])
		_, err = s.OutboxActivity(ctx(t), ids.New())
		wantErr(t, "OutboxActivity unknown", err, forum.ErrNotFound)

		page, err := s.ListOutbox(ctx(t), actor, "", 3)
		wantErr(t, "ListOutbox", err, nil)
		same(t, "ListOutbox newest", page, []*federation.OutboxActivity{public[3], public[2], public[1]})
		page, err = s.ListOutbox(ctx(t), actor, public[1].ID, 3)
		wantErr(t, "ListOutbox before", err, nil)
		same(t, "ListOutbox before", page, []*federation.OutboxActivity{public[0]})
		if n, err := s.CountOutbox(ctx(t), actor); err != nil || n != 4 {
			t.Errorf("CountOutbox = %d, %v; want 4", n, err)
		}
	})
}

func TestTombstonesBlocksCursors(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		ts := &federation.Tombstone{URI: "https://social.example/notes/1", DeletedAt: t0}
		wantErr(t, "AddTombstone", s.AddTombstone(ctx(t), ts), nil)
		wantErr(t, "AddTombstone again", s.AddTombstone(ctx(t),
			&federation.Tombstone{URI: ts.URI, DeletedAt: t0.Add(time.Hour)}), nil)
		got, err := s.Tombstone(ctx(t), ts.URI)
		wantErr(t, "Tombstone", err, nil)
		same(t, "Tombstone keeps the first time", got, ts)
		_, err = s.Tombstone(ctx(t), "https://social.example/notes/2")
		wantErr(t, "Tombstone unknown", err, forum.ErrNotFound)

		// The blocks version moves with every block and unblock, in
		// their transaction, and with nothing else.
		versions := map[string]bool{}
		version := func(what string, moved bool) {
			t.Helper()
			v, err := s.DomainBlocksVersion(ctx(t))
			wantErr(t, "DomainBlocksVersion", err, nil)
			if versions[v] == moved {
				t.Errorf("after %s the blocks version is %q; want it moved: %v", what, v, moved)
			}
			versions[v] = true
		}
		version("no block yet", true)
		spam := &federation.DomainBlock{Domain: "spam.example", Reason: "spam", CreatedAt: t0}
		wantErr(t, "BlockDomain", s.BlockDomain(ctx(t), spam), nil)
		version("BlockDomain", true)
		wantErr(t, "SetCursor", s.SetCursor(ctx(t), "other", "x"), nil)
		version("another write", false)
		wantErr(t, "BlockDomain again", s.BlockDomain(ctx(t),
			&federation.DomainBlock{Domain: "Spam.Example", Reason: "lots of spam", CreatedAt: t0.Add(time.Hour)}), nil)
		spam.Reason = "lots of spam"
		wantErr(t, "BlockDomain another", s.BlockDomain(ctx(t),
			&federation.DomainBlock{Domain: "bad.example", CreatedAt: t0}), nil)
		for domain, want := range map[string]bool{
			"spam.example": true, "SPAM.example": true, "a.b.spam.example": true,
			"notspam.example": false, "example": false, "good.example": false, "": false,
		} {
			got, err := s.DomainBlocked(ctx(t), domain)
			if err != nil || got != want {
				t.Errorf("DomainBlocked(%q) = %v, %v; want %v", domain, got, err, want)
			}
		}
		blocks, err := s.ListDomainBlocks(ctx(t))
		wantErr(t, "ListDomainBlocks", err, nil)
		same(t, "ListDomainBlocks", blocks, []*federation.DomainBlock{
			{Domain: "bad.example", CreatedAt: t0}, spam})
		version("BlockDomain twice more", true)
		wantErr(t, "UnblockDomain", s.UnblockDomain(ctx(t), "bad.example"), nil)
		version("UnblockDomain", true)
		wantErr(t, "UnblockDomain again", s.UnblockDomain(ctx(t), "bad.example"), forum.ErrNotFound)
		version("UnblockDomain of nothing", false)
		if b, _ := s.DomainBlocked(ctx(t), "bad.example"); b {
			t.Error("bad.example still blocked")
		}

		v, err := s.Cursor(ctx(t), "publisher")
		if err != nil || v != "" {
			t.Errorf("Cursor unset = %q, %v; want \"\"", v, err)
		}
		for _, want := range []string{"01A", "01B"} {
			wantErr(t, "SetCursor", s.SetCursor(ctx(t), "publisher", want), nil)
			if v, err := s.Cursor(ctx(t), "publisher"); err != nil || v != want {
				t.Errorf("Cursor = %q, %v; want %q", v, err, want)
			}
		}
	})
}

func TestHosts(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		_, err := s.Host(ctx(t), "a.example")
		wantErr(t, "Host unknown", err, forum.ErrNotFound)
		a := &federation.HostHealth{Host: "a.example", ConsecutiveFails: 3, OpenUntil: ptr(t0.Add(time.Hour)),
			LastFailure: ptr(t0), Delivered: 10, Failed: 4}
		b := &federation.HostHealth{Host: "b.example", LastSuccess: ptr(t0), Delivered: 1}
		for _, h := range []*federation.HostHealth{b, a} {
			wantErr(t, "SaveHost", s.SaveHost(ctx(t), h), nil)
		}
		got, err := s.Host(ctx(t), "a.example")
		wantErr(t, "Host", err, nil)
		same(t, "Host", got, a)
		a.ConsecutiveFails, a.OpenUntil, a.LastSuccess, a.Delivered = 0, nil, ptr(t0.Add(2*time.Hour)), 11
		wantErr(t, "SaveHost again", s.SaveHost(ctx(t), a), nil)
		list, err := s.ListHosts(ctx(t), 10)
		wantErr(t, "ListHosts", err, nil)
		same(t, "ListHosts", list, []*federation.HostHealth{a, b})
		list, _ = s.ListHosts(ctx(t), 1)
		same(t, "ListHosts limit", list, []*federation.HostHealth{a})
	})
}

func TestFederationAtomic(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		boom := errors.New("boom")
		err := s.FederationAtomic(ctx(t), func(ctx context.Context, tx federation.Store) error {
			if err := tx.(*storage.Store).SetCursor(ctx, "a", "1"); err != nil {
				return err
			}
			return tx.FederationAtomic(ctx, func(ctx context.Context, tx federation.Store) error {
				if v, err := tx.(*storage.Store).Cursor(ctx, "a"); err != nil || v != "1" {
					t.Errorf("nested sees %q, %v", v, err)
				}
				return boom
			})
		})
		if err != boom {
			t.Fatalf("FederationAtomic = %v, want boom itself", err)
		}
		if v, _ := s.Cursor(ctx(t), "a"); v != "" {
			t.Errorf("cursor after rollback = %q", v)
		}
		// forum and federation writes share one transaction.
		id := newIDs().New()
		err = s.Atomic(ctx(t), func(ctx context.Context, tx forum.Store) error {
			if err := tx.AppendEvent(ctx, &forum.Event{ID: id, Kind: forum.EventPostCreated, CreatedAt: t0}); err != nil {
				return err
			}
			return tx.(*storage.Store).SetCursor(ctx, "publisher", id)
		})
		wantErr(t, "Atomic across stores", err, nil)
		if v, _ := s.Cursor(ctx(t), "publisher"); v != id {
			t.Errorf("cursor = %q", v)
		}
	})
}
