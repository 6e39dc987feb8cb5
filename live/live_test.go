package live

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
)

func TestLocalBroker(t *testing.T) {
	b := NewLocal()
	ctx := context.Background()
	one, stopOne := b.Subscribe(ctx, "thread:1")
	two, stopTwo := b.Subscribe(ctx, "thread:2")
	defer stopTwo()
	_ = b.Publish(ctx, Message{Topic: "thread:1", ID: "e1"})
	if m := <-one; m.ID != "e1" {
		t.Fatalf("got %+v", m)
	}
	if len(two) != 0 {
		t.Fatal("another topic's subscriber got the message")
	}
	stopOne()
	if _, open := <-one; open {
		t.Fatal("channel open after cancel")
	}
	if n := b.Subscribers("thread:1"); n != 0 {
		t.Fatalf("%d subscribers left", n)
	}
	// A slow subscriber loses messages instead of blocking publishers.
	for range subscriberBuffer + 5 {
		_ = b.Publish(ctx, Message{Topic: "thread:2"})
	}
	if len(two) != subscriberBuffer {
		t.Fatalf("buffered %d, want %d", len(two), subscriberBuffer)
	}
	// Cancelling the context ends the subscription.
	cctx, cancel := context.WithCancel(ctx)
	three, _ := b.Subscribe(cctx, "thread:3")
	cancel()
	select {
	case _, open := <-three:
		if open {
			t.Fatal("message on a cancelled subscription")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("subscription not ended with its context")
	}
}

func TestFeedPublishesNewAnswersOnce(t *testing.T) {
	start := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	now := start
	ids := forum.NewULIDs(clockFunc(func() time.Time { return now }), nil)
	old := &forum.Event{ID: ids.NewAt(start.Add(-time.Minute)), Kind: forum.EventPostCreated, ThreadID: "t", PostID: "old"}
	var mu sync.Mutex
	var events []*forum.Event
	setEvents := func(es ...*forum.Event) { mu.Lock(); events = es; mu.Unlock() }
	list := func(_ context.Context, after forum.ID, limit int) ([]*forum.Event, error) {
		mu.Lock()
		defer mu.Unlock()
		var out []*forum.Event
		for _, e := range append([]*forum.Event{old}, events...) {
			if e.ID > after && len(out) < limit {
				out = append(out, e)
			}
		}
		return out, nil
	}
	b := NewLocal()
	msgs, stop := b.Subscribe(context.Background(), ThreadTopic("t"))
	defer stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &Feed{Events: list, Broker: b, Logger: slog.New(slog.DiscardHandler), Poll: 10 * time.Millisecond, Now: func() time.Time { return now }}
	go f.Run(ctx)
	// An answer, an edit (not published) and an answer whose event ID is
	// older than one already seen (a transaction that committed late).
	first := &forum.Event{ID: ids.NewAt(start.Add(2 * time.Second)), Kind: forum.EventPostCreated, ThreadID: "t", PostID: "p1", CreatedAt: start}
	edit := &forum.Event{ID: ids.NewAt(start.Add(3 * time.Second)), Kind: forum.EventPostEdited, ThreadID: "t", PostID: "p1", CreatedAt: start}
	late := &forum.Event{ID: ids.NewAt(start.Add(time.Second)), Kind: forum.EventPostCreated, ThreadID: "t", PostID: "p2", CreatedAt: start}
	setEvents(first, edit)
	got := map[string]int{}
	read := func() {
		select {
		case m := <-msgs:
			got[string(m.Data)]++
		case <-time.After(2 * time.Second):
			t.Fatal("no message within 2 s")
		}
	}
	read()
	setEvents(late, first, edit)
	read()
	time.Sleep(100 * time.Millisecond) // more polls: nothing published twice
	want := map[string]int{`{"post":"p1","thread":"t"}`: 1, `{"post":"p2","thread":"t"}`: 1}
	if len(msgs) != 0 || len(got) != 2 || got[`{"post":"p1","thread":"t"}`] != 1 || got[`{"post":"p2","thread":"t"}`] != 1 {
		t.Errorf("published %v (+%d queued), want %v; the old answer never", got, len(msgs), want)
	}
}

type clockFunc func() time.Time

func (c clockFunc) Now() time.Time { return c() }
