package federation

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/metropolis/agora/federation/fetch"
)

// Versioner counts the writes made to the store by this process (see
// storage.Changes): a cache filled at version N is good while the version
// is still N.
type Versioner interface {
	Version() uint64
}

// blockCacheTTL bounds how long the block list is used without reading it
// again, for blocks made by another process (the admin command, another
// server on the same PostgreSQL). This process's own writes reload it at
// once (Versioner).
const blockCacheTTL = time.Second

// blockCache holds the blocked domains in memory: every inbox request,
// every delivery and every outgoing request (fetch.Blocklist) asks, and the
// list is small.
type blockCache struct {
	changes Versioner // nil: no caching, the store answers every time
	mu      sync.Mutex
	domains fetch.Blocks
	version uint64
	loaded  time.Time
}

// set returns the blocked domains, from memory while fresh.
func (c *blockCache) set(ctx context.Context, f *Federation) (fetch.Blocks, error) {
	v := c.changes.Version()
	c.mu.Lock()
	if c.domains != nil && c.version == v && time.Since(c.loaded) < blockCacheTTL {
		d := c.domains
		c.mu.Unlock()
		return d, nil
	}
	c.mu.Unlock()
	now := time.Now()
	list, err := f.store.ListDomainBlocks(ctx)
	if err != nil {
		return nil, fmt.Errorf("list domain blocks: %w", err)
	}
	d := blocksOf(list)
	c.mu.Lock()
	c.domains, c.version, c.loaded = d, v, now
	c.mu.Unlock()
	return d, nil
}

// blocksOf is the set of a list of blocks.
func blocksOf(list []*DomainBlock) fetch.Blocks {
	entries := make([]string, len(list))
	for i, b := range list {
		entries[i] = b.Domain
	}
	return fetch.NewBlocks(entries)
}

// domainsBlocked reports whether any of domains, or a domain one of them
// is a subdomain of, is blocked (the rule of fetch.Blocks.Covers).
func (f *Federation) domainsBlocked(ctx context.Context, domains ...string) (bool, error) {
	if f.blocks.changes == nil {
		return f.store.DomainsBlocked(ctx, domains...)
	}
	set, err := f.blocks.set(ctx, f)
	if err != nil || len(set) == 0 {
		return false, err
	}
	for _, d := range domains {
		if set.Covers(d) {
			return true, nil
		}
	}
	return false, nil
}

// fetchBlocklist is the block list as the fetch client asks it, before
// every request the node makes.
type fetchBlocklist struct{ f *Federation }

func (b fetchBlocklist) Blocked(ctx context.Context, host string) (bool, error) {
	return b.f.hostBlocked(ctx, host)
}
