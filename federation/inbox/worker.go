package inbox

import (
	"context"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/metropolis/agora/federation/poll"
	"github.com/metropolis/agora/forum"
)

// Bounds of the worker.
const (
	// claimMax is the most items claimed in one query.
	claimMax = 32
	// BatchMax is the most items one batch applies.
	BatchMax = 32
)

// Worker applies received activities. Claimed items go to a lane by
// their order key (the object, or the follow relationship), so activities
// about one thing stay in the order they were claimed. Each lane applies
// what it holds in batches, one transaction per batch (Applier.ApplyBatch). An
// item a batch can't apply — it needs a fetch, it is of a rare kind, or it
// failed in a way a retry may mend — leaves its lane for its key's queue
// of items applied alone, one after another, with everything after it of
// the same key: a slow or hostile host then delays only the activities
// that wait on it, never a lane. Each held item's lease is renewed while
// it is applied or waits its turn.
type Worker struct {
	cfg   Config
	slots int
	lease time.Duration

	mu sync.Mutex
	// held are the items claimed and not yet finished, in a lane, applied
	// alone or waiting.
	held map[forum.ID]struct{}
	// lanes hold the items applied in batches.
	lanes []*inboxLane
	// queues are the items applied alone, by order key: the first is being
	// applied. While a key has a queue, its items join the queue as they
	// leave their lane (takeBatch), so in the order they were claimed.
	queues map[string][]*Item

	finished chan struct{} // an item finished: a slot may be free
	wg       sync.WaitGroup
}

// inboxLane is the items one lane will apply, in order, and its wake-up.
type inboxLane struct {
	items []*Queued
	wake  chan struct{}
}

// NewWorker returns a worker; Run runs it.
func NewWorker(cfg Config) *Worker {
	cfg.Settings = cfg.Settings.WithDefaults()
	w := &Worker{cfg: cfg, slots: cfg.Workers, lease: cfg.Lease, held: map[forum.ID]struct{}{},
		queues: map[string][]*Item{}, finished: make(chan struct{}, 1)}
	for range cfg.Lanes {
		w.lanes = append(w.lanes, &inboxLane{wake: make(chan struct{}, 1)})
	}
	return w
}

// Run runs the worker until ctx ends. Its goroutines carry the profiler
// label role=apply, so a CPU profile of a busy node shows what applying
// costs (go tool pprof -tagfocus role=apply).
func (w *Worker) Run(ctx context.Context) {
	pprof.Do(ctx, pprof.Labels("role", "apply"), w.run)
}

// run claims and applies items until ctx ends, then waits for the items
// being applied and gives back the leases of those not finished.
func (w *Worker) run(ctx context.Context) {
	for _, l := range w.lanes {
		w.wg.Add(1)
		go w.runLane(ctx, l)
	}
	renew := time.NewTicker(w.lease / 3)
	defer renew.Stop()
	idle := time.NewTimer(0)
	defer idle.Stop()
	for {
		if ctx.Err() != nil {
			w.stop()
			return
		}
		if w.claim(ctx) {
			continue
		}
		idle.Reset(w.cfg.Poll)
		select {
		case <-ctx.Done():
		case <-w.cfg.Wake:
		case <-w.finished:
		case <-renew.C:
			w.renew(ctx)
		case <-idle.C:
		}
	}
}

// claim leases as many due items as there are free slots and queues them;
// true when it filled every slot it asked for (there may be more to claim
// at once).
func (w *Worker) claim(ctx context.Context) bool {
	w.mu.Lock()
	want := min(w.slots-len(w.held), claimMax)
	w.mu.Unlock()
	if want <= 0 {
		return false
	}
	items, err := w.cfg.Store.ClaimInboxItems(ctx, w.cfg.Clock.Now(), w.lease, want)
	if err != nil {
		if ctx.Err() == nil {
			w.cfg.Log.Error("claim inbox items", "err", err)
		}
		return false
	}
	woken := map[*inboxLane]bool{}
	w.mu.Lock()
	for _, it := range items {
		w.held[it.ID] = struct{}{}
		bi := NewQueued(it)
		// Into the key's lane even when the key has a queue of items
		// applied alone: an item of the key claimed earlier may still
		// wait in the lane, and takeBatch moves the lane's items to the
		// queue in their order. Queued here at once, this one went ahead
		// of that one (seen under the race detector: a key's items
		// applied out of order).
		l := w.lanes[laneOf(bi.Key, len(w.lanes))]
		l.items = append(l.items, bi)
		woken[l] = true
	}
	w.mu.Unlock()
	for l := range woken {
		poll.Waker(l.wake).Wake()
	}
	return len(items) == want
}

// laneOf spreads order keys over n lanes (FNV-1a).
func laneOf(key string, n int) int {
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return int(h % uint32(n))
}

// runLane applies a lane's items in batches until ctx ends.
func (w *Worker) runLane(ctx context.Context, l *inboxLane) {
	defer w.wg.Done()
	for {
		batch := w.takeBatch(ctx, l)
		if len(batch) == 0 {
			select {
			case <-ctx.Done():
				return
			case <-l.wake:
			}
			continue
		}
		out := w.cfg.Apply.ApplyBatch(ctx, batch)
		w.mu.Lock()
		for _, it := range out.Recorded {
			delete(w.held, it.ID)
		}
		// When the worker is stopping, what is left stays held: stop gives
		// it back.
		if ctx.Err() == nil {
			for _, bi := range out.Alone {
				w.queueAlone(ctx, bi.Key, bi.Item)
			}
			// Not reached in time: back to the head of the lane, in order.
			l.items = append(out.Rest, l.items...)
		}
		w.mu.Unlock()
		poll.Waker(w.finished).Wake()
	}
}

// takeBatch takes up to BatchMax items from the head of a lane. Items
// whose key has a queue of items applied alone join that queue instead,
// behind the items claimed before them.
func (w *Worker) takeBatch(ctx context.Context, l *inboxLane) []*Queued {
	w.mu.Lock()
	defer w.mu.Unlock()
	var batch []*Queued
	n := 0
	for n < len(l.items) && len(batch) < BatchMax {
		bi := l.items[n]
		n++
		if len(w.queues[bi.Key]) > 0 {
			w.queueAlone(ctx, bi.Key, bi.Item)
			continue
		}
		batch = append(batch, bi)
	}
	l.items = l.items[n:]
	return batch
}

// queueAlone queues an item behind those of its order key applied alone,
// starting it when it is the first. Called with w.mu held.
func (w *Worker) queueAlone(ctx context.Context, key string, it *Item) {
	q := w.queues[key]
	w.queues[key] = append(q, it)
	if len(q) == 0 {
		w.wg.Add(1)
		go w.drain(ctx, key, it)
	}
}

// drain applies the items of one order key alone, in order, until none
// waits. When the worker stops, the rest stay held, for stop to give back.
func (w *Worker) drain(ctx context.Context, key string, it *Item) {
	defer w.wg.Done()
	for it != nil {
		recorded := w.cfg.Apply.ApplyAlone(ctx, it)
		w.mu.Lock()
		if recorded || ctx.Err() == nil {
			// Not recorded while running: its lease runs out and it is
			// claimed again, here or elsewhere.
			delete(w.held, it.ID)
		}
		q := w.queues[key][1:]
		w.queues[key], it = q, nil
		switch {
		case len(q) == 0:
			delete(w.queues, key)
		case ctx.Err() == nil:
			it = q[0]
		}
		w.mu.Unlock()
		poll.Waker(w.finished).Wake()
	}
}

// renew extends the leases of every held item.
func (w *Worker) renew(ctx context.Context) {
	ids := w.heldIDs()
	if err := w.cfg.Store.RenewInboxLeases(ctx, ids, w.cfg.Clock.Now().Add(w.lease)); err != nil && ctx.Err() == nil {
		// The leases run out and another process may take these items: they
		// are applied idempotently, so this costs time, not correctness.
		w.cfg.Log.Warn("renew inbox leases", "items", len(ids), "err", err)
	}
}

// stop waits for the items being applied, then gives back the leases of
// what is still held, so a restarted or other process takes it at once.
func (w *Worker) stop() {
	w.wg.Wait()
	ids := w.heldIDs()
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.cfg.Store.ReleaseInboxItems(ctx, ids); err != nil {
		w.cfg.Log.Warn("release inbox items on stop; their leases will run out", "items", len(ids), "err", err)
	}
}

func (w *Worker) heldIDs() []forum.ID {
	w.mu.Lock()
	defer w.mu.Unlock()
	ids := make([]forum.ID, 0, len(w.held))
	for id := range w.held {
		ids = append(ids, id)
	}
	return ids
}
