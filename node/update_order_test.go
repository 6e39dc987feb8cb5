package node_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
)

// updateRig is a hub with a question and an answer, and a Mastodon-like
// server whose account replies to the answer and edits its replies.
type updateRig struct {
	hub       *peer
	masto     *fakeServer
	alice     string
	answerURI string
	threadID  forum.ID
}

func startUpdateRig(t *testing.T) *updateRig {
	t.Helper()
	hub := startPeer(t, "hub", 1)
	asker := hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
	f := hub.forum(t, "mobility", "Mobility")
	q := hub.ask(t, asker, f, "Night buses?", "Who runs them?")
	a := hub.reply(t, asker, q.ID, "The city, since 2024.")
	masto := startFakeServer(t, "mastodon")
	alice := masto.actor(fakeActor{Path: "/users/alice", Type: "Person", Username: "alice", Name: "Alice", KeyID: "#main-key"})
	return &updateRig{hub: hub, masto: masto, alice: alice, answerURI: hub.URLs.Post(a.ID), threadID: q.ID}
}

// note is a public Mastodon reply to the answer; updated is "" or a time.
func (r *updateRig) note(id, text, published, updated string) string {
	extra := ""
	if updated != "" {
		extra = `"updated":"` + updated + `",`
	}
	return fill(`{"id":"{id}","type":"Note","inReplyTo":"{answer}","published":"{published}",`+extra+`"attributedTo":"{a}",
"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["{a}/followers"],"content":"<p>{text}</p>"}`,
		"id", id, "answer", r.answerURI, "published", published, "a", r.alice, "text", text)
}

// send delivers a Create or Update of an object, as alice.
func (r *updateRig) send(t *testing.T, typ, activityID, object string) {
	t.Helper()
	body := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":%q,"type":%q,"actor":%q,
"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["%s/followers"],"object":%s}`, activityID, typ, r.alice, r.alice, object)
	if st := r.masto.send(delivery{KeyID: r.alice + "#main-key", Inbox: r.hub.URLs.SharedInbox(), Body: body}); st != http.StatusAccepted {
		t.Fatalf("%s %s: %d", typ, activityID, st)
	}
	published(t, r.hub)
}

// TestStaleUpdateIgnored: Updates arrive out of order; one whose
// `updated` is not after the version shown is ignored — finished, not
// failed, and not passed on to the forum's followers. An Update without
// `updated` cannot be ordered and is applied as it comes.
func TestStaleUpdateIgnored(t *testing.T) {
	r := startUpdateRig(t)
	const (
		jan, feb, mar = "2026-01-10T10:00:00Z", "2026-02-10T10:00:00Z", "2026-03-10T10:00:00Z"
	)
	type update struct {
		text, updated string
		stale         bool // ignored
	}
	for i, tc := range []struct {
		name      string
		published string
		updates   []update
		want      string
	}{
		{"an older Update after a newer one", jan, []update{{"v3", mar, false}, {"v2", feb, true}}, "v3"},
		{"an Update as old as the version shown", jan, []update{{"v2", feb, false}, {"v2-again", feb, true}}, "v2"},
		{"an Update older than the post", mar, []update{{"v0", feb, true}}, "v1"},
		{"an Update without updated is applied, and later stale ones still lose", jan,
			[]update{{"v3", mar, false}, {"undated", "", false}, {"v2", feb, true}}, "undated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			status := fmt.Sprintf("%s/statuses/%d", r.alice, 100+i)
			r.send(t, "Create", status+"/activity", r.note(status, "v1", tc.published, ""))
			for j, u := range tc.updates {
				id := fmt.Sprintf("%s#updates/%d", status, j)
				r.send(t, "Update", id, r.note(status, u.text, tc.published, u.updated))
				if failed, reason, _ := inboxOutcome(t, r.hub, id); failed {
					t.Errorf("update %q failed (%s): a stale or applied update is finished", u.text, reason)
				}
				if passed := queuedMentioning(t, r.hub, id); u.stale && len(passed) > 0 {
					t.Errorf("stale update %q passed on: %v", u.text, passed)
				} else if !u.stale && len(passed) == 0 {
					t.Errorf("update %q not announced by the forum", u.text)
				}
			}
			p, err := r.hub.Service.PostByURI(ctx, status)
			if err != nil {
				t.Fatal(err)
			}
			if want := "<p>" + tc.want + "</p>"; p.HTML != want {
				t.Errorf("shows %s, want %s", p.HTML, want)
			}
		})
	}
}

// TestUpdateBeforeCreateFetchesTheOrigin: an Update of a post the node
// never received (its Create is late or lost) is applied from the object
// fetched by id from its origin, not from the copy the Update carries.
func TestUpdateBeforeCreateFetchesTheOrigin(t *testing.T) {
	r := startUpdateRig(t)
	ctx := context.Background()
	for i, tc := range []struct {
		name   string
		origin string // what the origin serves; "" answers 410 Gone
		want   string // shown afterwards; "" none
	}{
		{"the origin's version is stored", "ORIGIN-TEXT", "<p>ORIGIN-TEXT</p>"},
		{"gone at the origin: nothing is stored", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := fmt.Sprintf("/users/alice/statuses/%d", 200+i)
			status := r.masto.url(path)
			if tc.origin != "" {
				r.masto.put(path, `{"@context":"https://www.w3.org/ns/activitystreams",`+
					strings.TrimPrefix(r.note(status, tc.origin, "2026-01-10T10:00:00Z", "2026-01-12T10:00:00Z"), "{"))
			} else {
				r.masto.drop(path)
			}
			id := status + "#updates/1"
			r.send(t, "Update", id, r.note(status, "EMBEDDED-TEXT", "2026-01-10T10:00:00Z", "2026-01-11T10:00:00Z"))
			p, err := r.hub.Service.PostByURI(ctx, status)
			if tc.want == "" {
				if !errors.Is(err, forum.ErrNotFound) {
					t.Errorf("stored: %v %v", p, err)
				}
				if failed, reason, _ := inboxOutcome(t, r.hub, id); !failed || !strings.Contains(reason, "origin") {
					t.Errorf("item failed=%v (%s): want failed, not at its origin", failed, reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.HTML != tc.want {
				t.Errorf("shows %s, want %s", p.HTML, tc.want)
			}
			if v := r.hub.mustView(t, r.threadID); strings.Contains(v, "EMBEDDED-TEXT") {
				t.Errorf("the embedded copy is shown:\n%s", v)
			}
		})
	}
}
