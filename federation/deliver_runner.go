package federation

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/forum"
)

// runner is the delivery workers' shared state: what every send would
// otherwise read from the database again (the activity and its signer,
// the blocked domains, the hosts' records), and the outcomes waiting to be
// written in one transaction.
//
// A batching runner (runDeliveries) caches for a few seconds and writes
// outcomes as they come, several in one transaction; leases keep a
// delivery ours until its outcome is written, and a crash between a send
// and its write means the send is made again: at least once, as before. A
// plain runner (one attempt, the tests' hooks) reads and writes through at
// once.
type runner struct {
	f     *Federation
	batch bool

	mu        sync.Mutex
	acts      map[forum.ID]*sendable
	blocks    fetch.Blocks
	blocksAt  time.Time
	hosts     map[string]*hostEntry
	finished  []*Delivery // outcomes to write: final states
	retried   []*Delivery // outcomes to write: next attempts
	dirty     map[string]bool
	flushWake chan struct{}
}

// sendable is an activity ready to send: its body and who signs it.
type sendable struct {
	body         []byte
	owner, keyID string
}

type hostEntry struct {
	h    HostHealth
	seen time.Time // loaded or changed then (wall time)
}

// Cache lifetimes and the write batch of a batching runner.
const (
	cacheFor    = 5 * time.Second
	maxActCache = 1024
)

func (f *Federation) newRunner(batch bool) *runner {
	return &runner{f: f, batch: batch, acts: map[forum.ID]*sendable{}, hosts: map[string]*hostEntry{},
		dirty: map[string]bool{}, flushWake: make(chan struct{}, 1)}
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
	act, err := r.f.store.OutboxActivity(ctx, id)
	if err != nil {
		return nil, &localError{fmt.Errorf("load activity: %w", err)}
	}
	owner, err := r.f.keyOwner(ctx, act.ActorURI)
	if err != nil {
		return nil, &localError{err}
	}
	s := &sendable{body: act.Body, owner: owner, keyID: r.f.urls.KeyID(act.ActorURI)}
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
		return r.f.hostBlocked(ctx, host)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.blocks == nil || time.Since(r.blocksAt) > cacheFor {
		list, err := r.f.store.ListDomainBlocks(ctx)
		if err != nil {
			return false, err
		}
		r.blocks = blocksOf(list)
		r.blocksAt = time.Now()
	}
	return r.blocks.Covers(host), nil
}

// loadHosts reads, in one query, the records of the hosts of ds that the
// cache lacks or holds for longer than cacheFor (unless changed since).
func (r *runner) loadHosts(ctx context.Context, ds []*Delivery) error {
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
	got, err := r.f.store.HostsByName(ctx, want)
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
			h = &HostHealth{Host: host}
		}
		r.hosts[host] = &hostEntry{h: *h, seen: now}
	}
	return nil
}

// health returns a copy of a host's record.
func (r *runner) health(ctx context.Context, host string) (HostHealth, error) {
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
func (r *runner) readHost(ctx context.Context, host string) (HostHealth, error) {
	h, err := r.f.store.Host(ctx, host)
	if errors.Is(err, forum.ErrNotFound) {
		return HostHealth{Host: host}, nil
	} else if err != nil {
		return HostHealth{}, err
	}
	return *h, nil
}

// recordHost keeps a host's record and opens its circuit after
// BreakerAfter consecutive failures. Concurrent sends to one host each
// count. (Several processes sharing a database still race here; a record
// off by one only shifts when the breaker opens.)
func (r *runner) recordHost(ctx context.Context, host string, ok bool) {
	if r.batch {
		if err := r.loadHosts(ctx, []*Delivery{{Host: host}}); err != nil {
			r.f.log.Error("host health", "host", host, "err", err)
			return
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var h HostHealth
	if e := r.hosts[host]; r.batch && e != nil {
		h = e.h
	} else {
		// Read afresh under the lock: concurrent sends each count.
		fresh, err := r.readHost(ctx, host)
		if err != nil {
			r.f.log.Error("host health", "host", host, "err", err)
			return
		}
		h = fresh
	}
	now := r.f.cfg.Clock.Now()
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
		if h.ConsecutiveFails >= r.f.cfg.Delivery.BreakerAfter {
			until := now.Add(r.f.cfg.Delivery.BreakerPeriod)
			h.OpenUntil = &until
		}
	}
	if !r.batch {
		if err := r.f.store.SaveHost(ctx, &h); err != nil {
			r.f.log.Error("save host health", "host", h.Host, "err", err)
		}
		return
	}
	r.hosts[host] = &hostEntry{h: h, seen: time.Now()}
	r.dirty[host] = true
	r.wakeFlush()
}

// finish records a final outcome.
func (r *runner) finish(ctx context.Context, d *Delivery, state DeliveryState, status int, msg string) {
	at := r.f.cfg.Clock.Now()
	d.State, d.LastStatus, d.LastError, d.FinishedAt = state, status, msg, &at
	r.f.obs.Delivery(string(state))
	if state != DeliveryDone {
		r.f.log.Info("delivery given up", "inbox", d.Inbox, "state", state, "status", status, "reason", msg)
	}
	if !r.batch {
		if err := r.f.store.FinishDelivery(ctx, d); err != nil {
			r.f.log.Error("finish delivery", "err", err)
		}
		return
	}
	r.mu.Lock()
	r.finished = append(r.finished, d)
	r.mu.Unlock()
	r.wakeFlush()
}

// retry records when to try again.
func (r *runner) retry(ctx context.Context, d *Delivery) {
	if !r.batch {
		if err := r.f.store.RetryDelivery(ctx, d); err != nil {
			r.f.log.Error("reschedule delivery", "err", err)
		}
		return
	}
	r.mu.Lock()
	r.retried = append(r.retried, d)
	r.mu.Unlock()
	r.wakeFlush()
}

func (r *runner) wakeFlush() { wake(r.flushWake) }

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
	hosts := make([]*HostHealth, 0, len(r.dirty))
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
	at := r.f.cfg.Clock.Now()
	for _, d := range finished {
		d.FinishedAt = &at
	}
	err := r.f.store.FederationAtomic(ctx, func(ctx context.Context, tx Store) error {
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
		r.f.log.Error("write delivery outcomes", "deliveries", len(finished)+len(retried), "err", err)
	}
	if len(finished)+len(retried) > 0 {
		r.f.wakeDeliveries() // their leases are gone: their hosts have room
	}
}
