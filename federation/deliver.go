package federation

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/uris"
)

// runDeliveries sends queued activities with a pool of Workers, at most
// PerHost at once to one host, and waits for the sends in flight when ctx
// ends (graceful shutdown).
//
// A send still waiting for its answer after SlowAfter gives its worker
// back (up to SlowSends such sends at once): hosts that accept connections
// and never answer hold a connection each, not the pool, so healthy hosts
// keep their pace.
func (f *Federation) runDeliveries(ctx context.Context) {
	cfg := f.cfg.Delivery
	r := f.newRunner(true)
	stopFlush, flushed := make(chan struct{}), make(chan struct{})
	go func() { r.runFlush(stopFlush); close(flushed) }()
	slots := make(chan struct{}, cfg.Workers)
	slow := make(chan struct{}, cfg.SlowSends)
	var wg sync.WaitGroup
	loop(ctx, f.deliverWake, cfg.Poll, func(ctx context.Context) bool {
		busy := len(slots)
		free := cfg.Workers - busy
		// Claim in batches: one claim per finished send would spend the
		// database's write lock on claims.
		if free == 0 || (busy > 0 && free < max(cfg.Workers/4, 1)) {
			return false // a finishing send wakes us
		}
		ds, err := f.store.ClaimDeliveries(ctx, f.cfg.Clock.Now(), cfg.Lease, free, cfg.PerHost)
		if err != nil {
			f.log.Error("claim deliveries", "err", err)
			return false
		}
		if err := r.loadHosts(ctx, ds); err != nil {
			f.log.Error("load host records", "err", err)
		}
		for _, d := range ds {
			slots <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := &worker{slots: slots, slow: slow, wake: f.wakeDeliveries}
				t := time.AfterFunc(cfg.SlowAfter, w.slowed)
				defer func() { t.Stop(); w.done() }()
				// A send already started finishes even if we are shutting down.
				sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 45*time.Second)
				defer cancel()
				r.deliver(sendCtx, d)
			}()
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

// deliver makes one attempt at d, outside the worker pool (tests): every
// read and write goes straight to the store.
func (f *Federation) deliver(ctx context.Context, d *Delivery) { f.newRunner(false).deliver(ctx, d) }

// deliver makes one attempt and records its outcome.
func (r *runner) deliver(ctx context.Context, d *Delivery) {
	f := r.f
	now := f.cfg.Clock.Now()
	if blocked, err := r.blocked(ctx, d.Host); err == nil && blocked {
		r.finish(ctx, d, DeliveryDropped, 0, "instance blocked")
		return
	}
	h, err := r.health(ctx, d.Host)
	if err != nil {
		f.log.Error("host health", "host", d.Host, "err", err)
		return // the lease expires and the delivery is claimed again
	}
	if h.OpenUntil != nil && now.Before(*h.OpenUntil) {
		// The host's circuit is open: wait without spending an attempt.
		d.NextAttemptAt = *h.OpenUntil
		f.obs.Delivery("postponed")
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
		r.finish(ctx, d, DeliveryDropped, 0, "instance blocked")
	case refused:
		r.finish(ctx, d, DeliveryFailed, 0, "address refused: "+sendErr.Error())
	case ok:
		r.finish(ctx, d, DeliveryDone, status, "")
	case sendErr == nil && !retryable(status):
		r.finish(ctx, d, DeliveryFailed, status, http.StatusText(status))
	case now.Sub(d.CreatedAt) > f.cfg.Delivery.MaxAge:
		r.finish(ctx, d, DeliveryFailed, status, "gave up: "+describe(status, sendErr))
	default:
		d.LastError = describe(status, sendErr)
		d.NextAttemptAt = now.Add(max(f.backoff(d.Attempts), retryAfter))
		f.obs.Delivery("retry")
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

// backoff grows exponentially from BaseBackoff, capped at 12 hours, with
// jitter so that hosts coming back are not hit by every node at once.
func (f *Federation) backoff(attempts int) time.Duration {
	d := f.cfg.Delivery.BaseBackoff << min(attempts-1, 20)
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
func (r *runner) send(ctx context.Context, d *Delivery) (int, time.Duration, error) {
	act, err := r.activity(ctx, d.ActivityID)
	if err != nil {
		return 0, 0, err
	}
	resp, err := r.f.client.Post(signAs(ctx, act.owner, act.keyID), d.Inbox, ContentType, act.body)
	if err != nil {
		return 0, 0, err
	}
	return resp.Status, resp.RetryAfter, nil
}

// keyOwner names the key of one of our actors.
func (f *Federation) keyOwner(ctx context.Context, actorURI string) (string, error) {
	switch kind, key := f.urls.Parse(actorURI); kind {
	case uris.KindInstance:
		return ownerInstance, nil
	case uris.KindMember:
		m, err := f.svc.MemberByUsername(ctx, key)
		if err != nil {
			return "", fmt.Errorf("signer %s: %w", actorURI, err)
		}
		return memberOwner(m.ID), nil
	case uris.KindForum:
		fo, err := f.localForum(ctx, key)
		if err != nil {
			return "", fmt.Errorf("signer %s: %w", actorURI, err)
		}
		return forumOwner(fo.ID), nil
	case uris.KindThreadActor:
		return threadOwner(key), nil
	}
	return "", fmt.Errorf("signer %s: not one of our actors", actorURI)
}

// hostBlocked reports whether a delivery host (host[:port]) is blocked:
// by a block of host:port itself, or of its domain whatever the port
// (blocking example.org stops deliveries to example.org:8443 too).
func (f *Federation) hostBlocked(ctx context.Context, host string) (bool, error) {
	if name, _, err := net.SplitHostPort(host); err == nil && name != "" {
		return f.domainsBlocked(ctx, host, name)
	}
	return f.domainsBlocked(ctx, host)
}
