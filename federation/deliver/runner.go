package deliver

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/metropolis/agora/federation/blocks"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/poll"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
)

// runner is the delivery workers' shared state: what every send would
// otherwise read from the database again (the activity and its signer,
// the blocked domains, the hosts' records), and the outcomes waiting to be
// written in one transaction.
//
// A batching runner (Run) caches for a few seconds and writes
// outcomes as they come, several in one transaction; leases keep a
// delivery ours until its outcome is written, and a crash between a send
// and its write means the send is made again: at least once, as before. A
// plain runner (one attempt, the tests' hooks) reads and writes through at
// once.
type runner struct {
	q     *Runner
	batch bool

	mu        sync.Mutex
	acts      map[forum.ID]*sendable
	blocks    fetch.Blocks
	blocksAt  time.Time
	hosts     map[string]*hostEntry
	finished  []*stored.Delivery // outcomes to write: final states
	retried   []*stored.Delivery // outcomes to write: next attempts
	dirty     map[string]bool
	flushWake poll.Waker
}

// sendable is an activity ready to send: its body and who signs it.
type sendable struct {
	body         []byte
	owner, keyID string
}

type hostEntry struct {
	h    stored.HostHealth
	seen time.Time // loaded or changed then (wall time)
}

// Cache lifetimes and the write batch of a batching runner.
const (
	cacheFor    = 5 * time.Second
	maxActCache = 1024
)

func (q *Runner) newRunner(batch bool) *runner {
	return &runner{q: q, batch: batch, acts: map[forum.ID]*sendable{}, hosts: map[string]*hostEntry{},
		dirty: map[string]bool{}, flushWake: poll.NewWaker()}
}

// activity returns the activity d sends, from the cache when batching.
func (r *runner) activity(ctx context.Context, id forum.ID) (*sendable, error) {
	if r.batch {
		r.mu.Lock()
		s, ok := r.acts[id]
		r.mu.Unlock()
		if ok {
			return s, nil
		}
	}
	act, err := r.q.cfg.Store.OutboxActivity(ctx, id)
	if err != nil {
		return nil, &localError{fmt.Errorf("load activity: %w", err)}
	}
	owner, err := r.q.cfg.Owners.Owner(ctx, act.ActorURI)
	if err != nil {
		return nil, &localError{err}
	}
	s := &sendable{body: act.Body, owner: owner, keyID: r.q.cfg.URLs.KeyID(act.ActorURI)}
	if r.batch {
		r.mu.Lock()
		if len(r.acts) >= maxActCache {
			clear(r.acts)
		}
		r.acts[id] = s
		r.mu.Unlock()
	}
	return s, nil
}

// blocked reports whether a delivery host (host[:port]) is blocked: by a
// block of host:port itself, or of its domain or a parent domain whatever
// the port (blocking example.org stops deliveries to example.org:8443 and
// to a.example.org too). Blocking also drops what is queued
// (DropHostDeliveries); this check catches what was claimed before, and
// the fetch client's own check what is blocked during the send.
func (r *runner) blocked(ctx context.Context, host string) (bool, error) {
	if !r.batch {
		return r.q.cfg.Blocks.Blocked(ctx, host)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.blocks == nil || time.Since(r.blocksAt) > cacheFor {
		list, err := r.q.cfg.Store.ListDomainBlocks(ctx)
		if err != nil {
			return false, err
		}
		r.blocks = blocks.Set(list)
		r.blocksAt = time.Now()
	}
	return r.blocks.Covers(host), nil
}

// loadHosts reads, in one query, the records of the hosts of ds that the
// cache lacks or holds for longer than cacheFor (unless changed since).
func (r *runner) loadHosts(ctx context.Context, ds []*stored.Delivery) error {
	if !r.batch {
		return nil
	}
	now := time.Now() // cache ages are wall time, whatever the node's clock
	r.mu.Lock()
	var want []string
	seen := map[string]bool{}
	for _, d := range ds {
		e := r.hosts[d.Host]
		if !seen[d.Host] && !r.dirty[d.Host] && (e == nil || now.Sub(e.seen) > cacheFor) {
			want = append(want, d.Host)
			seen[d.Host] = true
		}
	}
	r.mu.Unlock()
	if len(want) == 0 {
		return nil
	}
	got, err := r.q.cfg.Store.HostsByName(ctx, want)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, host := range want {
		if r.dirty[host] {
			continue // changed meanwhile: ours is newer
		}
		h := got[host]
		if h == nil {
			h = &stored.HostHealth{Host: host}
		}
		r.hosts[host] = &hostEntry{h: *h, seen: now}
	}
	return nil
}

// health returns a copy of a host's record.
func (r *runner) health(ctx context.Context, host string) (stored.HostHealth, error) {
	if r.batch {
		r.mu.Lock()
		e := r.hosts[host]
		r.mu.Unlock()
		if e != nil {
			return e.h, nil
		}
	}
	return r.readHost(ctx, host)
}

// readHost reads a host's record from the store.
func (r *runner) readHost(ctx context.Context, host string) (stored.HostHealth, error) {
	h, err := r.q.cfg.Store.Host(ctx, host)
	if errors.Is(err, forum.ErrNotFound) {
		return stored.HostHealth{Host: host}, nil
	} else if err != nil {
		return stored.HostHealth{}, err
	}
	return *h, nil
}

// recordHost keeps a host's record and opens its circuit after
// BreakerAfter consecutive failures. Concurrent sends to one host each
// count. (Several processes sharing a database still race here; a record
// off by one only shifts when the breaker opens.)
func (r *runner) recordHost(ctx context.Context, host string, ok bool) {
	if r.batch {
		if err := r.loadHosts(ctx, []*stored.Delivery{{Host: host}}); err != nil {
			r.q.cfg.Log.Error("host health", "host", host, "err", err)
			return
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var h stored.HostHealth
	if e := r.hosts[host]; r.batch && e != nil {
		h = e.h
	} else {
		// Read afresh under the lock: concurrent sends each count.
		fresh, err := r.readHost(ctx, host)
		if err != nil {
			r.q.cfg.Log.Error("host health", "host", host, "err", err)
			return
		}
		h = fresh
	}
	now := r.q.cfg.Clock.Now()
	if ok {
		if h.ConsecutiveFails == 0 && h.LastSuccess != nil && now.Sub(*h.LastSuccess) < time.Minute {
			return // healthy and recorded recently: spare the database
		}
		h.ConsecutiveFails, h.OpenUntil, h.LastSuccess = 0, nil, &now
		h.Delivered++
	} else {
		h.ConsecutiveFails++
		h.Failed++
		h.LastFailure = &now
		if h.ConsecutiveFails >= r.q.cfg.Settings.BreakerAfter {
			until := now.Add(r.q.cfg.Settings.BreakerPeriod)
			h.OpenUntil = &until
		}
	}
	if !r.batch {
		if err := r.q.cfg.Store.SaveHost(ctx, &h); err != nil {
			r.q.cfg.Log.Error("save host health", "host", h.Host, "err", err)
		}
		return
	}
	r.hosts[host] = &hostEntry{h: h, seen: time.Now()}
	r.dirty[host] = true
	r.wakeFlush()
}

// finish records a final outcome.
func (r *runner) finish(ctx context.Context, d *stored.Delivery, state stored.DeliveryState, status int, msg string) {
	at := r.q.cfg.Clock.Now()
	d.State, d.LastStatus, d.LastError, d.FinishedAt = state, status, msg, &at
	r.q.cfg.Observer.Delivery(string(state))
	if state != stored.DeliveryDone {
		r.q.cfg.Log.Info("delivery given up", "inbox", d.Inbox, "state", state, "status", status, "reason", msg)
	}
	if !r.batch {
		if err := r.q.cfg.Store.FinishDelivery(ctx, d); err != nil {
			r.q.cfg.Log.Error("finish delivery", "err", err)
		}
		return
	}
	r.mu.Lock()
	r.finished = append(r.finished, d)
	r.mu.Unlock()
	r.wakeFlush()
}

// retry records when to try again.
func (r *runner) retry(ctx context.Context, d *stored.Delivery) {
	if !r.batch {
		if err := r.q.cfg.Store.RetryDelivery(ctx, d); err != nil {
			r.q.cfg.Log.Error("reschedule delivery", "err", err)
		}
		return
	}
	r.mu.Lock()
	r.retried = append(r.retried, d)
	r.mu.Unlock()
	r.wakeFlush()
}

func (r *runner) wakeFlush() { r.flushWake.Wake() }

// runFlush writes outcomes as they come until stop is closed, then once
// more. Outcomes that arrive while a write is running go in the next one.
func (r *runner) runFlush(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			r.flush()
			return
		case <-r.flushWake:
		}
		r.flush()
	}
}

// flush writes the outcomes gathered in one transaction. If it fails,
// the leases run out and the deliveries are made again.
func (r *runner) flush() {
	r.mu.Lock()
	finished, retried := r.finished, r.retried
	r.finished, r.retried = nil, nil
	hosts := make([]*stored.HostHealth, 0, len(r.dirty))
	for host := range r.dirty {
		h := r.hosts[host].h
		hosts = append(hosts, &h)
	}
	clear(r.dirty)
	r.mu.Unlock()
	if len(finished)+len(retried)+len(hosts) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// One finish time for the batch: equal outcomes then go in one UPDATE.
	at := r.q.cfg.Clock.Now()
	for _, d := range finished {
		d.FinishedAt = &at
	}
	err := r.q.cfg.Atomic(ctx, func(ctx context.Context, tx Outcomes) error {
		if err := tx.FinishDeliveries(ctx, finished); err != nil {
			return err
		}
		for _, d := range retried {
			if err := tx.RetryDelivery(ctx, d); err != nil && !errors.Is(err, forum.ErrNotFound) {
				return fmt.Errorf("reschedule delivery %s: %w", d.ID, err)
			}
		}
		return tx.SaveHosts(ctx, hosts)
	})
	if err != nil {
		r.q.cfg.Log.Error("write delivery outcomes", "deliveries", len(finished)+len(retried), "err", err)
	}
	if len(finished)+len(retried) > 0 {
		r.q.Wake() // their leases are gone: their hosts have room
	}
}
