// Package deliver sends this node's activities: a durable queue of one row
// per (activity, inbox), worked by a pool of senders that sign each
// attempt afresh, retry with backoff, keep each remote host's record and
// stop sending to a host whose circuit is open. Enqueue adds to the queue
// in the caller's transaction; a Runner works it.
package deliver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/keys"
	"github.com/metropolis/agora/federation/poll"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// Store is what the delivery workers read and write.
type Store interface {
	OutboxActivity(ctx context.Context, id forum.ID) (*stored.OutboxActivity, error)
	// ClaimDeliveries leases up to limit pending deliveries due at now,
	// never two of one host beyond perHost in flight, oldest first.
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit, perHost int) ([]*stored.Delivery, error)
	FinishDelivery(ctx context.Context, d *stored.Delivery) error
	RetryDelivery(ctx context.Context, d *stored.Delivery) error
	Host(ctx context.Context, host string) (*stored.HostHealth, error)
	HostsByName(ctx context.Context, hosts []string) (map[string]*stored.HostHealth, error)
	SaveHost(ctx context.Context, h *stored.HostHealth) error
	ListDomainBlocks(ctx context.Context) ([]*stored.DomainBlock, error)
}

// Outcomes is what a batching Runner writes in one transaction: the
// deliveries finished and retried, and the hosts' records.
type Outcomes interface {
	FinishDeliveries(ctx context.Context, ds []*stored.Delivery) error // those no longer stored are skipped
	RetryDelivery(ctx context.Context, d *stored.Delivery) error
	SaveHosts(ctx context.Context, hs []*stored.HostHealth) error
}

// Poster sends a request (fetch.Client, signing in its transport).
type Poster interface {
	Post(ctx context.Context, inboxURL, contentType string, body []byte) (*fetch.Response, error)
}

// Owners tells which key signs for one of this node's actors (keys.Owners).
type Owners interface {
	Owner(ctx context.Context, actorURI string) (string, error)
}

// Blocker reports whether a host (host[:port]) is blocked (blocks.List).
type Blocker interface {
	Blocked(ctx context.Context, host string) (bool, error)
}

// Observer hears each attempt's outcome: done, retry, failed, dropped or
// postponed (a host's circuit was open).
type Observer interface {
	Delivery(outcome string)
}

// Config is what a Runner is built from. Every field but Observer is
// required.
type Config struct {
	Store Store
	// Atomic runs fn in one transaction of Store.
	Atomic   func(ctx context.Context, fn func(ctx context.Context, tx Outcomes) error) error
	Client   Poster
	Owners   Owners
	Blocks   Blocker
	URLs     *uris.Builder
	Clock    forum.Clock
	Log      *slog.Logger
	Observer Observer
	Settings Settings
}

// Runner works the delivery queue.
type Runner struct {
	cfg  Config
	wake poll.Waker
}

type nopObserver struct{}

func (nopObserver) Delivery(string) {}

// New checks cfg and returns a Runner; call Run to start it.
func New(cfg Config) (*Runner, error) {
	if cfg.Store == nil || cfg.Atomic == nil || cfg.Client == nil || cfg.Owners == nil || cfg.Blocks == nil ||
		cfg.URLs == nil || cfg.Clock == nil || cfg.Log == nil {
		return nil, errors.New("deliver: incomplete config")
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	cfg.Settings = cfg.Settings.WithDefaults()
	return &Runner{cfg: cfg, wake: poll.NewWaker()}, nil
}

// Wake tells the Runner that deliveries were queued (or a host has room).
func (q *Runner) Wake() { q.wake.Wake() }

// Run sends queued activities with a pool of Workers, at most PerHost at
// once to one host, and waits for the sends in flight when ctx ends
// (graceful shutdown).
//
// A send still waiting for its answer after SlowAfter gives its worker
// back (up to SlowSends such sends at once): hosts that accept connections
// and never answer hold a connection each, not the pool, so healthy hosts
// keep their pace.
func (q *Runner) Run(ctx context.Context) {
	cfg := q.cfg.Settings
	r := q.newRunner(true)
	stopFlush, flushed := make(chan struct{}), make(chan struct{})
	go func() { r.runFlush(stopFlush); close(flushed) }()
	slots := make(chan struct{}, cfg.Workers)
	slow := make(chan struct{}, cfg.SlowSends)
	senders := newGoroutines()
	defer senders.stop()
	var wg sync.WaitGroup
	poll.Loop(ctx, q.wake, cfg.Poll, func(ctx context.Context) bool {
		busy := len(slots)
		free := cfg.Workers - busy
		// Claim in batches: one claim per finished send would spend the
		// database's write lock on claims.
		if free == 0 || (busy > 0 && free < max(cfg.Workers/2, 1)) {
			return false // a finishing send wakes us
		}
		ds, err := q.cfg.Store.ClaimDeliveries(ctx, q.cfg.Clock.Now(), cfg.Lease, free, cfg.PerHost)
		if err != nil {
			q.cfg.Log.Error("claim deliveries", "err", err)
			return false
		}
		if err := r.loadHosts(ctx, ds); err != nil {
			q.cfg.Log.Error("load host records", "err", err)
		}
		for _, d := range ds {
			slots <- struct{}{}
			wg.Add(1)
			senders.run(func() {
				defer wg.Done()
				w := &worker{slots: slots, slow: slow, wake: q.Wake}
				t := time.AfterFunc(cfg.SlowAfter, w.slowed)
				defer func() { t.Stop(); w.done() }()
				// A send already started finishes even if we are shutting down.
				sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 45*time.Second)
				defer cancel()
				r.deliver(sendCtx, d)
			})
		}
		return len(ds) == free
	})
	wg.Wait()
	close(stopFlush)
	<-flushed
}

// worker is one send's hold on the pool: a worker slot until it ends or
// turns slow, then a slow slot if one is free.
type worker struct {
	mu             sync.Mutex
	slots, slow    chan struct{}
	released, held bool // gave its worker slot back; holds a slow slot
	wake           func()
}

// slowed gives the worker slot back if a slow slot is free.
func (w *worker) slowed() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.released {
		return
	}
	select {
	case w.slow <- struct{}{}:
		w.held, w.released = true, true
		<-w.slots
		w.wake()
	default: // too many slow sends already: keep the worker
	}
}

func (w *worker) done() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.released {
		w.released = true
		<-w.slots
	}
	if w.held {
		w.held = false
		<-w.slow
	}
	w.wake()
}

// Attempt makes one attempt at d outside the worker pool (tests, tools):
// every read and write goes straight to the store.
func (q *Runner) Attempt(ctx context.Context, d *stored.Delivery) { q.newRunner(false).deliver(ctx, d) }

// deliver makes one attempt and records its outcome.
func (r *runner) deliver(ctx context.Context, d *stored.Delivery) {
	cfg := r.q.cfg
	now := cfg.Clock.Now()
	if blocked, err := r.blocked(ctx, d.Host); err == nil && blocked {
		r.finish(ctx, d, stored.DeliveryDropped, 0, "instance blocked")
		return
	}
	h, err := r.health(ctx, d.Host)
	if err != nil {
		cfg.Log.Error("host health", "host", d.Host, "err", err)
		return // the lease expires and the delivery is claimed again
	}
	if h.OpenUntil != nil && now.Before(*h.OpenUntil) {
		// The host's circuit is open: wait without spending an attempt.
		d.NextAttemptAt = *h.OpenUntil
		cfg.Observer.Delivery("postponed")
		r.retry(ctx, d)
		return
	}
	status, retryAfter, sendErr := r.send(ctx, d)
	d.Attempts++
	d.LastStatus = status
	ok := sendErr == nil && status >= 200 && status < 300
	var local *localError
	refused := errors.Is(sendErr, fetch.ErrForbiddenAddress) || errors.Is(sendErr, fetch.ErrForbiddenURL)
	blocked := errors.Is(sendErr, fetch.ErrBlocked) // blocked since the check above
	if !errors.As(sendErr, &local) && !refused && !blocked {
		// Only what the remote host did counts in its record: our own
		// failures (a signer gone, an address we refuse) say nothing of it.
		r.recordHost(ctx, d.Host, ok)
	}
	switch {
	case blocked:
		r.finish(ctx, d, stored.DeliveryDropped, 0, "instance blocked")
	case refused:
		r.finish(ctx, d, stored.DeliveryFailed, 0, "address refused: "+sendErr.Error())
	case ok:
		r.finish(ctx, d, stored.DeliveryDone, status, "")
	case sendErr == nil && !retryable(status):
		r.finish(ctx, d, stored.DeliveryFailed, status, http.StatusText(status))
	case now.Sub(d.CreatedAt) > cfg.Settings.MaxAge:
		r.finish(ctx, d, stored.DeliveryFailed, status, "gave up: "+describe(status, sendErr))
	default:
		d.LastError = describe(status, sendErr)
		d.NextAttemptAt = now.Add(max(Backoff(cfg.Settings.BaseBackoff, d.Attempts), retryAfter))
		cfg.Observer.Delivery("retry")
		r.retry(ctx, d)
	}
}

// retryable: server errors, and the 4xx that may pass later (401: our key
// not yet fetchable; 408 timeout; 429 rate limited). Other 4xx are final.
func retryable(status int) bool {
	return status >= 500 || status == 401 || status == 408 || status == 429
}

func describe(status int, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("HTTP %d", status)
}

// Backoff is the wait before attempt attempts+1: it grows exponentially
// from base, capped at 12 hours, with jitter so that hosts coming back
// are not hit by every node at once. The other retried jobs of the node
// (joins, parked events) wait by the same rule.
func Backoff(base time.Duration, attempts int) time.Duration {
	d := base << min(attempts-1, 20)
	if d > 12*time.Hour || d <= 0 {
		d = 12 * time.Hour
	}
	return d/2 + rand.N(d/2+1)
}

// localError is a failure on our side before anything was sent.
type localError struct{ err error }

func (e *localError) Error() string { return e.err.Error() }
func (e *localError) Unwrap() error { return e.err }

// send posts the activity, signed by its actor: one signature per
// attempt, made in the transport (a fresh Date each time).
func (r *runner) send(ctx context.Context, d *stored.Delivery) (int, time.Duration, error) {
	act, err := r.activity(ctx, d.ActivityID)
	if err != nil {
		return 0, 0, err
	}
	resp, err := r.q.cfg.Client.Post(keys.SignAs(ctx, act.owner, act.keyID), d.Inbox, ap.ContentType, act.body)
	if err != nil {
		return 0, 0, err
	}
	return resp.Status, resp.RetryAfter, nil
}
