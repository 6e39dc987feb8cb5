package apply

import (
	"context"
	"net/url"
	"strings"

	"github.com/metropolis/agora/forum"
)

// A batch's activities are applied with the batch's transaction and a
// forum service on it (over a BatchStore); an item applied alone, with the
// node's. The handlers read both through forum and store, so the same code
// applies an item either way, and a received translation or RSVP inside a
// batch never opens a second transaction (which, on SQLite, would wait for
// the lock its own batch holds).
type scope struct {
	svc   *forum.Service
	store Store
	// blocked are the block list's answers by host, asked once per batch
	// (see blockedURL).
	blocked map[string]bool
}

type scopeKey struct{}

// InBatch reports whether ctx is a batch's: remote actors are then read
// only as held, never fetched (see the federation's actor cache).
func InBatch(ctx context.Context) bool {
	_, ok := ctx.Value(scopeKey{}).(*scope)
	return ok
}

// forum is the forum service to apply with: the batch's, or the node's.
func (a *Applier) forum(ctx context.Context) *forum.Service {
	if s, ok := ctx.Value(scopeKey{}).(*scope); ok {
		return s.svc
	}
	return a.cfg.Forum
}

// store is the store to apply with: the batch's transaction, or the
// node's store.
func (a *Applier) store(ctx context.Context) Store {
	if s, ok := ctx.Value(scopeKey{}).(*scope); ok {
		return s.store
	}
	return a.cfg.Store
}

// blockedURL reports whether rawURL is on a blocked instance. Inside a
// batch each host is asked once: every question costs a read of the
// block list's version (a round trip the lane waits on, on PostgreSQL), and
// a batch asks about the same few hosts for each of its items. A block
// committed while a batch runs (under 100 ms) is seen by the next batch,
// as if the batch had been applied a moment earlier.
func (a *Applier) blockedURL(ctx context.Context, rawURL string) (bool, error) {
	s, ok := ctx.Value(scopeKey{}).(*scope)
	if !ok || s.blocked == nil {
		return a.cfg.Blocks.BlockedURL(ctx, rawURL)
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return a.cfg.Blocks.BlockedURL(ctx, rawURL)
	}
	host := strings.ToLower(u.Scheme + "://" + u.Host)
	if b, ok := s.blocked[host]; ok {
		return b, nil
	}
	b, err := a.cfg.Blocks.BlockedURL(ctx, rawURL)
	if err == nil {
		s.blocked[host] = b
	}
	return b, err
}
