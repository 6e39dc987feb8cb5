package node_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/password"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/testrig"
)

// The pieces every node test builds on: one node configuration, a forum on
// a node, a city joining a hub's forum.

// testConfig is how every node under test starts: on db at base, talking
// to loopback peers, with the fast password hasher and the rig's fixed
// keys (no key generated). Its log is discarded unless AGORA_TEST_LOG is
// set. Tests set what they vary on the result.
func testConfig(name, base string, db *storage.DB) node.Config {
	var logOut io.Writer = io.Discard
	if os.Getenv("AGORA_TEST_LOG") != "" {
		logOut = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelDebug})).With("node", name)
	return node.Config{BaseURL: base, DefaultLanguage: "en", DB: db, Logger: log, AllowLoopbackPeers: true,
		Hasher: password.NewFast(), Keys: testrig.NodeKeys()}
}

// forum creates a local forum in English on the node.
func (p *peer) forum(t *testing.T, slug, title string) *forum.Forum {
	t.Helper()
	f, err := p.Service.CreateForum(context.Background(), forum.SystemActor(), forum.ForumInput{Slug: slug, Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: title}}})
	if err != nil {
		t.Fatalf("%s: create forum %s: %v", p.name, slug, err)
	}
	return f
}

// join makes city join the hub's forum f and waits until the hub accepted
// the follow.
func join(t *testing.T, city, hub *peer, f *forum.Forum) {
	t.Helper()
	ctx := context.Background()
	if _, err := city.Federation.Join(ctx, forum.SystemActor(), hub.URLs.Forum(f.Slug)); err != nil {
		t.Fatalf("%s joins %s: %v", city.name, f.Slug, err)
	}
	testrig.Eventually(t, city.name+"'s follow of "+f.Slug+" accepted", func() (bool, string) {
		j, err := city.Federation.Joined(ctx)
		if err != nil || len(j) != 1 {
			return false, fmt.Sprintf("%d followed (err %v)", len(j), err)
		}
		return j[0].State == "accepted", "state " + string(j[0].State)
	})
}

// ask posts a question in English to the node's forum f.
func (p *peer) ask(t *testing.T, m *forum.Member, f *forum.Forum, title, body string) *forum.Thread {
	t.Helper()
	q, err := p.Service.Ask(context.Background(), m, f.ID, forum.Question{Title: title, Body: body, Language: "en"})
	if err != nil {
		t.Fatalf("%s: ask %q: %v", p.name, title, err)
	}
	return q
}

// reply answers a thread on the node, in English.
func (p *peer) reply(t *testing.T, m *forum.Member, threadID forum.ID, body string) *forum.Post {
	t.Helper()
	a, err := p.Service.Reply(context.Background(), m, threadID, "", forum.Answer{Body: body, Language: "en"})
	if err != nil {
		t.Fatalf("%s: reply %q: %v", p.name, body, err)
	}
	return a
}
