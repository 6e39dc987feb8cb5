package inbox

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
)

// gatedApplier applies every item alone, the first only once gate is
// closed, and records the order.
type gatedApplier struct {
	gate  chan struct{}
	mu    sync.Mutex
	order []string
}

func (a *gatedApplier) ApplyBatch(_ context.Context, items []*Queued) Outcome {
	return Outcome{Alone: items}
}

func (a *gatedApplier) ApplyAlone(_ context.Context, it *Item) bool {
	<-a.gate
	a.mu.Lock()
	defer a.mu.Unlock()
	a.order = append(a.order, it.ActivityID)
	return true
}

// A key's item claimed while an earlier one of the key waits in its lane,
// and the key has a queue of items applied alone, goes behind that one,
// not straight into the queue ahead of it (seen under the race detector in
// TestWorkerKeepsEachKeysOrder; here the steps are taken one by one).
func TestClaimedItemWaitsBehindItsLane(t *testing.T) {
	ctx := context.Background()
	item := func(n int) *Item {
		return &Item{ID: fmt.Sprintf("%03d", n), ActivityID: fmt.Sprintf("slow-%d", n),
			Body: []byte(`{"type":"Like","object":"slow"}`)}
	}
	st := &claimStore{}
	ap := &gatedApplier{gate: make(chan struct{})}
	w := NewWorker(Config{Settings: Settings{Workers: 16, Lanes: 1}, Store: st, Apply: ap, Poll: time.Hour,
		Clock: forum.SystemClock{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	lane := w.lanes[0]
	claim := func(its ...*Item) {
		st.mu.Lock()
		st.items = append(st.items, its...)
		st.mu.Unlock()
		w.claim(ctx)
	}

	claim(item(1))
	batch := w.takeBatch(ctx, lane) // slow-1 in a batch, being applied
	claim(item(2))                  // waits in the lane: the key has no queue yet
	out := ap.ApplyBatch(ctx, batch)
	w.mu.Lock() // the batch ends as runLane ends it: slow-1 to be applied alone
	for _, bi := range out.Alone {
		w.queueAlone(ctx, bi.Key, bi.Item)
	}
	w.mu.Unlock()
	claim(item(3)) // the key now has a queue; slow-2 still waits in the lane
	if b := w.takeBatch(ctx, lane); len(b) != 0 {
		t.Fatalf("the lane batched %d items of a key with a queue", len(b))
	}
	close(ap.gate)
	w.wg.Wait()
	if got, want := fmt.Sprint(ap.order), "[slow-1 slow-2 slow-3]"; got != want {
		t.Errorf("applied in the order %s, want %s", got, want)
	}
}
