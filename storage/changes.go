package storage

import (
	"context"
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/uptrace/bun"
)

// Changes counts the writes this process makes to the database, so caches
// of what is read from it (rendered pages, ActivityPub documents, the
// block list) know when to forget: an entry made while a counter read N
// is good only while it still reads N.
//
// Two views of the same writes:
//   - Version moves on every write, whatever it changed: for entries that
//     may depend on anything (a forum's thread list, the home page).
//   - ThreadVersion(id) moves on the writes to thread id and on every write
//     whose scope is unknown: for entries that depend on one thread and on
//     things only unscoped writes change (its forum, its authors, the
//     settings). A write has a scope only when the storage method making it
//     says so (withThreadScope) and the table it writes is one of the
//     thread's (threadTables); any other write, a raw statement included,
//     moves every thread's version. Forgetting a scope costs cache hits,
//     never correctness.
//
// The counters move after every statement that writes (outside the queue
// and session tables, whose rows no cache holds) and, inside a
// transaction, after its COMMIT.
// A reader reads the counter before it reads the database: a write that
// commits after that moves the counter past what the reader saw, so its
// entry is never used; a write committed before is in what it read.
//
// Other processes' writes (a second server on the same PostgreSQL, the
// admin commands) are not seen: caches bound that with a short lifetime,
// and the live feed (another process's new answer) calls ThreadChanged.
type Changes struct {
	n       atomic.Uint64 // every write
	all     atomic.Uint64 // writes whose scope is unknown
	seed    maphash.Seed
	threads [threadStripes]atomic.Uint64
}

// threadStripes is how many counters the threads share: a thread's writes
// move one of them, so two threads on the same stripe drop each other's
// entries (harmless), and memory stays fixed however many threads exist.
const threadStripes = 4096

// NewChanges returns a counter at zero.
func NewChanges() *Changes { return &Changes{seed: maphash.MakeSeed()} }

// Version is the number of writes so far.
func (c *Changes) Version() uint64 { return c.n.Load() }

// ThreadVersion is the version of what thread id's pages are made of: it
// moves on writes to that thread and on writes of unknown scope. Both
// counters only grow, so their sum is unchanged only while neither moved.
func (c *Changes) ThreadVersion(id string) uint64 {
	return c.all.Load() + c.stripe(id).Load()
}

// Bump records a write made outside the hook's sight, of unknown scope.
func (c *Changes) Bump() {
	c.all.Add(1)
	c.n.Add(1)
}

// ThreadChanged records a write to thread id made outside the hook's
// sight (by another process, announced on the live feed).
func (c *Changes) ThreadChanged(id string) {
	c.stripe(id).Add(1)
	c.n.Add(1)
}

func (c *Changes) stripe(id string) *atomic.Uint64 {
	return &c.threads[maphash.String(c.seed, id)%threadStripes]
}

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

// threadTables hold rows that belong to one thread: a write to them made
// under withThreadScope changes that thread only.
var threadTables = map[string]bool{
	"threads": true, "posts": true, "post_translations": true,
}

type threadScopeKey struct{}

// withThreadScope says the writes made with ctx to threadTables change
// thread id and nothing else a cache holds.
func withThreadScope(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, threadScopeKey{}, id)
}

// BeforeQuery implements bun.QueryHook.
func (c *Changes) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

// txState follows one transaction (Store.atomic): whether it wrote a
// table some cache may hold, and what those writes changed.
type txState struct {
	dirty   atomic.Bool
	mu      sync.Mutex
	all     bool                // a write of unknown scope
	threads map[string]struct{} // threads written
}

func (st *txState) record(thread string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if thread == "" {
		st.all = true
		return
	}
	if st.threads == nil {
		st.threads = map[string]struct{}{}
	}
	st.threads[thread] = struct{}{}
}

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
		if st == nil {
			c.Bump() // a transaction this hook did not follow
			return
		}
		if !st.dirty.Load() {
			return // a transaction on queue tables only
		}
		c.n.Add(1)
		st.mu.Lock()
		defer st.mu.Unlock()
		if st.all {
			c.all.Add(1)
			return
		}
		for id := range st.threads {
			c.stripe(id).Add(1)
		}
	default:
		table := ""
		if e.IQuery != nil {
			table = strings.Trim(e.IQuery.GetTableName(), "\"`")
		}
		if uncachedTables[table] {
			return
		}
		thread, _ := ctx.Value(threadScopeKey{}).(string)
		if !threadTables[table] {
			thread = ""
		}
		c.n.Add(1)
		if st != nil {
			st.dirty.Store(true)
			st.record(thread) // the scoped counters move at COMMIT
			return
		}
		if thread == "" {
			c.all.Add(1)
		} else {
			c.stripe(thread).Add(1)
		}
	}
}
