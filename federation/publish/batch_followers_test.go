package publish_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/storetest"
)

// followerReads counts the reads of each target's follower inboxes.
type followerReads struct {
	*storage.Store
	mu    sync.Mutex
	reads map[string]int
}

func (s *followerReads) FollowerInboxes(ctx context.Context, target string) ([]stored.FollowerInbox, error) {
	s.mu.Lock()
	s.reads[target]++
	s.mu.Unlock()
	return s.Store.FollowerInboxes(ctx, target)
}

func (s *followerReads) count(target string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads[target]
}

// TestPublisherReadsFollowersOncePerBatch: a batch of events in one forum
// reads the forum's followers once, not once per event, and every event
// still reaches every follower; a follower accepted after a batch gets
// the events of the next one.
func TestPublisherReadsFollowersOncePerBatch(t *testing.T) {
	ctx := t.Context()
	db := storetest.Open(t)
	store := &followerReads{Store: db.Store(), reads: map[string]int{}}
	city := newCityNode(t, db, store)
	svc, fed, clock := city.svc, city.fed, city.clock
	ana := city.member(ctx, t, "ana")
	fo, err := svc.CreateForum(ctx, forum.SystemActor(), forum.ForumInput{Slug: "digitalisation", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Learning forum on digitalisation"}}})
	if err != nil {
		t.Fatal(err)
	}
	target := city.urls.Forum(fo.Slug)
	follow := func(n int, host string) {
		t.Helper()
		actor := "http://" + host + "/actor"
		if err := db.Store().SaveFollower(ctx, &federation.Follower{ID: forum.ID(fmt.Sprintf("01FOLLOWER%016d", n)), Target: target,
			ActorURI: actor, Inbox: actor + "/inbox", SharedInbox: "http://" + host + "/inbox", FollowID: actor + "#follow",
			State: federation.FollowAccepted, CreatedAt: clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	delivered := func(inbox string) int {
		t.Helper()
		n, err := db.Bun().NewSelect().Table("deliveries").Where("inbox = ?", inbox).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	follow(1, "a.test")
	follow(2, "b.test")
	th, err := svc.Ask(ctx, ana, fo.ID, forum.Question{Title: "Public wifi: worth it?", Body: "What did your city do?", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	const replies = 5
	for i := range replies {
		if _, err := svc.Reply(ctx, ana, th.ID, "", forum.Answer{Body: fmt.Sprintf("Answer %d", i), Language: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	fed.Publisher().PublishOnce(ctx)
	if got := store.count(target); got != 1 {
		t.Errorf("one batch of %d events in the forum read its followers %d times, want 1", replies+1, got)
	}
	for _, inbox := range []string{"http://a.test/inbox", "http://b.test/inbox"} {
		if got := delivered(inbox); got != replies+1 {
			t.Errorf("%s: %d deliveries, want %d (one per event)", inbox, got, replies+1)
		}
	}

	follow(3, "c.test")
	if _, err := svc.Reply(ctx, ana, th.ID, "", forum.Answer{Body: "A late answer", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	fed.Publisher().PublishOnce(ctx)
	if got := store.count(target); got != 2 {
		t.Errorf("the next batch read the followers %d times in all, want 2 (once more)", got)
	}
	if got := delivered("http://c.test/inbox"); got != 1 {
		t.Errorf("a follower accepted before the next batch's event got %d deliveries, want 1", got)
	}
}
