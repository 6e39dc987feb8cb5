package actors

import (
	"context"
	"errors"
	"time"

	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
)

// FetchGate lets one process of a node fetch a remote document while the
// others wait for it in the shared store (Redis SET NX, in
// storage/redisstore). Without a gate each process fetches for itself;
// within a process concurrent fetches of one URL are always merged.
type FetchGate interface {
	// Acquire reports whether this process may fetch key now; false means
	// another process is fetching it (for at most ttl).
	Acquire(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// Release lets others fetch key again.
	Release(ctx context.Context, key string)
}

// How long a process may hold a fetch, and how long the others wait for
// its result before fetching themselves.
const (
	fetchGateTTL  = 35 * time.Second // beyond the fetcher's 30 s total timeout
	fetchGateWait = 10 * time.Second
)

// fetchActorOnce fetches the actor at uri once per node: concurrent calls
// in this process share one fetch (singleflight), and with a FetchGate a
// process that finds another one fetching waits for the actor to appear,
// fresh, in the shared store. refresh (a key rotation, an explicit
// refetch) skips waiting: the caller wants the origin's latest document.
func (c *Cache) fetchActorOnce(ctx context.Context, uri string, refresh bool) (*stored.RemoteActor, error) {
	v, err, _ := c.flight.Do(uri, func() (any, error) {
		// The fetch serves every caller: one caller giving up does not
		// cancel it (the fetcher has its own timeouts).
		ctx := context.WithoutCancel(ctx)
		gate := c.cfg.FetchGate
		if gate == nil {
			return c.fetch(ctx, uri)
		}
		ok, err := gate.Acquire(ctx, "actor:"+uri, fetchGateTTL)
		if err != nil {
			c.cfg.Log.Warn("fetch gate unavailable, fetching anyway", "err", err)
			return c.fetch(ctx, uri)
		}
		if ok {
			defer gate.Release(ctx, "actor:"+uri)
			return c.fetch(ctx, uri)
		}
		if !refresh {
			if a := c.waitStored(ctx, uri); a != nil {
				return a, nil
			}
		}
		return c.fetch(ctx, uri)
	})
	if err != nil {
		return nil, err
	}
	return v.(*stored.RemoteActor), nil
}

// waitStored polls the store for a fresh copy of the actor that another
// process is fetching; nil when none comes within fetchGateWait.
func (c *Cache) waitStored(ctx context.Context, uri string) *stored.RemoteActor {
	deadline := time.Now().Add(fetchGateWait)
	for time.Now().Before(deadline) {
		a, err := c.cfg.Store.RemoteActor(ctx, uri)
		if err == nil && c.cfg.Clock.Now().Sub(a.FetchedAt) < TTL {
			return a
		}
		if err != nil && !errors.Is(err, forum.ErrNotFound) {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}
