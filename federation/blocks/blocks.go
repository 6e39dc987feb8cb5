// Package blocks answers whether an instance is blocked. Every inbox
// request, every delivery and every outgoing request asks (fetch.Blocklist),
// and the list is small: it is kept in memory while the store is unchanged.
package blocks

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/stored"
)

// Store is what the block list reads.
type Store interface {
	ListDomainBlocks(ctx context.Context) ([]*stored.DomainBlock, error)
	// DomainsBlocked reports whether any of domains (or a parent) is
	// blocked, in one query.
	DomainsBlocked(ctx context.Context, domains ...string) (bool, error)
}

// Versioner counts the writes made to the store by this process (see
// storage.Changes): a cache filled at version N is good while the version
// is still N.
type Versioner interface {
	Version() uint64
}

// cacheTTL bounds how long the block list is used without reading it
// again, for blocks made by another process (the admin command, another
// server on the same PostgreSQL). This process's own writes reload it at
// once (Versioner).
const cacheTTL = time.Second

// List is the node's block list.
type List struct {
	store   Store
	changes Versioner // nil: no caching, the store answers every time
	mu      sync.Mutex
	domains fetch.Blocks
	version uint64
	loaded  time.Time
}

// New returns the block list of store; with changes nil every question
// goes to the store.
func New(store Store, changes Versioner) *List {
	return &List{store: store, changes: changes}
}

// set returns the blocked domains, from memory while fresh.
func (l *List) set(ctx context.Context) (fetch.Blocks, error) {
	v := l.changes.Version()
	l.mu.Lock()
	if l.domains != nil && l.version == v && time.Since(l.loaded) < cacheTTL {
		d := l.domains
		l.mu.Unlock()
		return d, nil
	}
	l.mu.Unlock()
	now := time.Now()
	list, err := l.store.ListDomainBlocks(ctx)
	if err != nil {
		return nil, fmt.Errorf("list domain blocks: %w", err)
	}
	d := Set(list)
	l.mu.Lock()
	l.domains, l.version, l.loaded = d, v, now
	l.mu.Unlock()
	return d, nil
}

// Set is the set of a list of blocks.
func Set(list []*stored.DomainBlock) fetch.Blocks {
	entries := make([]string, len(list))
	for i, b := range list {
		entries[i] = b.Domain
	}
	return fetch.NewBlocks(entries)
}

// Domains reports whether any of domains, or a domain one of them is a
// subdomain of, is blocked (the rule of fetch.Blocks.Covers).
func (l *List) Domains(ctx context.Context, domains ...string) (bool, error) {
	if l.changes == nil {
		return l.store.DomainsBlocked(ctx, domains...)
	}
	set, err := l.set(ctx)
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

// Blocked reports whether a host (host[:port]) is blocked: by a block of
// host:port itself, or of its domain whatever the port (blocking
// example.org stops deliveries to example.org:8443 too). It is the
// fetch client's Blocklist: nothing is ever sent to a blocked instance,
// whatever asks.
func (l *List) Blocked(ctx context.Context, host string) (bool, error) {
	if name, _, err := net.SplitHostPort(host); err == nil && name != "" {
		return l.Domains(ctx, host, name)
	}
	return l.Domains(ctx, host)
}
