package publish_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/storetest"
)

// flakyStore fails reads of one remote actor a number of times, as a
// database that drops a connection would.
type flakyStore struct {
	*storage.Store
	mu    sync.Mutex
	actor string
	fails int
}

var errConnectionLost = errors.New("read remote actor: connection reset by peer")

func (s *flakyStore) RemoteActor(ctx context.Context, uri string) (*federation.RemoteActor, error) {
	s.mu.Lock()
	fail := uri == s.actor && s.fails > 0
	if fail {
		s.fails--
	}
	s.mu.Unlock()
	if fail {
		return nil, errConnectionLost
	}
	return s.Store.RemoteActor(ctx, uri)
}

// TestPublisherRetriesADatabaseError: a database error while the
// publisher reads a recipient (here the remote actor a question mentions)
// leaves the event unpublished, to be retried; it never publishes the
// post without that recipient.
func TestPublisherRetriesADatabaseError(t *testing.T) {
	ctx := t.Context()
	db := storetest.Open(t)
	const bob, bobInbox = "http://remote.test/users/bob", "http://remote.test/users/bob/inbox"
	store := &flakyStore{Store: db.Store(), actor: bob, fails: 1}
	city := newCityNode(t, db, store)
	svc, fed, clock := city.svc, city.fed, city.clock
	// Bob is known: his handle and actor are stored, so nothing is fetched.
	if err := db.Store().SaveRemoteActor(ctx, &federation.RemoteActor{URI: bob, Type: "Person", Username: "bob",
		Domain: "remote.test", Inbox: bobInbox, FetchedAt: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := db.Store().SaveActorHandle(ctx, &federation.ActorHandle{Acct: "bob@remote.test", ActorURI: bob, ResolvedAt: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	ana := city.member(ctx, t, "ana")
	fo, err := svc.CreateForum(ctx, forum.SystemActor(), forum.ForumInput{Slug: "digitalisation", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Learning forum on digitalisation"}}})
	if err != nil {
		t.Fatal(err)
	}
	th, err := svc.Ask(ctx, ana, fo.ID, forum.Question{Title: "Public wifi: worth it?", Body: "What do you think, @bob@remote.test?", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	state := func() (published bool, toBob int) {
		t.Helper()
		n, err := db.Bun().NewSelect().Table("events").Where("thread_id = ?", th.ID).Where("published_at IS NOT NULL").Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		k, err := db.Bun().NewSelect().Table("deliveries").Where("inbox = ?", bobInbox).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n > 0, int(k)
	}
	hooks := fed.Publisher()
	hooks.PublishOnce(ctx) // the read fails
	if published, toBob := state(); published || toBob != 0 {
		t.Fatalf("after a database error: published %v, %d deliveries to Bob; want the event left for a retry", published, toBob)
	}
	hooks.PublishOnce(ctx) // the retry
	if published, toBob := state(); !published || toBob != 1 {
		t.Errorf("after the retry: published %v, %d deliveries to Bob; want published, 1", published, toBob)
	}
}

// TestPublisherGivesUpAnUnreachableForum: an answer in a forum whose host
// refuses connections stays parked, retried, until it is as old as the
// delivery queue's MaxAge; then it is given up: marked published with the
// reason kept, and nothing is queued for it.
func TestPublisherGivesUpAnUnreachableForum(t *testing.T) {
	ctx := t.Context()
	db := storetest.Open(t)
	city := newCityNode(t, db, db.Store())
	svc, fed, clock := city.svc, city.fed, city.clock
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	forumURI := "http://" + ln.Addr().String() + "/c/elsewhere"
	ln.Close() // refused from now on
	fo, err := svc.SaveRemoteForum(ctx, forum.SystemActor(), forum.RemoteForumInfo{URI: forumURI, Name: "elsewhere",
		Domain: ln.Addr().String(), Language: "en", Texts: map[string]forum.ForumText{"en": {Title: "Elsewhere"}}})
	if err != nil {
		t.Fatal(err)
	}
	ana := city.member(ctx, t, "ana")
	th, err := svc.Ask(ctx, ana, fo.ID, forum.Question{Title: "Broadband in rural areas?", Body: "Ideas?", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Published bool   `bun:"published"`
		Attempts  int    `bun:"publish_attempts"`
		Error     string `bun:"publish_error"`
	}
	read := func() row {
		t.Helper()
		var r row
		if err := db.Bun().NewSelect().Table("events").ColumnExpr("published_at IS NOT NULL AS published").
			Column("publish_attempts", "publish_error").Where("thread_id = ?", th.ID).Scan(ctx, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	hooks := fed.Publisher()
	until := func(what string, cond func(row) bool) row {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			hooks.PublishOnce(ctx)
			if r := read(); cond(r) {
				return r
			} else if time.Now().After(deadline) {
				t.Fatalf("%s: not within 10 s; last %+v", what, r)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	r := until("a failed attempt", func(r row) bool { return r.Attempts >= 1 })
	if r.Published || !strings.Contains(r.Error, "unreachable") {
		t.Fatalf("after a failed attempt: %+v; want parked with the reason", r)
	}
	clock.Advance(dqConfig.MaxAge)
	r = until("given up", func(r row) bool { return r.Published })
	if !strings.HasPrefix(r.Error, "gave up after") || !strings.Contains(r.Error, forumURI) {
		t.Errorf("given up with reason %q", r.Error)
	}
	if n, err := db.Bun().NewSelect().Table("outbox_activities").Count(ctx); err != nil || n != 0 {
		t.Errorf("%d activities queued (err %v), want none", n, err)
	}
}
