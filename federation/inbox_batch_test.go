package federation_test

// Applying received activities in batches: one transaction for many, the
// same outcome as one by one.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
)

// A batch of replies from known actors is applied and recorded in one
// transaction: every reply stored, the thread counting each once, every
// item done. In the same batch a malformed activity is refused, a second
// Create of a note already stored changes nothing, and a reply whose actor
// the node has never met (it needs a fetch) is left to be applied alone —
// with nothing of it written — and then applied alone.
func TestBatchAppliesRepliesInOneTransaction(t *testing.T) {
	x := newWorkerEnv(t)
	ctx := context.Background()
	hooks := federation.HooksOf(x.node.Federation)
	// Known actors: each has had a reply applied the usual way.
	known := []string{x.fresh(), x.fresh(), x.fresh()}
	for _, a := range known {
		x.replyAs(t, a)
	}
	before := x.replyCount(t)

	ids := forum.NewULIDs(forum.SystemClock{}, nil)
	now := time.Now().UTC()
	// Due in an hour: the running worker leaves them to this test.
	item := func(actor string, body []byte, activityID string) *federation.InboxItem {
		it := &federation.InboxItem{ID: ids.New(), ActivityID: activityID, ActorURI: actor, Body: body,
			ReceivedAt: now, NextAttemptAt: now.Add(time.Hour)}
		if err := x.node.DB.Store().AddInboxItem(ctx, it); err != nil {
			t.Fatal(err)
		}
		return it
	}
	create := func(name string) (*federation.InboxItem, string) {
		actor := x.peer.actor(name)
		noteID := x.peer.base + "/notes/" + secUnique("note")
		note := secNote(noteID, actor, x.threadURI, "Connectivity became essential.")
		note["cc"] = []any{x.forumURI}
		act := secActivity(x.peer, "Create", actor, note)
		return item(actor, secJSON(t, act), secID(act)), noteID
	}
	var batch []*federation.InboxItem
	var notes []string
	for i := range 6 {
		it, note := create(known[i%len(known)])
		batch = append(batch, it)
		notes = append(notes, note)
	}
	// The first note again, in another activity.
	dupNote := secNote(notes[0], x.peer.actor(known[0]), x.threadURI, "Connectivity became essential.")
	dupNote["cc"] = []any{x.forumURI}
	dupAct := secActivity(x.peer, "Create", x.peer.actor(known[0]), dupNote)
	dup := item(x.peer.actor(known[0]), secJSON(t, dupAct), secID(dupAct))
	malformed := item(x.peer.actor(known[1]), []byte(`{"type":"Create"}`), x.peer.base+"/activities/"+secUnique("bad"))
	stranger, strangerNote := create(x.fresh())
	batch = append(batch, dup, malformed, stranger)

	out := hooks.ApplyBatch(ctx, batch)
	if len(out.Alone) != 1 || out.Alone[0].ID != stranger.ID {
		t.Fatalf("left to apply alone: %v; want only the unknown actor's reply", activityIDs(out.Alone))
	}
	if len(out.Recorded) != len(batch)-1 {
		t.Fatalf("recorded %d items, want %d", len(out.Recorded), len(batch)-1)
	}
	for _, n := range notes {
		if !x.node.postStored(t, n) {
			t.Errorf("reply %s not stored", n)
		}
	}
	if x.node.postStored(t, strangerNote) {
		t.Error("the reply left to apply alone was stored by the batch")
	}
	if got := x.replyCount(t); got != before+len(notes) {
		t.Errorf("thread counts %d replies, want %d (+%d)", got, before+len(notes), len(notes))
	}
	for _, it := range append(batch[:6:6], dup) {
		if ok, state := x.node.inboxSettled(t, it.ActivityID); !ok || !strings.Contains(state, "processed=true") {
			t.Errorf("item %s is %s; want processed", it.ActivityID, state)
		}
	}
	if ok, state := x.node.inboxSettled(t, malformed.ActivityID); !ok || !strings.Contains(state, "failed=true") {
		t.Errorf("malformed item is %s; want failed", state)
	}
	if ok, state := x.node.inboxSettled(t, stranger.ActivityID); ok {
		t.Errorf("the item left to apply alone is settled (%s)", state)
	}
	// Alone, it fetches its actor and is applied.
	if !hooks.Process(ctx, stranger) {
		t.Fatal("the unknown actor's reply was not recorded when applied alone")
	}
	if !x.node.postStored(t, strangerNote) {
		t.Error("the unknown actor's reply is not stored after applying it alone")
	}
	if got := x.replyCount(t); got != before+len(notes)+1 {
		t.Errorf("thread counts %d replies, want %d", got, before+len(notes)+1)
	}
}

// replyAs sends a reply by the peer's actor name and waits for it.
func (x *workerEnv) replyAs(t *testing.T, name string) {
	t.Helper()
	actor := x.peer.actor(name)
	noteID := x.peer.base + "/notes/" + secUnique("note")
	note := secNote(noteID, actor, x.threadURI, "Connectivity became essential.")
	note["cc"] = []any{x.forumURI}
	act := secActivity(x.peer, "Create", actor, note)
	if got := x.node.send(t, x.signedAs(t, name, act)); got != 202 {
		t.Fatalf("reply answered %d, want 202", got)
	}
	secWait(t, "reply stored", func() (bool, string) { return x.node.postStored(t, noteID), "" })
}

func (x *workerEnv) replyCount(t *testing.T) int {
	t.Helper()
	th, err := x.node.DB.Store().ThreadByID(context.Background(), x.threadID)
	if err != nil {
		t.Fatal(err)
	}
	return th.ReplyCount
}

func activityIDs(items []*federation.InboxItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.ActivityID)
	}
	return out
}

// A batch holds the write transaction (on SQLite, the database's only
// write lock), so it must never wait for an actor fetch that another item,
// applied alone, has in flight: that fetch ends by storing the actor, a
// write that waits for the batch. Here the peer keeps the stranger's actor
// document in flight while a batch applies a reply by a known actor and
// one by the stranger: the batch ends at once, leaving the stranger's
// reply to be applied alone, and the fetch then completes and its item is
// applied. A batch that joined the in-flight fetch (the actor cache merges
// concurrent fetches of one URL) waited for it as long as the peer took,
// and on SQLite the fetch's write then waited for the batch.
func TestBatchDoesNotWaitOnAnInFlightActorFetch(t *testing.T) {
	x := newWorkerEnv(t)
	ctx := context.Background()
	hooks := federation.HooksOf(x.node.Federation)
	known := x.fresh()
	x.replyAs(t, known)
	stranger := x.fresh()
	release := x.peer.hold(t, "/users/"+stranger)

	ids := forum.NewULIDs(forum.SystemClock{}, nil)
	now := time.Now().UTC()
	reply := func(name string) (*federation.InboxItem, string) {
		actor := x.peer.actor(name)
		noteID := x.peer.base + "/notes/" + secUnique("note")
		note := secNote(noteID, actor, x.threadURI, "Connectivity became essential.")
		note["cc"] = []any{x.forumURI}
		act := secActivity(x.peer, "Create", actor, note)
		// Due in an hour: the running worker leaves them to this test.
		it := &federation.InboxItem{ID: ids.New(), ActivityID: secID(act), ActorURI: actor, Body: secJSON(t, act),
			ReceivedAt: now, NextAttemptAt: now.Add(time.Hour)}
		if err := x.node.DB.Store().AddInboxItem(ctx, it); err != nil {
			t.Fatal(err)
		}
		return it, noteID
	}
	first, firstNote := reply(stranger)
	alone := make(chan bool, 1)
	go func() { alone <- hooks.Process(ctx, first) }()
	secWait(t, "the stranger's actor is being fetched", func() (bool, string) {
		return x.peer.fetches("/users/"+stranger) > 0, ""
	})

	byKnown, knownNote := reply(known)
	second, secondNote := reply(stranger)
	batched := make(chan federation.BatchOutcome, 1)
	go func() { batched <- hooks.ApplyBatch(ctx, []*federation.InboxItem{byKnown, second}) }()
	var out federation.BatchOutcome
	select {
	case out = <-batched:
	case <-time.After(5 * time.Second):
		release() // let the fetch end so the test can
		t.Fatal("the batch waited on the actor fetch in flight for another item")
	}
	if len(out.Recorded) != 1 || out.Recorded[0].ID != byKnown.ID {
		t.Errorf("recorded %v; want only the known actor's reply", activityIDs(out.Recorded))
	}
	if len(out.Alone) != 1 || out.Alone[0].ID != second.ID {
		t.Errorf("left to apply alone: %v; want the stranger's second reply", activityIDs(out.Alone))
	}
	if !x.node.postStored(t, knownNote) {
		t.Error("the known actor's reply was not stored by the batch")
	}

	release()
	select {
	case ok := <-alone:
		if !ok {
			t.Fatal("the stranger's first reply was not recorded once its actor came")
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the fetch in flight did not end after the batch")
	}
	if !x.node.postStored(t, firstNote) {
		t.Error("the stranger's first reply is not stored")
	}
	if !hooks.Process(ctx, second) || !x.node.postStored(t, secondNote) {
		t.Error("the stranger's second reply, applied alone, is not stored")
	}
}
