package storage

import (
	"context"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"
)

// The indexer of SQLite's search_docs and search_fts (search_follow.go
// and search_fts_pending.go explain the batches): a query hook sees the
// commits that stored posts or wrote search_docs and wakes it; it waits a moment for more (the writes of a burst then share
// one transaction, one FTS5 segment) and indexes what is pending.

// SearchIndexing tunes RunSearchIndexer; zero fields take the defaults.
type SearchIndexing struct {
	// Delay is how long the indexer waits after a commit that stored a
	// post or wrote search_docs for more of them (default 50 ms). A search in between
	// indexes the pending documents itself, so it only trades the
	// batches' size against the index's lag behind the posts.
	Delay time.Duration
	// Commits is how many such commits make it index at once, without
	// waiting for Delay to pass (default 200).
	Commits int
	// Poll is how often it looks for documents that no commit of this
	// process announced: another process's (default 2 s).
	Poll time.Duration
	// Off runs no indexer in this process: searches, and another
	// process's indexer, bring the index up to date. For a process that
	// should not take SQLite's write lock on its own, and for the search
	// benchmark, which runs the indexer only in the rounds it measures
	// with the index on.
	Off bool
}

func (o SearchIndexing) withDefaults() SearchIndexing {
	if o.Delay <= 0 {
		o.Delay = 50 * time.Millisecond
	}
	if o.Commits <= 0 {
		o.Commits = 200
	}
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	return o
}

// searchWake is what the hook tells the indexer: a commit stored a post
// or wrote search_docs (ch, never blocking), and how many did since it last
// indexed.
type searchWake struct {
	ch      chan struct{}
	commits atomic.Int64
}

func newSearchWake() *searchWake { return &searchWake{ch: make(chan struct{}, 1)} }

func (w *searchWake) poke() {
	w.commits.Add(1)
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

// RunSearchIndexer keeps SQLite's search index up to date until ctx
// ends: at once for what an earlier run left pending (a crash), then
// after commits that stored posts or wrote search_docs, and every
// o.Poll. On PostgreSQL, or when o.Off, it returns at once. Several may
// run, in one process or several: each batch is one write transaction.
// Its work carries the profiler label role=search-index, so a CPU profile
// shows what indexing costs (go tool pprof -tagfocus role=search-index).
func (db *DB) RunSearchIndexer(ctx context.Context, o SearchIndexing) {
	if db.dialect != DialectSQLite || o.Off {
		return
	}
	pprof.Do(ctx, pprof.Labels("role", "search-index"), func(ctx context.Context) { db.runSearchIndexer(ctx, o) })
}

func (db *DB) runSearchIndexer(ctx context.Context, o SearchIndexing) {
	o = o.withDefaults()
	s := db.Store()
	poll := time.NewTicker(o.Poll)
	defer poll.Stop()
	for {
		db.searchWake.commits.Store(0)
		if err := s.catchUpIfBehind(ctx); err != nil && ctx.Err() == nil {
			db.log.Error("search: index pending documents", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
			continue
		case <-db.searchWake.ch:
		}
		if !db.searchWake.gather(ctx, o) {
			return
		}
	}
}

// gather waits until o.Delay has passed or o.Commits commits woke it; it
// reports false when ctx ended.
func (w *searchWake) gather(ctx context.Context, o SearchIndexing) bool {
	timer := time.NewTimer(o.Delay)
	defer timer.Stop()
	for w.commits.Load() < int64(o.Commits) {
		select {
		case <-ctx.Done():
			return false
		case <-timer.C:
			return true
		case <-w.ch:
		}
	}
	return true
}

// catchUpIfBehind is catchUpSearch when documents are pending: otherwise
// it takes no write lock.
func (s *Store) catchUpIfBehind(ctx context.Context) error {
	behind, err := s.searchBehind(ctx)
	if err != nil || !behind {
		return err
	}
	return s.catchUpSearch(ctx)
}

// searchWakeHook wakes the indexer after each commit of a transaction
// that stored a post or wrote search_docs, and after each such write made
// outside one.
type searchWakeHook struct{ wake *searchWake }

// BeforeQuery implements bun.QueryHook.
func (h searchWakeHook) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

// AfterQuery implements bun.QueryHook.
func (h searchWakeHook) AfterQuery(ctx context.Context, e *bun.QueryEvent) {
	if e.Err != nil {
		return
	}
	st, _ := ctx.Value(txStateKey{}).(*txState)
	if firstWord(e.Query) == "COMMIT" {
		if st != nil && st.search.Load() {
			h.wake.poke()
		}
		return
	}
	if !wakesIndexer(e) {
		return
	}
	if st != nil {
		st.search.Store(true) // the post or document is visible at COMMIT
		return
	}
	h.wake.poke()
}

// wakesIndexer reports whether e inserts into posts or writes
// search_docs: by its model's table, or for a raw statement by the table
// it names after INSERT … INTO, UPDATE or DELETE FROM.
func wakesIndexer(e *bun.QueryEvent) bool {
	op := firstWord(e.Query)
	if op != "INSERT" && op != "UPDATE" && op != "DELETE" {
		return false
	}
	var t string
	if e.IQuery != nil {
		t = strings.Trim(e.IQuery.GetTableName(), "\"`")
	}
	if t == "" {
		t = writeTarget(e.Query)
	}
	return t == "search_docs" || (op == "INSERT" && t == "posts")
}

// writeTarget is the table an INSERT, UPDATE or DELETE statement writes
// ("" for any other statement).
func writeTarget(query string) string {
	words := strings.Fields(query)
	if len(words) < 2 {
		return ""
	}
	switch strings.ToUpper(words[0]) {
	case "INSERT", "UPDATE", "DELETE", "REPLACE":
	default:
		return ""
	}
	name := func(w string) string {
		t, _, _ := strings.Cut(w, "(")
		return strings.Trim(t, "\"`")
	}
	if strings.ToUpper(words[0]) == "UPDATE" {
		i := 1
		if len(words) > 3 && strings.ToUpper(words[1]) == "OR" {
			i = 3 // UPDATE OR IGNORE t
		}
		if i < len(words) {
			return name(words[i])
		}
		return ""
	}
	after := "INTO"
	if strings.ToUpper(words[0]) == "DELETE" {
		after = "FROM"
	}
	for i, w := range words[:len(words)-1] {
		if strings.ToUpper(w) == after {
			return name(words[i+1])
		}
	}
	return ""
}
