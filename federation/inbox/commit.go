package inbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/metropolis/agora/forum"
)

// Bounds of one group commit of received activities.
const (
	commitMax     = 256
	commitTimeout = 30 * time.Second
)

// Committer stores received activities with group commit: requests
// that arrive while a commit is running wait for the next one, which
// stores them all in one transaction. A lone request commits at once (no
// timer); under load, one commit serves many requests, so the database's
// per-transaction cost (the write lock, the WAL or xlog flush) is paid
// once per batch. Every request still hears about its own row, and is
// answered 202 only once that row is committed.
type Committer struct {
	atomic  func(ctx context.Context, fn func(ctx context.Context, tx AddStore) error) error
	mu      sync.Mutex
	pending []*inboxWrite
	running bool
}

type inboxWrite struct {
	item *Item
	done chan error // ErrConflict for a duplicate; buffered
}

// AddStore is what a group commit writes, in its transaction.
type AddStore interface {
	// AddInboxItem returns ErrConflict when the activity ID was seen before.
	AddInboxItem(ctx context.Context, it *Item) error
}

// NewCommitter returns a committer writing in transactions of atomic.
func NewCommitter(atomic func(ctx context.Context, fn func(ctx context.Context, tx AddStore) error) error) *Committer {
	return &Committer{atomic: atomic}
}

// Add stores it durably (ErrConflict if its activity was seen before).
func (c *Committer) Add(ctx context.Context, it *Item) error {
	w := &inboxWrite{item: it, done: make(chan error, 1)}
	c.mu.Lock()
	c.pending = append(c.pending, w)
	leader := !c.running
	c.running = true
	c.mu.Unlock()
	if leader {
		// Commit this request's batch here; what arrived meanwhile is
		// committed by a goroutine, so this request is answered now.
		if c.commitNext(ctx) {
			go c.drain(context.WithoutCancel(ctx))
		}
	}
	// Once queued, the row may be committed whatever happens to this
	// request: wait for the outcome rather than for ctx.
	return <-w.done
}

// drain commits until nothing is pending.
func (c *Committer) drain(ctx context.Context) {
	for c.commitNext(ctx) {
	}
}

// commitNext commits one batch of what is pending; it reports whether more
// is pending (the caller then keeps committing), else it gives up the
// committer's role.
func (c *Committer) commitNext(ctx context.Context) bool {
	c.mu.Lock()
	n := min(len(c.pending), commitMax)
	batch := c.pending[:n:n]
	c.pending = c.pending[n:]
	c.mu.Unlock()
	if n > 0 {
		c.commit(ctx, batch)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) > 0 && n > 0 {
		return true
	}
	c.running = false
	return false
}

func (c *Committer) commit(ctx context.Context, batch []*inboxWrite) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
	defer cancel()
	results := make([]error, len(batch))
	err := c.atomic(ctx, func(ctx context.Context, tx AddStore) error {
		for i, w := range batch {
			results[i] = tx.AddInboxItem(ctx, w.item)
			if results[i] != nil && !errors.Is(results[i], forum.ErrConflict) {
				return results[i]
			}
		}
		return nil
	})
	for i, w := range batch {
		if err != nil {
			w.done <- fmt.Errorf("commit %d received activities: %w", len(batch), err)
		} else {
			w.done <- results[i]
		}
	}
}
