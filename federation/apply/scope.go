package apply

import (
	"context"

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
