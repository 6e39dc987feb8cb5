package federation

import (
	"context"
	"encoding/json"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/metropolis/agora/forum"
)

// InboxConfig configures the inbox worker; zero values take the defaults.
type InboxConfig struct {
	// Workers is how many received activities one process holds at once
	// (claimed, being applied or waiting their turn); default
	// DefaultInboxWorkers.
	Workers int
	// Lanes is how many batches one process applies at once, each in its
	// own transaction; items go to a lane by their order key. Default
	// DefaultInboxLanes.
	Lanes int
	// Lease is how long a claimed activity stays this process's without
	// renewal; the worker renews what it holds every third of it, so a
	// process that dies gives its activities back within a lease. Default
	// DefaultInboxLease.
	Lease time.Duration
}

// Defaults of InboxConfig.
const (
	DefaultInboxWorkers = 64
	DefaultInboxLanes   = 2
	DefaultInboxLease   = time.Minute
)

func (c InboxConfig) withDefaults() InboxConfig {
	if c.Workers <= 0 {
		c.Workers = DefaultInboxWorkers
	}
	if c.Lanes <= 0 {
		c.Lanes = DefaultInboxLanes
	}
	if c.Lease <= 0 {
		c.Lease = DefaultInboxLease
	}
	return c
}

// Limits on applying received activities.
const (
	// inboxClaim is the most items claimed in one query.
	inboxClaim = 32
	// inboxItemTimeout bounds one attempt at one item, its fetches
	// included: no item holds its place for longer.
	inboxItemTimeout = 90 * time.Second
)

// inboxWorker applies received activities. Claimed items go to a lane by
// their order key (the object, or the follow relationship), so activities
// about one thing stay in the order they were claimed. Each lane applies
// what it holds in batches, one transaction per batch (applyBatch). An
// item a batch can't apply — it needs a fetch, it is of a rare kind, or it
// failed in a way a retry may mend — leaves its lane for its key's queue
// of items applied alone, one after another, with everything after it of
// the same key: a slow or hostile host then delays only the activities
// that wait on it, never a lane. Each held item's lease is renewed while
// it is applied or waits its turn.
type inboxWorker struct {
	f     *Federation
	slots int
	lease time.Duration

	mu sync.Mutex
	// held are the items claimed and not yet finished, in a lane, applied
	// alone or waiting.
	held map[forum.ID]struct{}
	// lanes hold the items applied in batches.
	lanes []*inboxLane
	// queues are the items applied alone, by order key: the first is being
	// applied. While a key has a queue, its new items join the queue.
	queues map[string][]*InboxItem

	finished chan struct{} // an item finished: a slot may be free
	wg       sync.WaitGroup
}

// inboxLane is the items one lane will apply, in order, and its wake-up.
type inboxLane struct {
	items []*batchItem
	wake  chan struct{}
}

func newInboxWorker(f *Federation, cfg InboxConfig) *inboxWorker {
	cfg = cfg.withDefaults()
	w := &inboxWorker{f: f, slots: cfg.Workers, lease: cfg.Lease, held: map[forum.ID]struct{}{},
		queues: map[string][]*InboxItem{}, finished: make(chan struct{}, 1)}
	for range cfg.Lanes {
		w.lanes = append(w.lanes, &inboxLane{wake: make(chan struct{}, 1)})
	}
	return w
}

// runInbox runs the inbox worker. Its goroutines carry the profiler label
// role=apply, so a CPU profile of a busy node shows what applying costs
// (go tool pprof -tagfocus role=apply).
func (f *Federation) runInbox(ctx context.Context) {
	pprof.Do(ctx, pprof.Labels("role", "apply"), func(ctx context.Context) {
		newInboxWorker(f, f.cfg.Inbox).run(ctx)
	})
}

// run claims and applies items until ctx ends, then waits for the items
// being applied and gives back the leases of those not finished.
func (w *inboxWorker) run(ctx context.Context) {
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
		idle.Reset(w.f.cfg.Delivery.Poll)
		select {
		case <-ctx.Done():
		case <-w.f.inboxWake:
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
func (w *inboxWorker) claim(ctx context.Context) bool {
	w.mu.Lock()
	want := min(w.slots-len(w.held), inboxClaim)
	w.mu.Unlock()
	if want <= 0 {
		return false
	}
	items, err := w.f.store.ClaimInboxItems(ctx, w.f.cfg.Clock.Now(), w.lease, want)
	if err != nil {
		if ctx.Err() == nil {
			w.f.log.Error("claim inbox items", "err", err)
		}
		return false
	}
	woken := map[*inboxLane]bool{}
	w.mu.Lock()
	for _, it := range items {
		w.held[it.ID] = struct{}{}
		bi := newBatchItem(it)
		if len(w.queues[bi.key]) > 0 {
			w.queueAlone(ctx, bi.key, it)
			continue
		}
		l := w.lanes[laneOf(bi.key, len(w.lanes))]
		l.items = append(l.items, bi)
		woken[l] = true
	}
	w.mu.Unlock()
	for l := range woken {
		wake(l.wake)
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
func (w *inboxWorker) runLane(ctx context.Context, l *inboxLane) {
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
		out := w.f.applyBatch(ctx, batch)
		w.mu.Lock()
		for _, it := range out.recorded {
			delete(w.held, it.ID)
		}
		// When the worker is stopping, what is left stays held: stop gives
		// it back.
		if ctx.Err() == nil {
			for _, bi := range out.alone {
				w.queueAlone(ctx, bi.key, bi.it)
			}
			// Not reached in time: back to the head of the lane, in order.
			l.items = append(out.rest, l.items...)
		}
		w.mu.Unlock()
		wake(w.finished)
	}
}

// takeBatch takes up to inboxBatch items from the head of a lane. Items
// whose key has a queue of items applied alone join that queue instead,
// behind the items claimed before them.
func (w *inboxWorker) takeBatch(ctx context.Context, l *inboxLane) []*batchItem {
	w.mu.Lock()
	defer w.mu.Unlock()
	var batch []*batchItem
	n := 0
	for n < len(l.items) && len(batch) < inboxBatch {
		bi := l.items[n]
		n++
		if len(w.queues[bi.key]) > 0 {
			w.queueAlone(ctx, bi.key, bi.it)
			continue
		}
		batch = append(batch, bi)
	}
	l.items = l.items[n:]
	return batch
}

// queueAlone queues an item behind those of its order key applied alone,
// starting it when it is the first. Called with w.mu held.
func (w *inboxWorker) queueAlone(ctx context.Context, key string, it *InboxItem) {
	q := w.queues[key]
	w.queues[key] = append(q, it)
	if len(q) == 0 {
		w.wg.Add(1)
		go w.drain(ctx, key, it)
	}
}

// drain applies the items of one order key alone, in order, until none
// waits. When the worker stops, the rest stay held, for stop to give back.
func (w *inboxWorker) drain(ctx context.Context, key string, it *InboxItem) {
	defer w.wg.Done()
	for it != nil {
		recorded := w.f.processItem(ctx, it)
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
		wake(w.finished)
	}
}

// renew extends the leases of every held item.
func (w *inboxWorker) renew(ctx context.Context) {
	ids := w.heldIDs()
	if err := w.f.store.RenewInboxLeases(ctx, ids, w.f.cfg.Clock.Now().Add(w.lease)); err != nil && ctx.Err() == nil {
		// The leases run out and another process may take these items: they
		// are applied idempotently, so this costs time, not correctness.
		w.f.log.Warn("renew inbox leases", "items", len(ids), "err", err)
	}
}

// stop waits for the items being applied, then gives back the leases of
// what is still held, so a restarted or other process takes it at once.
func (w *inboxWorker) stop() {
	w.wg.Wait()
	ids := w.heldIDs()
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.f.store.ReleaseInboxItems(ctx, ids); err != nil {
		w.f.log.Warn("release inbox items on stop; their leases will run out", "items", len(ids), "err", err)
	}
}

func (w *inboxWorker) heldIDs() []forum.ID {
	w.mu.Lock()
	defer w.mu.Unlock()
	ids := make([]forum.ID, 0, len(w.held))
	for id := range w.held {
		ids = append(ids, id)
	}
	return ids
}

// orderKey names what an activity's order matters for. Activities about
// one object (its Create, Updates, Delete, Likes and their Undo, and a
// forum's Announces of them) share the object's id; a Follow, its Accept
// or Reject and its Undo share the pair of actors. An item whose body
// can't be read is alone with its own key: applying it will say why.
func orderKey(it *InboxItem) string {
	if k := orderKeyOf(it.Body, 3); k != "" {
		return k
	}
	return "item " + it.ID
}

// orderKeyOf reads the key of an activity, looking into the activity an
// Undo, Accept, Reject or Announce carries (depth levels at most).
func orderKeyOf(raw json.RawMessage, depth int) string {
	var env struct {
		Type   json.RawMessage `json:"type"`
		Actor  json.RawMessage `json:"actor"`
		Object json.RawMessage `json:"object"`
	}
	if depth == 0 || json.Unmarshal(raw, &env) != nil {
		return ""
	}
	switch typeOf(env.Type) {
	case "Follow":
		return "follow " + iriOf(env.Actor) + " " + iriOf(env.Object)
	case "Accept", "Reject", "Undo", "Announce":
		if k := orderKeyOf(env.Object, depth-1); k != "" {
			return k
		}
	}
	if id := iriOf(env.Object); id != "" {
		return "object " + id
	}
	return ""
}
