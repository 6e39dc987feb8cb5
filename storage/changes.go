package storage

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

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
//     settings). PostVersion(id) is the same for one post (its row and
//     translations). A write has a scope only when the storage method
//     making it says so (withThreadScope, withPostScope) and the table it
//     writes belongs to that scope (the thread's row for a thread scope, the
//     post's rows for a post scope); any other write, a raw statement
//     included, moves every thread's and post's version. Forgetting a scope
//     costs cache hits, never correctness. A write to a post moves its
//     thread's version too, and the thread's first: whoever sees a post's
//     new version and then its thread's unchanged knows the post did not
//     change since the thread's version was read.
//
// The counters move before and after every statement that writes outside
// a transaction (except to the queue and session tables, whose rows no
// cache holds) and, inside a transaction, before and after its COMMIT.
// A reader reads the counter before it reads the database: a write that
// commits after that moves the counter past what the reader saw, so its
// entry is never used; a write committed before is in what it read.
//
// Other processes' writes (a second server on the same PostgreSQL, the
// admin commands) are not seen: caches bound that with a short lifetime,
// and the live feed (another process's new answer) calls ThreadChanged.
//
// A third view, DomainBlocksMoves, moves only with the block list's stored
// version (see Store.DomainBlocksMoves), by the same rule.
type Changes struct {
	n       atomic.Uint64 // every write
	all     atomic.Uint64 // writes whose scope is unknown
	threads [threadStripes]atomic.Uint64
	posts   [threadStripes]atomic.Uint64
	blocks  atomic.Uint64 // commits that moved the block list's version
}

// threadStripes is how many counters the threads share (and the posts):
// a thread's writes move one of them, so two threads on the same stripe
// drop each other's entries (harmless), and memory stays fixed however
// many threads exist.
const threadStripes = 4096

// NewChanges returns a counter at zero (as is a zero Changes).
func NewChanges() *Changes { return &Changes{} }

// Version is the number of writes so far.
func (c *Changes) Version() uint64 { return c.n.Load() }

// ThreadVersion is the version of what thread id's pages are made of: it
// moves on writes to that thread and on writes of unknown scope. Both
// counters only grow, so their sum is unchanged only while neither moved.
func (c *Changes) ThreadVersion(id string) uint64 {
	return c.all.Load() + c.stripe(id).Load()
}

// PostVersion is the version of what post id's rendering is made of: it
// moves on writes to that post and on writes of unknown scope.
func (c *Changes) PostVersion(id string) uint64 {
	return c.all.Load() + c.post(id).Load()
}

// DomainBlocksMoves counts this process's commits that moved the block
// list's stored version, moved before and after each COMMIT as the other
// counters are: no other write moves it.
func (c *Changes) DomainBlocksMoves() uint64 { return c.blocks.Load() }

// domainBlocksMoved says that the transaction of ctx moves the block
// list's stored version, so its COMMIT moves DomainBlocksMoves. Outside a
// followed transaction (blocks change in Store.atomic, so only if that
// changed) the write commits when it returns, or at a COMMIT the hook
// does not follow, which moves the counter too: move it now, before the
// write, and after (moveAfter).
func (c *Changes) domainBlocksMoved(ctx context.Context) (moveAfter func()) {
	if st, _ := ctx.Value(txStateKey{}).(*txState); st != nil {
		st.blocks.Store(true)
		return func() {}
	}
	c.blocks.Add(1)
	return func() { c.blocks.Add(1) }
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

func (c *Changes) stripe(id string) *atomic.Uint64 { return &c.threads[stripeOf(id)] }

func (c *Changes) post(id string) *atomic.Uint64 { return &c.posts[stripeOf(id)] }

// stripeOf spreads ids over the stripes (FNV-1a: no seed, so a zero
// Changes works, and no allocation).
func stripeOf(id string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(id); i++ {
		h ^= uint32(id[i])
		h *= 16777619
	}
	return h % threadStripes
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
	// The search index is written with the post or thread it indexes
	// (which moves the counters) and is read by no cached page; SQLite's
	// full-text table is brought up to date later (search_fts_pending.go).
	"search_docs": true, "post_tags": true,
	// Notifications, watches and read positions are shown only on
	// members' pages, which are rendered for each request.
	"notifications": true, "watches": true, "read_positions": true, "notify_prefs": true, "notify_mail_prefs": true,
	"mail_queue": true, "member_emails": true,
}

// searchIndexerTables are what SQLite's search indexer writes
// (search_fts_pending.go), by raw statements: read by no cached page.
var searchIndexerTables = map[string]bool{"search_fts": true, "search_fts_pending": true}

// threadTables hold a thread's own row: a write to them made under
// withThreadScope changes that thread only. postTables hold a post's rows:
// a write to them made under withPostScope changes that post (and its
// thread) only.
var (
	threadTables = map[string]bool{"threads": true}
	postTables   = map[string]bool{"posts": true, "post_translations": true, "post_images": true}
)

type scopeKey struct{}

// scope is what the writes made with a context change.
type scope struct{ thread, post string }

// withThreadScope says the writes made with ctx to threadTables change
// thread id and nothing else a cache holds.
func withThreadScope(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, scopeKey{}, scope{thread: id})
}

// withPostScope says the writes made with ctx to postTables change post
// id of thread thread, and nothing else a cache holds; to threadTables,
// that thread.
func withPostScope(ctx context.Context, thread, id string) context.Context {
	return context.WithValue(ctx, scopeKey{}, scope{thread: thread, post: id})
}

// BeforeQuery implements bun.QueryHook. A COMMIT, or a write outside a
// transaction, moves the counters before it runs as well as after: a
// reader that comes after the write is visible but before the hook's
// AfterQuery has run (the goroutine may be descheduled in between) must
// not find the counter unchanged and serve what it cached before the
// write. An entry made between the two moves is dropped by the second.
func (c *Changes) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	st, _ := ctx.Value(txStateKey{}).(*txState)
	op := firstWord(e.Query)
	if op == "COMMIT" || st == nil {
		c.observe(ctx, e, st, op)
	}
	return ctx
}

// firstWord is a statement's first word in upper case, not
// e.Operation(): bun calls every raw query a SELECT. The word ends at any
// space: a statement written over several lines ("SELECT\n\t…") is still
// a SELECT (cut at " " only, it was an unknown write that dropped every
// cached page).
func firstWord(query string) string {
	q := strings.TrimSpace(query)
	if i := strings.IndexFunc(q, unicode.IsSpace); i >= 0 {
		q = q[:i]
	}
	return strings.ToUpper(q)
}

// txState follows one transaction (Store.atomic): whether it wrote a
// table some cache may hold, and what those writes changed.
type txState struct {
	dirty  atomic.Bool
	search atomic.Bool // it stored a post or wrote search_docs: the search indexer is woken at COMMIT
	blocks atomic.Bool // the block list's version moved (domainBlocksMoved)
	mu     sync.Mutex
	all    bool               // a write of unknown scope
	scopes map[scope]struct{} // what the other writes changed
}

func (st *txState) record(sc scope) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if sc.thread == "" {
		st.all = true
		return
	}
	if st.scopes == nil {
		st.scopes = map[scope]struct{}{}
	}
	st.scopes[sc] = struct{}{}
}

// bump moves the versions of what sc changed: the thread's before the
// post's (see Changes).
func (c *Changes) bump(sc scope) {
	if sc.thread == "" {
		c.all.Add(1)
		return
	}
	c.stripe(sc.thread).Add(1)
	if sc.post != "" {
		c.post(sc.post).Add(1)
	}
}

type txStateKey struct{}

// withTxState marks ctx as the context of a new transaction.
func withTxState(ctx context.Context) context.Context {
	return context.WithValue(ctx, txStateKey{}, &txState{})
}

// AfterQuery implements bun.QueryHook.
func (c *Changes) AfterQuery(ctx context.Context, e *bun.QueryEvent) {
	st, _ := ctx.Value(txStateKey{}).(*txState)
	c.observe(ctx, e, st, firstWord(e.Query))
}

// observe moves the counters for statement e (first word op) run with ctx
// in transaction st (nil outside one followed by this hook).
func (c *Changes) observe(ctx context.Context, e *bun.QueryEvent, st *txState, op string) {
	switch op {
	case "SELECT", "BEGIN", "ROLLBACK", "SAVEPOINT", "RELEASE": // ROLLBACK TO SAVEPOINT, RELEASE SAVEPOINT: nothing written
		return
	case "COMMIT":
		if st == nil {
			// A transaction this hook did not follow: it may have
			// changed anything, the blocks included.
			c.Bump()
			c.blocks.Add(1)
			return
		}
		if st.blocks.Load() {
			c.blocks.Add(1)
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
		for sc := range st.scopes {
			c.stripe(sc.thread).Add(1)
		}
		for sc := range st.scopes {
			if sc.post != "" {
				c.post(sc.post).Add(1)
			}
		}
	default:
		table := ""
		if e.IQuery != nil {
			table = strings.Trim(e.IQuery.GetTableName(), "\"`")
		}
		if uncachedTables[table] {
			return
		}
		// The search indexer's raw statements (no model) move nothing
		// either; any other raw statement keeps an unknown scope.
		if table == "" && searchIndexerTables[writeTarget(e.Query)] {
			return
		}
		sc, _ := ctx.Value(scopeKey{}).(scope)
		switch {
		case threadTables[table] && sc.thread != "":
			sc.post = "" // the thread's row only
		case postTables[table] && sc.post != "":
		default:
			sc = scope{} // unknown: everything
		}
		c.n.Add(1)
		if st != nil {
			st.dirty.Store(true)
			st.record(sc) // the scoped counters move at COMMIT
			return
		}
		c.bump(sc)
	}
}
