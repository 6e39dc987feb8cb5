package node_test

// Blocked means blocked everywhere: once a node blocks bad.example, no
// request of any kind reaches bad.example or its subdomains — whoever
// leads the node there (an unblocked peer's reply, a redirect, a forum's
// Announce, a mention, a join) — and nothing from it is stored, shown or
// announced. Each fake server counts every request it receives.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	fedfetch "github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
)

// nameResolver resolves the test's host names to loopback addresses: a
// name it holds, or the nearest parent it holds.
type nameResolver map[string]string

func (r nameResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	for h := strings.ToLower(host); h != ""; {
		if ip, ok := r[h]; ok {
			return []net.IPAddr{{IP: net.ParseIP(ip)}}, nil
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// blockRig is a hub and a city that joined its forum, both resolving the
// fake servers' names: good.example (unblocked), bad.example and
// x.bad.example (its subdomain, on another address, so that each counts
// its own requests).
type blockRig struct {
	hub, city      *peer
	f              *forum.Forum
	asker          *forum.Member
	good, bad, sub *fakeServer
	gina, bob, sam string // an actor on each
}

func startBlockRig(t *testing.T) *blockRig {
	t.Helper()
	r := startBlockRigUnjoined(t)
	r.join(t)
	return r
}

// join makes the city join the hub's forum.
func (r *blockRig) join(t *testing.T) {
	t.Helper()
	join(t, r.city, r.hub, r.f)
}

// startBlockRigUnjoined is startBlockRig before the city joins.
func startBlockRigUnjoined(t *testing.T) *blockRig {
	t.Helper()
	res := nameResolver{"good.example": "127.0.0.5", "bad.example": "127.0.0.7", "x.bad.example": "127.0.0.8",
		"xn--bd-via.example": "127.0.0.7"} // bäd.example
	listen := func(ip string) net.Listener {
		ln, err := net.Listen("tcp", ip+":0")
		if err != nil {
			t.Fatal(err)
		}
		return ln
	}
	r := &blockRig{
		hub:  runPeerConfig(t, "hub", listen("127.0.0.1"), storetest.Open(t), fastDelivery, nil, res),
		city: runPeerConfig(t, "city", listen("127.0.0.2"), storetest.Open(t), fastDelivery, nil, res),
		good: startFakeServerAt(t, "good", "127.0.0.5:0", "good.example"),
		bad:  startFakeServerAt(t, "bad", "127.0.0.7:0", "bad.example"),
		sub:  startFakeServerAt(t, "sub", "127.0.0.8:0", "x.bad.example"),
	}
	r.asker = r.hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
	f := r.hub.forum(t, "digitalisation", "Learning forum on digitalisation")
	r.f = f
	r.gina = r.good.actor(fakeActor{Path: "/users/gina", Type: "Person", Username: "gina", Name: "Gina", KeyID: "#main-key"})
	r.bob = r.bad.actor(fakeActor{Path: "/users/bob", Type: "Person", Username: "bob", Name: "Bob", KeyID: "#main-key"})
	r.sam = r.sub.actor(fakeActor{Path: "/users/sam", Type: "Person", Username: "sam", Name: "Sam", KeyID: "#main-key"})
	return r
}

// block blocks a domain on a node, as `agora admin block` does.
func block(t *testing.T, p *peer, domain string) {
	t.Helper()
	if err := p.DB.Store().BlockDomain(context.Background(), &federation.DomainBlock{Domain: domain, Reason: "test", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

func (r *blockRig) forumURI() string { return r.hub.URLs.Forum(r.f.Slug) }

// note is a public post by actor, answering inReplyTo ("": a question to
// the hub's forum).
func (r *blockRig) note(id, actor, inReplyTo, text string) string {
	reply := ""
	if inReplyTo != "" {
		reply = fmt.Sprintf(`"inReplyTo": %q,`, inReplyTo)
	}
	return fmt.Sprintf(`{"@context": "https://www.w3.org/ns/activitystreams", "id": %q, "type": "Note", "attributedTo": %q, %s
  "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [%q], "audience": %q,
  "published": "2026-11-30T10:00:00Z", "content": "<p>%s</p>"}`, id, actor, reply, r.forumURI(), r.forumURI(), text)
}

// create wraps a note in its author's Create.
func (r *blockRig) create(note, id, actor string) string {
	return fmt.Sprintf(`{"@context": "https://www.w3.org/ns/activitystreams", "id": %q, "type": "Create", "actor": %q,
  "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [%q], "object": %s}`, id+"/activity", actor, r.forumURI(), note)
}

// page is a page of a node, as a reader sees it.
func page(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// refusedForBlock checks that a node failed an activity at once, for a
// blocked instance, and stored none of the posts named.
func refusedForBlock(t *testing.T, p *peer, activityID string, posts ...string) {
	t.Helper()
	ctx := context.Background()
	failed, reason, attempts := inboxOutcome(t, p, activityID)
	if !failed || !strings.Contains(reason, "blocked") || attempts > 1 {
		t.Errorf("%s: activity failed=%v after %d attempt(s), reason %q; want failed at once for a blocked instance", p.name, failed, attempts, reason)
	}
	for _, uri := range posts {
		if _, err := p.Service.PostByURI(ctx, uri); !errors.Is(err, forum.ErrNotFound) {
			t.Errorf("%s: post %s stored (err %v)", p.name, uri, err)
		}
	}
}

// TestBlockedReplyChain: an unblocked peer replies to a post whose origin
// is blocked — the host itself, a subdomain of it, or an unblocked URL
// that redirects there. The node sends no request to the blocked host,
// stores neither post, shows and announces nothing, and fails the reply at
// once with its reason.
func TestBlockedReplyChain(t *testing.T) {
	ctx := context.Background()
	r := startBlockRig(t)
	block(t, r.hub, "bad.example")
	outboxBefore, err := r.hub.DB.Store().CountOutbox(ctx, r.forumURI())
	if err != nil {
		t.Fatal(err)
	}
	moved := r.good.url("/notes/moved")
	r.good.redirect("/notes/moved", r.bad.url("/notes/redirected"))
	tests := []struct {
		name   string
		origin *fakeServer // where the parent really is
		parent string
		author string
	}{
		{"parent on the blocked host", r.bad, r.bad.url("/notes/1"), r.bob},
		{"parent on a subdomain of the blocked host", r.sub, r.sub.url("/notes/1"), r.sam},
		{"parent behind a redirect to the blocked host", r.bad, moved, r.bob},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// On its origin, the parent is a question to the hub's forum:
			// fetched, it would become a thread.
			path := strings.TrimPrefix(tt.parent, tt.origin.base)
			if tt.parent == moved {
				path = "/notes/redirected"
			}
			tt.origin.put(path, r.note(tt.origin.url(path), tt.author, "", fmt.Sprintf("Blocked question %d", i)))
			before := tt.origin.requestCount()
			reply := r.good.url(fmt.Sprintf("/notes/reply-%d", i))
			act := r.create(r.note(reply, r.gina, tt.parent, fmt.Sprintf("Unblocked reply %d", i)), reply, r.gina)
			if st := r.good.send(delivery{KeyID: r.gina + "#main-key", Inbox: r.hub.URLs.SharedInbox(), Body: act}); st != http.StatusAccepted {
				t.Fatalf("delivery: %d", st)
			}
			settled(t, r.hub)
			if got := tt.origin.requestCount() - before; got != 0 {
				t.Errorf("the blocked host received %d request(s), want 0", got)
			}
			refusedForBlock(t, r.hub, reply+"/activity", reply, tt.origin.url(path), tt.parent)
			forumPage := page(t, r.hub.URLs.Forum(r.f.Slug))
			if strings.Contains(forumPage, "Blocked question") || strings.Contains(forumPage, "Unblocked reply") {
				t.Errorf("the forum page shows the blocked conversation:\n%s", forumPage)
			}
			if n, err := r.hub.DB.Store().CountOutbox(ctx, r.forumURI()); err != nil || n != outboxBefore {
				t.Errorf("the forum's outbox holds %d activities, had %d (err %v): something was announced", n, outboxBefore, err)
			}
		})
	}
}

// TestBlockedAnnounce: the hub, which doesn't block bad.example, stores a
// question from it and announces it to the city, which does. The city
// refuses the Announce without asking bad.example for the post; and once
// the hub blocks bad.example too, an unblocked peer's reply to the stored
// question is refused there, not stored or announced.
func TestBlockedAnnounce(t *testing.T) {
	ctx := context.Background()
	r := startBlockRig(t)
	block(t, r.city, "bad.example")
	q := r.bad.url("/notes/q")
	question := r.note(q, r.bob, "", "A question from a blocked instance")
	r.bad.put("/notes/q", question)
	if st := r.bad.send(delivery{KeyID: r.bob + "#main-key", Inbox: r.hub.URLs.SharedInbox(), Body: r.create(question, q, r.bob)}); st != http.StatusAccepted {
		t.Fatalf("delivery to the hub: %d", st)
	}
	settled(t, r.hub)
	if _, err := r.hub.Service.PostByURI(ctx, q); err != nil {
		t.Fatalf("the hub (no block) did not store the question: %v", err)
	}
	// The forum's Accept of the city's follow, then its Announce.
	var failed bool
	var reason string
	testrig.Eventually(t, "the city applies the hub's Announce", func() (bool, string) {
		var n int
		if err := r.city.DB.Bun().QueryRowContext(ctx, "SELECT count(*) FROM inbox_items WHERE actor_uri = ? AND (processed_at IS NOT NULL OR failed_at IS NOT NULL)",
			r.forumURI()).Scan(&n); err != nil || n < 2 {
			return false, fmt.Sprintf("%d applied, err %v", n, err)
		}
		return true, ""
	})
	if err := r.city.DB.Bun().QueryRowContext(ctx, "SELECT failed_at IS NOT NULL, last_error FROM inbox_items WHERE actor_uri = ? ORDER BY received_at DESC LIMIT 1",
		r.forumURI()).Scan(&failed, &reason); err != nil {
		t.Fatal(err)
	}
	if !failed || !strings.Contains(reason, "blocked") {
		t.Errorf("the Announce: failed=%v, reason %q; want failed for the block", failed, reason)
	}
	if n := r.bad.requestsFrom(r.city.URLs.Base()); n != 0 {
		t.Errorf("the city sent %d request(s) to the blocked host", n)
	}
	if _, err := r.city.Service.PostByURI(ctx, q); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("the city stored the blocked instance's question (err %v)", err)
	}

	// Before the hub blocks bad.example, an unblocked peer answers the
	// question: the answer is stored, on the unblocked host.
	send := func(id, inReplyTo, text string) {
		t.Helper()
		if st := r.good.send(delivery{KeyID: r.gina + "#main-key", Inbox: r.hub.URLs.SharedInbox(),
			Body: r.create(r.note(id, r.gina, inReplyTo, text), id, r.gina)}); st != http.StatusAccepted {
			t.Fatalf("delivery: %d", st)
		}
		settled(t, r.hub)
	}
	answer := r.good.url("/notes/answer")
	send(answer, q, "An answer from before the block")
	if _, err := r.hub.Service.PostByURI(ctx, answer); err != nil {
		t.Fatalf("the answer from before the block: %v", err)
	}
	// Its Announce (of the Create) is published after it is applied: wait
	// for it, so that the count below starts from it.
	testrig.Eventually(t, "the forum announces the answer from before the block", func() (bool, string) {
		var n int
		err := r.hub.DB.Bun().QueryRowContext(ctx, "SELECT count(*) FROM outbox_activities WHERE actor_uri = ? AND type = 'Announce' AND object_uri = ?",
			r.forumURI(), answer+"/activity").Scan(&n)
		return err == nil && n == 1, fmt.Sprintf("%d Announce(s) of it, err %v", n, err)
	})

	// The hub blocks bad.example. Replies to the stored question, and to
	// the unblocked answer under it, are refused: nothing is added to the
	// blocked conversation, nor announced.
	block(t, r.hub, "bad.example")
	outboxBefore, err := r.hub.DB.Store().CountOutbox(ctx, r.forumURI())
	if err != nil {
		t.Fatal(err)
	}
	before := r.bad.requestCount()
	for i, parent := range []string{q, answer} {
		reply := r.good.url(fmt.Sprintf("/notes/late-reply-%d", i))
		send(reply, parent, "A reply after the block")
		refusedForBlock(t, r.hub, reply+"/activity", reply)
	}
	if n, err := r.hub.DB.Store().CountOutbox(ctx, r.forumURI()); err != nil || n != outboxBefore {
		t.Errorf("the forum's outbox holds %d activities, had %d (err %v): a reply was announced", n, outboxBefore, err)
	}
	if got := r.bad.requestCount() - before; got != 0 {
		t.Errorf("the blocked host received %d request(s)", got)
	}
}

// TestBlockedMentions: a member mentions accounts the node must not reach.
// A handle resolved before its instance was blocked stays plain text (no
// link, no Mention tag, nothing sent there); a handle on an unblocked host
// whose WebFinger answer redirects to the blocked host is not followed
// there.
func TestBlockedMentions(t *testing.T) {
	ctx := context.Background()
	r := startBlockRig(t)
	bobAt := "bob@" + r.bad.host()
	if err := r.hub.DB.Store().SaveActorHandle(ctx, &federation.ActorHandle{Acct: bobAt, ActorURI: r.bob, ResolvedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	block(t, r.hub, "bad.example")
	r.good.redirect("/.well-known/webfinger", r.bad.url("/.well-known/webfinger"))
	ginaAt := "gina@" + r.good.host()
	before := r.bad.requestCount()
	th, err := r.hub.Service.Ask(ctx, r.asker, r.f.ID, forum.Question{Title: "Who runs your open data portal?", Language: "en",
		Body: fmt.Sprintf("Asking @%s and @%s.", bobAt, ginaAt)})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "the question reaches the city", r.hub.URLs.Thread(th.ID), r.hub, r.city)
	if got := r.bad.requestCount() - before; got != 0 {
		t.Errorf("the blocked host received %d request(s), want 0", got)
	}
	if r.good.requestCount() == 0 {
		t.Error("the unblocked host was not asked for the handle's WebFinger")
	}
	onHub, err := r.hub.Service.Post(ctx, th.RootPostID)
	if err != nil {
		t.Fatal(err)
	}
	onCity, err := r.city.Service.PostByURI(ctx, r.hub.URLs.Thread(th.ID))
	if err != nil {
		t.Fatal(err)
	}
	for _, html := range []string{onHub.HTML, onCity.HTML} {
		if strings.Contains(html, r.bob) || !strings.Contains(html, "@"+bobAt) {
			t.Errorf("the mention of an account on a blocked instance is linked (or lost): %s", html)
		}
	}
}

// TestBlockedSubdomain: blocking bad.example blocks x.bad.example. Its
// signed requests are refused at the door (403) before its key is
// fetched, and a follower it had before the block receives nothing more.
func TestBlockedSubdomain(t *testing.T) {
	ctx := context.Background()
	r := startBlockRig(t)
	follow := fmt.Sprintf(`{"@context": "https://www.w3.org/ns/activitystreams", "id": %q, "type": "Follow", "actor": %q, "object": %q}`,
		r.sub.url("/follows/1"), r.sam, r.forumURI())
	if st := r.sub.send(delivery{KeyID: r.sam + "#main-key", Inbox: r.hub.URLs.SharedInbox(), Body: follow}); st != http.StatusAccepted {
		t.Fatalf("follow: %d", st)
	}
	testrig.Eventually(t, "the subdomain's follower is accepted", func() (bool, string) {
		return len(r.sub.receivedAt("", "Accept")) == 1, "no Accept yet"
	})
	block(t, r.hub, "bad.example")
	before := r.sub.requestCount()

	// The door.
	like := fmt.Sprintf(`{"@context": "https://www.w3.org/ns/activitystreams", "id": %q, "type": "Follow", "actor": %q, "object": %q}`,
		r.sub.url("/follows/2"), r.sub.url("/users/other"), r.forumURI())
	if st := r.sub.send(delivery{KeyID: r.sub.url("/users/other#main-key"), Inbox: r.hub.URLs.SharedInbox(), Body: like}); st != http.StatusForbidden {
		t.Errorf("a signed request from a subdomain of a blocked domain: %d, want 403", st)
	}

	// Deliveries: the forum's next question goes to the city, not to the
	// blocked subdomain's follower.
	th := r.hub.ask(t, r.asker, r.f, "Broadband maps?", "Who has one?")
	same(t, "the question reaches the city", r.hub.URLs.Thread(th.ID), r.hub, r.city)
	testrig.Eventually(t, "the hub's deliveries are settled", func() (bool, string) {
		st, err := r.hub.DB.Store().DeliveryStats(ctx)
		return err == nil && st.Pending == 0, fmt.Sprintf("%+v %v", st, err)
	})
	if got := r.sub.requestCount() - before; got != 0 {
		t.Errorf("the blocked subdomain received %d request(s) after the block, want 0", got)
	}
}

// TestBlockedJoin: joining a forum on a blocked instance, by URL or by
// handle, sends nothing there and says why.
func TestBlockedJoin(t *testing.T) {
	ctx := context.Background()
	r := startBlockRig(t)
	block(t, r.city, "bad.example")
	r.bad.actor(fakeActor{Path: "/groups/forum", Type: "Group", Username: "forum", Name: "A blocked forum", KeyID: "#main-key"})
	for _, target := range []string{r.bad.url("/groups/forum"), "@forum@" + r.sub.host()} {
		_, err := r.city.Federation.Join(ctx, forum.SystemActor(), target)
		if !errors.Is(err, fedfetch.ErrBlocked) {
			t.Errorf("join %s: %v, want fedfetch.ErrBlocked", target, err)
		}
	}
	if n := r.bad.requestCount() + r.sub.requestCount(); n != 0 {
		t.Errorf("the blocked instance received %d request(s), want 0", n)
	}
}

// TestBlockedBackfill: a city that blocked bad.example joins a forum that
// holds a question from it. The backfill stores the forum's other
// questions, not that one, and asks bad.example for nothing.
func TestBlockedBackfill(t *testing.T) {
	ctx := context.Background()
	r := startBlockRigUnjoined(t)
	block(t, r.city, "bad.example")
	ask := func(title string) string {
		th, err := r.hub.Service.Ask(ctx, r.asker, r.f.ID, forum.Question{Title: title, Body: "Tell us.", Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		return r.hub.URLs.Thread(th.ID)
	}
	first := ask("Before the blocked question")
	q := r.bad.url("/notes/q")
	// A Page (a Lemmy post), as the backfill takes questions.
	question := strings.Replace(r.note(q, r.bob, "", "A question from a blocked instance"), `"type": "Note"`,
		`"type": "Page", "name": "A blocked question"`, 1)
	r.bad.put("/notes/q", question)
	if st := r.bad.send(delivery{KeyID: r.bob + "#main-key", Inbox: r.hub.URLs.SharedInbox(), Body: r.create(question, q, r.bob)}); st != http.StatusAccepted {
		t.Fatalf("delivery to the hub: %d", st)
	}
	settled(t, r.hub)
	if _, err := r.hub.Service.PostByURI(ctx, q); err != nil {
		t.Fatalf("the hub (no block) did not store the question: %v", err)
	}
	last := ask("After the blocked question")
	r.join(t)
	// The backfill reads the forum's outbox in one pass: once the questions
	// on either side of the blocked one are stored, it has been seen.
	testrig.Eventually(t, "the city backfills the forum", func() (bool, string) {
		_, err1 := r.city.threadOn(first)
		_, err2 := r.city.threadOn(last)
		return err1 == nil && err2 == nil, fmt.Sprintf("%v / %v", err1, err2)
	})
	if _, err := r.city.Service.PostByURI(ctx, q); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("the city stored the blocked instance's question (err %v)", err)
	}
	if n := r.bad.requestsFrom(r.city.URLs.Base()); n != 0 {
		t.Errorf("the city sent %d request(s) to the blocked host", n)
	}
}

// TestBlockedDoorNames: at the inbox, a signature whose key is on a
// blocked instance is refused (403) before the key is fetched, however the
// host is written: a subdomain, upper case, an internationalised name in
// Unicode when the block is written in punycode (as `agora admin block`
// takes it).
func TestBlockedDoorNames(t *testing.T) {
	r := startBlockRigUnjoined(t)
	block(t, r.hub, "bad.example")
	block(t, r.hub, "xn--bd-via.example") // bäd.example
	_, port, _ := net.SplitHostPort(r.bad.host())
	for i, host := range []string{"x.bad.example", "X.BAD.EXAMPLE", "BÄD.example", "x.bäd.example"} {
		t.Run(host, func(t *testing.T) {
			actor := "http://" + net.JoinHostPort(host, port) + "/users/eve"
			follow := fmt.Sprintf(`{"@context": "https://www.w3.org/ns/activitystreams", "id": %q, "type": "Follow", "actor": %q, "object": %q}`,
				fmt.Sprintf("%s/follows/%d", actor, i), actor, r.forumURI())
			before := r.bad.requestCount()
			if st := r.bad.send(delivery{KeyID: actor + "#main-key", Inbox: r.hub.URLs.SharedInbox(), Body: follow}); st != http.StatusForbidden {
				t.Errorf("signed by %s: %d, want 403", host, st)
			}
			if got := r.bad.requestCount() - before; got != 0 {
				t.Errorf("the blocked host received %d request(s) (key fetch), want 0", got)
			}
		})
	}
}
