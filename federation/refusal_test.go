package federation_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
)

// TestInboxGiveUpIsKept: an activity that fails on every attempt (its
// actor's server does not answer) is kept as a refusal once its last
// attempt fails, with reason gave_up and the last error; until then it is
// retried, and nothing is kept.
func TestInboxGiveUpIsKept(t *testing.T) {
	n := secStartNode(t, false)
	ctx := context.Background()
	// A port nobody listens on: fetching the actor is refused each time.
	ln, err := net.Listen("tcp", "127.0.0.6:0")
	if err != nil {
		t.Fatal(err)
	}
	host := ln.Addr().String()
	ln.Close()
	actor := "http://" + host + "/users/gone"
	store := n.DB.Store()
	ids := forum.NewULIDs(forum.SystemClock{}, nil)
	add := func(i, attempts int) *federation.InboxItem {
		t.Helper()
		id := fmt.Sprintf("http://%s/activities/%d", host, i)
		body := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":%q,"type":"Create","actor":%q,
			"object":{"id":"http://%s/notes/%d","type":"Note","attributedTo":%q,"content":"<p>Hello</p>","to":[%q]}}`,
			id, actor, host, i, actor, secPublic)
		it := &federation.InboxItem{ID: ids.New(), ActivityID: id, ActorURI: actor, Body: []byte(body),
			ReceivedAt: time.Now(), Attempts: attempts, NextAttemptAt: time.Now()}
		if err := store.AddInboxItem(ctx, it); err != nil {
			t.Fatal(err)
		}
		return it
	}
	first := add(1, 0)                            // its first attempt: retried later
	last := add(2, federation.InboxMaxAttempts-1) // its last attempt
	secWait(t, "both attempted", func() (bool, string) {
		ok1, s1 := n.inboxSettled(t, first.ActivityID)
		ok2, s2 := n.inboxSettled(t, last.ActivityID)
		return ok1 && ok2, s1 + "; " + s2
	})
	var got []*federation.Refusal
	secWait(t, "the give-up kept", func() (bool, string) {
		got, err = n.Federation.Refusals(ctx, federation.RefusalQuery{Host: host})
		return err == nil && len(got) > 0, fmt.Sprint(len(got), err)
	})
	if len(got) != 1 {
		t.Fatalf("%d refusals, want 1 (the retried activity is not refused): %+v", len(got), got)
	}
	r := got[0]
	if r.ActivityID != last.ActivityID || r.ItemID != last.ID || r.Reason != federation.ReasonGaveUp || r.Type != "Create" ||
		r.Host != host || r.ActorURI != actor || !strings.Contains(r.Detail, "connection refused") {
		t.Errorf("refusal = %+v; want the last attempt's activity, gave_up, Create from %s, with the connection error", r, host)
	}
	if _, state := n.inboxSettled(t, last.ActivityID); !strings.Contains(state, "failed=true") {
		t.Errorf("given-up item: %s, want failed", state)
	}
	if _, state := n.inboxSettled(t, first.ActivityID); !strings.Contains(state, "failed=false") {
		t.Errorf("retried item: %s, want not failed", state)
	}
}

// TestInboxPanicIsKept: an item whose application panics is kept as a
// refusal with reason panic and the panic's value.
func TestInboxPanicIsKept(t *testing.T) {
	n := secStartNode(t, false)
	ctx := context.Background()
	now := time.Now().UTC()
	host := "127.0.0.7:1"
	item := &federation.InboxItem{ID: forum.NewULIDs(forum.SystemClock{}, nil).New(), ActivityID: "http://" + host + "/activities/boom",
		ActorURI: "http://" + host + "/users/ana", Body: []byte(`{"type":"Like"}`), ReceivedAt: now,
		NextAttemptAt: now.Add(time.Hour)} // due later: the running worker leaves it to this test
	if err := n.DB.Store().AddInboxItem(ctx, item); err != nil {
		t.Fatal(err)
	}
	recorded := federation.HooksOf(n.Federation).ProcessWith(ctx, item, func(context.Context, *federation.InboxItem) error {
		panic("ulid: time too big") // as forum.NewID once did on a pre-1970 date
	})
	if !recorded {
		t.Fatal("the outcome of a panicking item was not recorded")
	}
	got, err := n.Federation.Refusals(ctx, federation.RefusalQuery{Host: host})
	if err != nil || len(got) != 1 {
		t.Fatalf("refusals of %s: %d, %v; want 1", host, len(got), err)
	}
	if r := got[0]; r.Reason != federation.ReasonPanic || r.Type != "Like" || r.Detail != "panic while applying: ulid: time too big" {
		t.Errorf("refusal = %+v; want a panic of a Like, with the panic's value", r)
	}
}
