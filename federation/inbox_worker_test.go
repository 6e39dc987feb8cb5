package federation_test

// The inbox worker after the 202: nothing a peer sends stops the node, and
// a slow host delays only the activities that wait on it.

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
)

// workerEnv is a running node with a local question, a peer that sends
// replies, and a host that answers nothing for 40 s.
type workerEnv struct {
	*secEnv
	slow *slowHost
}

func newWorkerEnv(t *testing.T) *workerEnv {
	t.Helper()
	ctx := context.Background()
	n := secStartNode(t, false)
	peer := startSecPeer(t, "127.0.0.2:0")
	admin := n.member(t, "secretariat", forum.RoleAdmin)
	fo, err := n.Service.CreateForum(ctx, forum.SystemActor(), forum.ForumInput{Slug: "digitalisation", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Digitalisation"}}})
	if err != nil {
		t.Fatal(err)
	}
	q, err := n.Service.Ask(ctx, admin, fo.ID, forum.Question{Title: "Has Covid-19 been a turning point for internet access?",
		Body: "Tell us.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	return &workerEnv{
		secEnv: &secEnv{node: n, peer: peer, threadID: q.ID, threadURI: n.URLs.Thread(q.ID), forumURI: n.URLs.Forum("digitalisation")},
		slow:   startSlowHost(t, "127.0.0.4:0", 40*time.Second),
	}
}

// slowHost accepts connections and answers every request only after
// delay (or when the test ends), as an overloaded or hostile server does.
type slowHost struct {
	base     string
	requests atomic.Int64
}

func startSlowHost(t *testing.T, addr string, delay time.Duration) *slowHost {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	h := &slowHost{base: "http://" + ln.Addr().String()}
	done := make(chan struct{})
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.requests.Add(1)
		select {
		case <-time.After(delay):
		case <-done:
		case <-r.Context().Done():
		}
		http.NotFound(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		close(done)
		_ = srv.Close()
	})
	return h
}

// reply sends a signed Create{Note} by a fresh actor of the peer,
// answering inReplyTo, and returns the note's id.
func (x *workerEnv) reply(t *testing.T, inReplyTo string, edit func(note map[string]any)) string {
	t.Helper()
	a := x.fresh()
	actor := x.peer.actor(a)
	noteID := x.peer.base + "/notes/" + secUnique("note")
	note := secNote(noteID, actor, inReplyTo, "Connectivity became essential.")
	note["cc"] = []any{x.forumURI}
	note["audience"] = x.forumURI
	if edit != nil {
		edit(note)
	}
	act := secActivity(x.peer, "Create", actor, note)
	if got := x.node.send(t, x.signedAs(t, a, act)); got != http.StatusAccepted {
		t.Fatalf("reply answered %d, want 202", got)
	}
	return noteID
}

// Three replies whose parents live on a host that answers after 40 s, then
// one reply to the node's own question: the last is applied at once. A
// worker applying one activity at a time made it wait for the slow host
// (about a minute for three).
func TestSlowParentsDelayOnlyTheirReplies(t *testing.T) {
	x := newWorkerEnv(t)
	var slowReplies []string
	for i := range 3 {
		parent := x.slow.base + "/notes/parent-" + string(rune('a'+i))
		slowReplies = append(slowReplies, x.reply(t, parent, nil))
	}
	secWait(t, "the worker asks the slow host for the three parents", func() (bool, string) {
		return x.slow.requests.Load() >= 3, ""
	})
	start := time.Now()
	unrelated := x.reply(t, x.threadURI, nil)
	for !x.node.postStored(t, unrelated) {
		if time.Since(start) > 2*time.Second {
			t.Fatalf("an unrelated reply waited %v behind replies to a slow host", time.Since(start))
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("unrelated reply applied in %v while %d requests wait on the slow host", time.Since(start), x.slow.requests.Load())
	for _, id := range slowReplies {
		if x.node.postStored(t, id) {
			t.Errorf("reply %s stored although its parent never came", id)
		}
	}
}

// A reply dated before 1970 — and one whose missing parent, fetched from
// its origin, is dated 1900 — once panicked the node for good (the item
// stayed stored and crashed it again after each restart). They are stored,
// dated when they arrived, and the node goes on serving.
func TestPreEpochDatesDoNotStopTheNode(t *testing.T) {
	x := newWorkerEnv(t)
	old := x.reply(t, x.threadURI, func(note map[string]any) { note["published"] = "1969-12-31T23:59:59Z" })
	path := "/notes/" + secUnique("parent")
	parent := x.peer.base + path
	note := secNote(parent, x.peer.actor("ana"), x.threadURI, "An old parent.")
	note["published"] = "1900-06-01T00:00:00Z"
	note["cc"] = []any{x.forumURI}
	x.peer.putNote(path, note)
	child := x.reply(t, parent, nil)
	for _, id := range []string{old, parent, child} {
		secWait(t, "stored: "+id, func() (bool, string) { return x.node.postStored(t, id), "" })
	}
	resp, err := http.Get(x.node.base + "/t/" + x.threadID)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("thread page answered %d after pre-1970 posts", resp.StatusCode)
	}
}

// A panic while applying an item fails that item with the panic as its
// reason; the worker is not stopped and the next item is applied.
func TestPanicWhileApplyingFailsTheItem(t *testing.T) {
	x := newWorkerEnv(t)
	hooks := federation.HooksOf(x.node.Federation)
	ctx := context.Background()
	// Due in an hour, so the running worker leaves it to this test.
	now := time.Now().UTC()
	item := &federation.InboxItem{ID: forum.NewULIDs(forum.SystemClock{}, nil).New(), ActivityID: x.peer.base + "/activities/boom",
		ActorURI: x.peer.actor("ana"), Body: []byte(`{}`), ReceivedAt: now, NextAttemptAt: now.Add(time.Hour)}
	if err := x.node.DB.Store().AddInboxItem(ctx, item); err != nil {
		t.Fatal(err)
	}
	recorded := hooks.ProcessWith(ctx, item, func(context.Context, *federation.InboxItem) error {
		var m map[string]int
		m["boom"]++ // assignment to a nil map: a real runtime panic
		return nil
	})
	if !recorded {
		t.Fatal("the outcome of a panicking item was not recorded")
	}
	if ok, state := x.node.inboxSettled(t, item.ActivityID); !ok || !strings.Contains(state, "failed=true") || !strings.Contains(state, "panic") {
		t.Fatalf("after a panic the item is %s; want failed with the panic as reason", state)
	}
	// The running worker goes on with the next activity.
	id := x.reply(t, x.threadURI, nil)
	secWait(t, "a reply after the panic is applied", func() (bool, string) { return x.node.postStored(t, id), "" })
}

// Fetch failures that no retry can mend fail the item at once: retrying
// would only fetch the attacker's URL again, eight times.
func TestPermanentFetchFailuresAreNotRetried(t *testing.T) {
	x := newWorkerEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.6:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	var hits atomic.Int64
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		note := `{"type":"Note","attributedTo":"` + base + `/users/ana","content":"x","to":["` + secPublic + `"],"id":"`
		switch r.URL.Path {
		case "/mismatch":
			w.Header().Set("Content-Type", "application/activity+json")
			_, _ = w.Write([]byte(note + base + `/elsewhere"}`))
		case "/html":
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<p>not a document</p>"))
		case "/big":
			w.Header().Set("Content-Type", "application/activity+json")
			_, _ = w.Write([]byte(note + base + `/big","padding":"` + strings.Repeat("x", 2<<20) + `"}`))
		default: // /loop/…: redirects for ever
			http.Redirect(w, r, "/loop"+r.URL.Path, http.StatusFound)
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	for _, tc := range []struct{ name, parent string }{
		{"document id is not its URL", base + "/mismatch"},
		{"not an ActivityPub content type", base + "/html"},
		{"body over 1 MiB", base + "/big"},
		{"too many redirects", base + "/loop/a"},
		{"private address", "http://10.1.2.3/notes/1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := hits.Load()
			a := x.fresh()
			actor := x.peer.actor(a)
			note := secNote(x.peer.base+"/notes/"+secUnique("note"), actor, tc.parent, "A reply.")
			act := secActivity(x.peer, "Create", actor, note)
			if got := x.node.send(t, x.signedAs(t, a, act)); got != http.StatusAccepted {
				t.Fatalf("answered %d, want 202", got)
			}
			var state string
			secWait(t, "the reply is settled", func() (bool, string) {
				var ok bool
				ok, state = x.node.inboxSettled(t, secID(act))
				return ok, state
			})
			if !strings.Contains(state, "failed=true") || !strings.Contains(state, "attempts=0") {
				t.Fatalf("item is %s; want failed on its first attempt", state)
			}
			if n := hits.Load() - before; n > 5 {
				t.Errorf("%d requests to the hostile host for one reply", n)
			}
		})
	}
}
