package federation

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
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

// blockCache holds the blocked domains in memory: every inbox request and
// every delivery asks, and the list is small.
type blockCache struct {
	changes Versioner // nil: no caching, the store answers every time
	mu      sync.Mutex
	domains map[string]bool
	version uint64
	loaded  time.Time
}

// set returns the blocked domains, from memory while fresh.
func (c *blockCache) set(ctx context.Context, f *Federation) (map[string]bool, error) {
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
	d := make(map[string]bool, len(list))
	for _, b := range list {
		d[strings.TrimSuffix(strings.ToLower(b.Domain), ".")] = true
	}
	c.mu.Lock()
	c.domains, c.version, c.loaded = d, v, now
	c.mu.Unlock()
	return d, nil
}

// domainsBlocked reports whether any of domains, or a domain one of them
// is a subdomain of, is blocked (the rule of Store.DomainBlocked).
func (f *Federation) domainsBlocked(ctx context.Context, domains ...string) (bool, error) {
	if f.blocks.changes == nil {
		return f.store.DomainsBlocked(ctx, domains...)
	}
	set, err := f.blocks.set(ctx, f)
	if err != nil || len(set) == 0 {
		return false, err
	}
	for _, d := range domains {
		d = strings.TrimSuffix(strings.ToLower(d), ".")
		for d != "" {
			if set[d] {
				return true, nil
			}
			i := strings.IndexByte(d, '.')
			if i < 0 {
				break
			}
			d = d[i+1:]
		}
	}
	return false, nil
}
