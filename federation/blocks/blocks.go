// Package blocks answers whether an instance is blocked. Every inbox
// request, every delivery and every outgoing request asks (fetch.Blocklist),
// and the list is small: it is kept in memory while the blocks' stored
// version is unchanged.
package blocks

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"

	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/stored"
)

// Store is what the block list reads.
type Store interface {
	ListDomainBlocks(ctx context.Context) ([]*stored.DomainBlock, error)
	// DomainBlocksVersion changes whenever a block is added, changed or
	// lifted, by any process on the database, and on nothing else.
	DomainBlocksVersion(ctx context.Context) (string, error)
}

// List is the node's block list, kept in memory while the stored blocks
// version is the one it was read at. Asking costs one read of one row, not
// of the list; and no other write (a reply applied, a page viewed) makes
// it read the list again, while a block made by another process (the
// admin command, another server on the same PostgreSQL) is seen at the
// next question.
type List struct {
	store   Store
	mu      sync.Mutex
	domains fetch.Blocks
	version string
	loaded  bool
}

// New returns the block list of store.
func New(store Store) *List { return &List{store: store} }

// set returns the blocked domains, from memory while the stored version
// is unchanged.
func (l *List) set(ctx context.Context) (fetch.Blocks, error) {
	// The version is read before the list: a block committed in between
	// moves the version past the one kept with the list, so the next
	// question reads the list again.
	v, err := l.store.DomainBlocksVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("block list: %w", err)
	}
	l.mu.Lock()
	if l.loaded && l.version == v {
		d := l.domains
		l.mu.Unlock()
		return d, nil
	}
	l.mu.Unlock()
	list, err := l.store.ListDomainBlocks(ctx)
	if err != nil {
		return nil, fmt.Errorf("list domain blocks: %w", err)
	}
	d := Set(list)
	l.mu.Lock()
	l.domains, l.version, l.loaded = d, v, true
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

// BlockedURL reports whether the host of rawURL is a blocked instance. A
// block names a domain: an explicit port (https://evil.example:443/…) does
// not escape it. A URL without a host names no instance.
func (l *List) BlockedURL(ctx context.Context, rawURL string) (bool, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return false, nil
	}
	host, err := fetch.CanonicalHost(u)
	if err != nil {
		host = strings.ToLower(u.Host) // a name no request can reach
	}
	return l.Blocked(ctx, host)
}
