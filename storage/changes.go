package storage

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/uptrace/bun"
)

// Changes counts the writes this process makes to the database, so caches
// of what is read from it (rendered pages, ActivityPub documents, the
// block list) know when to forget: an entry made while the counter read N
// is good only while it still reads N.
//
// The counter moves after every statement that writes (outside the queue
// and session tables, whose rows no cache holds) and after the COMMIT of
// every transaction that made such a write.
// A reader reads the counter before it reads the database: a write that
// commits after that moves the counter past what the reader saw, so its
// entry is never used; a write committed before is in what it read.
//
// Other processes' writes (a second server on the same PostgreSQL, the
// admin commands) are not seen: caches bound that with a short lifetime.
type Changes struct {
	n atomic.Uint64
}

// Version is the number of writes so far.
func (c *Changes) Version() uint64 { return c.n.Load() }

// Bump records a write made outside the hook's sight.
func (c *Changes) Bump() { c.n.Add(1) }

// uncachedTables are written often and held by no cache: writes to them
// alone do not move the counter (a COMMIT still does).
var uncachedTables = map[string]bool{
	"inbox_items": true, "deliveries": true, "hosts": true, "sessions": true,
	"login_tokens": true, "cursors": true, "outbox_activities": true,
	// Events are appended in the transaction of the change they record
	// (which moves the counter); marking them published changes nothing
	// a cache holds.
	"events": true,
}

// BeforeQuery implements bun.QueryHook.
func (c *Changes) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

// txState follows one transaction (Store.atomic): whether it wrote a
// table some cache may hold.
type txState struct{ dirty atomic.Bool }

type txStateKey struct{}

// withTxState marks ctx as the context of a new transaction.
func withTxState(ctx context.Context) context.Context {
	return context.WithValue(ctx, txStateKey{}, &txState{})
}

// AfterQuery implements bun.QueryHook.
func (c *Changes) AfterQuery(ctx context.Context, e *bun.QueryEvent) {
	st, _ := ctx.Value(txStateKey{}).(*txState)
	// The statement's first word, not e.Operation(): bun calls every raw
	// query a SELECT.
	op, _, _ := strings.Cut(strings.TrimSpace(e.Query), " ")
	switch strings.ToUpper(op) {
	case "SELECT", "BEGIN", "ROLLBACK":
		return
	case "COMMIT":
		if st != nil && !st.dirty.Load() {
			return // a transaction on queue tables only
		}
	default:
		if e.IQuery != nil {
			if t := strings.Trim(e.IQuery.GetTableName(), "\"`"); uncachedTables[t] {
				return
			}
		}
		if st != nil {
			st.dirty.Store(true)
		}
	}
	c.n.Add(1)
}
