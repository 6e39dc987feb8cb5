// Package blocks answers whether an instance is blocked. Every inbox
// request, every delivery and every outgoing request asks (fetch.Blocklist),
// and the list is small: it is kept in memory, and a question costs no
// database read while this process changed no block and the stored
// version was read less than MaxAge ago.
package blocks

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/stored"
)

// Store is what the block list reads.
type Store interface {
	ListDomainBlocks(ctx context.Context) ([]*stored.DomainBlock, error)
	// DomainBlocksVersion changes whenever a block is added, changed or
	// lifted, by any process on the database, and on nothing else.
	DomainBlocksVersion(ctx context.Context) (string, error)
	// DomainBlocksMoves counts the changes of that version this process
	// committed, without reading the database; it moves before and after
	// each COMMIT, so once a block or unblock has returned, a question
	// reading it finds it moved past what was read before the change.
	DomainBlocksMoves() uint64
}

// Clock tells the time (forum.Clock; tests move it by hand).
type Clock interface{ Now() time.Time }

// MaxAge bounds how long a block made by another process (the admin
// command on the same SQLite file, another server on the same
// PostgreSQL) goes unseen: a question asked MaxAge after its commit
// reads the stored version again. It costs one read of one row per
// MaxAge, whatever the number of questions; this process's own changes
// are seen at the next question (DomainBlocksMoves).
const MaxAge = time.Second

// List is the node's block list, kept in memory while the stored blocks
// version is the one it was read at. A question reads nothing while the
// version was read less than MaxAge ago and DomainBlocksMoves has not
// moved since; otherwise it reads the version (one row), and the list only
// if the version changed: no other write (a reply applied, a page viewed)
// makes it read the list again.
type List struct {
	store Store
	clock Clock
	// reading lets one question at a time read the stored version: the
	// others wait for it and use what it read rather than each reading
	// the same row.
	reading chan struct{}
	mu      sync.Mutex
	domains fetch.Blocks
	version string
	moves   uint64    // DomainBlocksMoves read before version
	readAt  time.Time // the clock read before version
	loaded  bool
}

// New returns the block list of store, timed by clock.
func New(store Store, clock Clock) *List {
	return &List{store: store, clock: clock, reading: make(chan struct{}, 1)}
}

// cached returns the domains kept in memory if they may be used at now
// with the counter at moves: read since the last change this process
// made, and less than MaxAge ago (a clock gone back counts as stale).
func (l *List) cached(now time.Time, moves uint64) (fetch.Blocks, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.loaded || l.moves != moves {
		return nil, false
	}
	if age := now.Sub(l.readAt); age < 0 || age >= MaxAge {
		return nil, false
	}
	return l.domains, true
}

// set returns the blocked domains: from memory while cached allows,
// else after reading the stored version (and the list if it moved).
func (l *List) set(ctx context.Context) (fetch.Blocks, error) {
	// The counter and the clock are read before the version, and the
	// version before the list: a change committed after the counter was
	// read moves it again (at its COMMIT), and one committed by another
	// process after the version was read is at most MaxAge from being
	// read, so nothing kept is ever used past its change's bounds.
	if d, ok := l.cached(l.clock.Now(), l.store.DomainBlocksMoves()); ok {
		return d, nil
	}
	select {
	case l.reading <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("block list: %w", ctx.Err())
	}
	defer func() { <-l.reading }()
	now, moves := l.clock.Now(), l.store.DomainBlocksMoves()
	if d, ok := l.cached(now, moves); ok {
		return d, nil // read by the question this one waited for
	}
	v, err := l.store.DomainBlocksVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("block list: %w", err)
	}
	l.mu.Lock()
	if l.loaded && l.version == v {
		l.moves, l.readAt = moves, now
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
	l.domains, l.version, l.moves, l.readAt, l.loaded = d, v, moves, now, true
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
