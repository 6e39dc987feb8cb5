package live

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
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
		return eventsAfter(append([]*forum.Event{old}, events...), after, limit), nil
	}
	listIDs := func(ctx context.Context, after forum.ID, limit int) ([]forum.ID, error) {
		es, err := list(ctx, after, limit)
		return idsOf(es), err
	}
	b := NewLocal()
	msgs, stop := b.Subscribe(context.Background(), ThreadTopic("t"))
	defer stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &Feed{Events: list, EventIDs: listIDs, Broker: b, Logger: slog.New(slog.DiscardHandler), Poll: 10 * time.Millisecond, Now: func() time.Time { return now }}
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

// eventsAfter is what the store lists: the events after an ID, in ID order.
func eventsAfter(all []*forum.Event, after forum.ID, limit int) []*forum.Event {
	sorted := slices.Clone(all)
	slices.SortFunc(sorted, func(a, b *forum.Event) int { return strings.Compare(string(a.ID), string(b.ID)) })
	var out []*forum.Event
	for _, e := range sorted {
		if e.ID > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out
}

func idsOf(es []*forum.Event) []forum.ID {
	ids := make([]forum.ID, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return ids
}

// TestFeedRereadsOnlyIDs: each poll looks back over the window for late
// commits, but reads whole events only from the first one it has not
// seen: a window of answers already published costs their IDs alone.
func TestFeedRereadsOnlyIDs(t *testing.T) {
	start := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	ids := forum.NewULIDs(clockFunc(func() time.Time { return start }), nil)
	var events []*forum.Event
	for i := range 50 {
		kind := forum.EventPostCreated
		if i%5 == 4 {
			kind = forum.EventPostEdited // not published, still seen
		}
		events = append(events, &forum.Event{ID: ids.NewAt(start.Add(time.Duration(i+1) * time.Millisecond)), Kind: kind,
			ThreadID: "t", PostID: forum.ID(fmt.Sprint("p", i)), CreatedAt: start})
	}
	var mu sync.Mutex
	rowsRead := 0
	list := func(_ context.Context, after forum.ID, limit int) ([]*forum.Event, error) {
		mu.Lock()
		defer mu.Unlock()
		out := eventsAfter(events, after, limit)
		rowsRead += len(out)
		return out, nil
	}
	listIDs := func(_ context.Context, after forum.ID, limit int) ([]forum.ID, error) {
		mu.Lock()
		defer mu.Unlock()
		return idsOf(eventsAfter(events, after, limit)), nil
	}
	b := &countingBroker{Broker: NewLocal(), topic: ThreadTopic("t")}
	f := &Feed{Events: list, EventIDs: listIDs, Broker: b, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return start }}
	seen := map[forum.ID]time.Time{}
	steps := []struct {
		name      string
		add       int // answers committed before the poll
		wantRows  int // whole events read by the poll
		published int // answers published so far
	}{
		{"first poll reads the window", 0, 50, 40},
		{"nothing new: IDs only", 0, 0, 40},
		{"again nothing new", 0, 0, 40},
		{"two new answers: those two", 2, 2, 42},
	}
	for _, st := range steps {
		mu.Lock()
		for i := range st.add {
			events = append(events, &forum.Event{ID: ids.NewAt(start.Add(time.Second + time.Duration(i)*time.Millisecond)),
				Kind: forum.EventPostCreated, ThreadID: "t", PostID: forum.ID(fmt.Sprint("new", i)), CreatedAt: start})
		}
		rowsRead = 0
		mu.Unlock()
		f.publishSince(context.Background(), "", seen)
		if published := b.published; rowsRead != st.wantRows || published != st.published {
			t.Errorf("%s: read %d events, published %d in all; want %d, %d", st.name, rowsRead, published, st.wantRows, st.published)
		}
	}
}

// countingBroker counts the messages published on one topic.
type countingBroker struct {
	Broker
	topic     string
	published int
}

func (b *countingBroker) Publish(ctx context.Context, m Message) error {
	if m.Topic == b.topic {
		b.published++
	}
	return b.Broker.Publish(ctx, m)
}

type clockFunc func() time.Time

func (c clockFunc) Now() time.Time { return c() }
