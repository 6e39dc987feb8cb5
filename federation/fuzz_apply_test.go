package federation_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/forum"
)

// FuzzApplyReceived drives what the inbox worker does with an accepted
// activity — parse, checks, storing, events — against a real node and its
// store (SQLite), not only the parser: no input may panic. The sender's
// actor is known to the node, so inputs reach past the author lookup; the
// fetch budget is zero, so inputs that would fetch fail fast instead of
// waiting on the network.
//
//	go test ./federation/ -run '^$' -fuzz FuzzApplyReceived -fuzztime 60s
func FuzzApplyReceived(f *testing.F) {
	x := newFuzzEnv(f)
	ana := x.peer.actor("ana")
	seed := func(s string) {
		r := strings.NewReplacer("{ana}", ana, "{peer}", x.peer.base, "{thread}", x.threadURI, "{forum}", x.forumURI,
			"{public}", secPublic)
		f.Add([]byte(r.Replace(s)))
	}
	for _, s := range []string{
		// A reply, a question to the forum, an edit, a deletion, a like and
		// its undoing, a boost, a lock, a flag; then odd dates, a non-public
		// note, arrays where one value is expected, nulls.
		`{"@context":"https://www.w3.org/ns/activitystreams","id":"{peer}/a/1","type":"Create","actor":"{ana}","to":["{public}"],"cc":["{forum}"],"object":{"id":"{peer}/n/1","type":"Note","attributedTo":"{ana}","inReplyTo":"{thread}","content":"<p>hi</p>","to":["{public}"],"cc":["{forum}"],"published":"2026-01-01T00:00:00Z"}}`,
		`{"id":"{peer}/a/2","type":"Create","actor":"{ana}","object":{"id":"{peer}/n/2","type":"Page","name":"A question?","attributedTo":"{ana}","audience":"{forum}","to":["{forum}","{public}"],"content":"<p>q</p>","contentMap":{"es":"<p>p</p>"}}}`,
		`{"id":"{peer}/a/3","type":"Update","actor":"{ana}","object":{"id":"{peer}/n/1","type":"Note","attributedTo":"{ana}","inReplyTo":"{thread}","content":"<p>v2</p>","to":["{public}"],"updated":"2026-03-01T00:00:00Z"}}`,
		`{"id":"{peer}/a/4","type":"Delete","actor":"{ana}","object":{"id":"{peer}/n/1","type":"Tombstone"}}`,
		`{"id":"{peer}/a/5","type":"Like","actor":"{ana}","object":"{thread}"}`,
		`{"id":"{peer}/a/6","type":"Undo","actor":"{ana}","object":{"id":"{peer}/a/5","type":"Like","actor":"{ana}","object":"{thread}"}}`,
		`{"id":"{peer}/a/7","type":"Announce","actor":"{ana}","object":"{thread}"}`,
		`{"id":"{peer}/a/8","type":"Lock","actor":"{ana}","object":"{thread}"}`,
		`{"id":"{peer}/a/9","type":"Flag","actor":"{ana}","object":["{thread}"],"content":"spam"}`,
		`{"id":"{peer}/a/10","type":"Create","actor":"{ana}","object":{"id":"{peer}/n/3","type":"Note","attributedTo":"{ana}","inReplyTo":"{thread}","content":"old","to":["{public}"],"published":"1969-12-31T23:59:59Z","updated":"30000-01-01T00:00:00Z"}}`,
		`{"id":"{peer}/a/11","type":"Create","actor":"{ana}","object":{"id":"{peer}/n/4","type":"Note","attributedTo":"{ana}","inReplyTo":"{thread}","content":"direct","to":["{thread}"]}}`,
		`{"id":"{peer}/a/12","type":["Create"],"actor":["{ana}"],"object":[{"id":"{peer}/n/5","type":["Note"],"attributedTo":["{ana}"],"inReplyTo":["{thread}"],"content":null,"contentMap":{"en":null},"to":null}]}`,
		`{"id":"{peer}/a/13","type":"Follow","actor":"{ana}","object":"{forum}"}`,
		`{"id":"{peer}/a/14","type":"Update","actor":"{ana}","object":{"id":"{ana}","type":"Person","preferredUsername":"ana","attachment":[{"type":"PropertyValue","name":"Role","value":null}]}}`,
	} {
		seed(s)
	}
	hooks := federation.HooksOf(x.node.Federation)
	ids := forum.NewULIDs(forum.SystemClock{}, nil)
	f.Fuzz(func(t *testing.T, body []byte) {
		ctx, cancel := context.WithTimeout(fetch.WithBudget(context.Background(), 0), 10*time.Second)
		defer cancel()
		now := time.Now().UTC()
		it := &federation.InboxItem{ID: ids.New(), ActivityID: x.peer.base + "/fuzz/" + secUnique("a"), ActorURI: ana,
			Body: body, ReceivedAt: now, NextAttemptAt: now.Add(time.Hour)}
		if err := x.node.DB.Store().AddInboxItem(ctx, it); err != nil {
			t.Fatalf("store the item: %v", err)
		}
		err := hooks.Apply(ctx, it)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("applying took over 10 s with no fetch allowed: %v", err)
		}
	})
}

// newFuzzEnv is a node with a forum and a question, and a peer whose actor
// ana the node has met (a real signed reply, applied).
func newFuzzEnv(f *testing.F) *secEnv {
	ctx := context.Background()
	n := secStartNode(f, false)
	peer := startSecPeer(f, "127.0.0.2:0")
	admin := n.member(f, "secretariat", forum.RoleAdmin)
	fo, err := n.Service.CreateForum(ctx, forum.SystemActor(), forum.ForumInput{Slug: "digitalisation", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Digitalisation"}}})
	if err != nil {
		f.Fatal(err)
	}
	q, err := n.Service.Ask(ctx, admin, fo.ID, forum.Question{Title: "Has Covid-19 been a turning point?", Body: "Tell us.", Language: "en"})
	if err != nil {
		f.Fatal(err)
	}
	x := &secEnv{node: n, peer: peer, threadID: q.ID, threadURI: n.URLs.Thread(q.ID), forumURI: n.URLs.Forum("digitalisation")}
	ana := peer.actor("ana")
	note := secNote(peer.base+"/notes/"+secUnique("note"), ana, x.threadURI, "Hello.")
	act := secActivity(peer, "Create", ana, note)
	if got := n.send(f, secDelivery{body: secJSON(f, act), keyID: peer.keyID("ana"), key: secKeys().main}); got != http.StatusAccepted {
		f.Fatalf("first reply answered %d", got)
	}
	secWait(f, "ana's first reply is stored", func() (bool, string) { return n.postStored(f, secID(note)), "" })
	return x
}
