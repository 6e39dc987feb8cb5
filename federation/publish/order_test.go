package publish_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/password"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
)

// An event id is taken inside its transaction, before the commit. On
// PostgreSQL two transactions commit in either order, so the publisher
// can see an event with an earlier id after it has published a later one.
// It must still publish it. The test makes such an event with a clock
// set back, and runs the publisher by hand between the writes.
func TestPublisherPublishesEventsThatCommitLate(t *testing.T) {
	ctx := context.Background()
	clock := testrig.NewClock()
	n, err := node.New(node.Config{BaseURL: "http://127.0.0.1:9", DefaultLanguage: "en", DB: storetest.Open(t),
		Logger: slog.New(slog.DiscardHandler), Clock: clock, IDs: testrig.IDs(clock), Hasher: password.NewFast()})
	if err != nil {
		t.Fatal(err)
	}
	pub := n.Federation.Publisher()
	asker, err := n.Service.CreateMember(ctx, forum.SystemActor(), forum.NewAccount{Username: "ana",
		Profile: forum.Profile{DisplayName: "Ana", Languages: []string{"en"}}}, forum.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	f, err := n.Service.CreateForum(ctx, forum.SystemActor(), forum.ForumInput{Slug: "digitalisation", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Learning forum on digitalisation"}}})
	if err != nil {
		t.Fatal(err)
	}
	ask := func(title string) string {
		t.Helper()
		th, err := n.Service.Ask(ctx, asker, f.ID, forum.Question{Title: title, Body: "Context.", Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		return n.URLs.Thread(th.ID)
	}
	publishAll := func() {
		t.Helper()
		for pub.PublishOnce(ctx) {
		}
	}
	created := func(uri string) int {
		t.Helper()
		k, err := n.DB.Bun().NewSelect().Table("outbox_activities").
			Where("type = 'Create'").Where("object_uri = ?", uri).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return int(k)
	}

	first := ask("Public wifi: worth it?")
	clock.Advance(time.Minute)
	second := ask("Digital ID for residents?")
	publishAll()
	clock.Advance(-30 * time.Second) // the next ids sort before second's
	late := ask("Open data portals?")
	publishAll()
	publishAll() // a second pass publishes nothing again

	for _, uri := range []string{first, second, late} {
		if k := created(uri); k != 1 {
			t.Errorf("Create of %s in the outbox %d times, want once", uri, k)
		}
	}
}
