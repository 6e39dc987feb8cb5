package publish_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/federation/publish"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/markup"
	"github.com/metropolis/agora/forum/password"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/uris"
)

// The publisher's inbox set holds one inbox per shared inbox, however many
// of a host's actors follow, and leaves pending follows out.
func TestFollowerInboxesOncePerSharedInbox(t *testing.T) {
	ctx := t.Context()
	db := storetest.Open(t)
	clock := forum.SystemClock{}
	ids := forum.NewULIDs(clock, nil)
	svc, err := forum.NewService(forum.Deps{Store: db.Store(), Clock: clock, IDs: ids,
		Hasher: password.NewFast(), Renderer: markup.New()})
	if err != nil {
		t.Fatal(err)
	}
	urls, err := uris.New("http://hub.test")
	if err != nil {
		t.Fatal(err)
	}
	fed, err := federation.New(federation.Config{URLs: urls, Service: svc, Store: db.Store(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: clock, IDs: ids, AllowLoopback: true})
	if err != nil {
		t.Fatal(err)
	}
	const a, b = "https://a.example", "https://b.example"
	target := urls.Forum("digitalisation")
	followers := []*federation.Follower{
		{ActorURI: a + "/u/ana", Inbox: a + "/u/ana/inbox", SharedInbox: a + "/inbox"},
		{ActorURI: a + "/u/bea", Inbox: a + "/u/bea/inbox", SharedInbox: a + "/inbox"},
		{ActorURI: a + "/u/cai", Inbox: a + "/u/cai/inbox", SharedInbox: a + "/inbox"},
		{ActorURI: b + "/u/dan", Inbox: b + "/u/dan/inbox"}, // no shared inbox
		{ActorURI: b + "/u/eve", Inbox: b + "/u/eve/inbox", State: federation.FollowPending},
	}
	for i, fl := range followers {
		fl.ID = forum.ID(fmt.Sprintf("01FOLLOWER%016d", i))
		fl.Target, fl.FollowID, fl.CreatedAt = target, fl.ActorURI+"#follow", time.Now().UTC().Truncate(time.Second)
		if fl.State == "" {
			fl.State = federation.FollowAccepted
		}
		if err := db.Store().SaveFollower(ctx, fl); err != nil {
			t.Fatal(err)
		}
	}
	inboxes, err := followerInboxes(ctx, fed, target)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{a + "/inbox", b + "/u/dan/inbox"}
	slices.Sort(want)
	if !slices.Equal(inboxes, want) {
		t.Fatalf("inboxes %v, want %v", inboxes, want)
	}
}

// followerInboxes is the inbox set of target's followers, one per shared
// inbox.
func followerInboxes(ctx context.Context, fed *federation.Federation, target string) ([]string, error) {
	set := publish.InboxSet{}
	if err := fed.Publisher().AddFollowers(ctx, set, target); err != nil {
		return nil, err
	}
	return set.List(), nil
}
