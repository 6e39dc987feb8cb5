package storage

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/metropolis/agora/search"
)

// Everything that differs between SQLite and PostgreSQL lives in this file
// (and the error codes in errors.go).

// sqliteMaxConns bounds SQLite's connection pool: WAL allows many readers
// and one writer; more connections only add lock contention.
const sqliteMaxConns = 4

// pgMaxIdleConns is how many PostgreSQL connections the pool keeps open
// between uses. database/sql keeps 2 by default: with the inbox's lanes,
// its group commit, the publisher and the deliveries each holding one at
// once, every other connection was closed on release and a new one opened
// moments later — about a hundred a second under an inbox burst, each a
// new server process (fork, authentication, cold catalog caches) and each
// losing the statements prepared on it (prepared_write.go). Kept open,
// they are reused. The number of open connections is not bounded (as
// before): a bound could make a transaction that needs a second
// connection wait for itself.
const pgMaxIdleConns = 32

// pgConnMaxIdleTime closes a connection unused that long: a burst's
// connections (about 40 at its peak on the inbox bench) are given back to
// the server once it is over, not held while the node is quiet.
const pgConnMaxIdleTime = time.Minute

// sqlitePath returns the file path of a SQLite database URL and the query
// parameters that came with it.
func sqlitePath(u, dataDir string) (path string, query url.Values, err error) {
	if u == "" {
		if dataDir == "" {
			dataDir = "data"
		}
		return filepath.Join(dataDir, "forum.db"), url.Values{}, nil
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(u, "sqlite://"), "file:")
	path, raw, _ := strings.Cut(rest, "?")
	if query, err = url.ParseQuery(raw); err != nil {
		return "", nil, fmt.Errorf("storage: SQLite URL parameters: %w", err)
	}
	if path == "" {
		return "", nil, errors.New("storage: empty SQLite path in database URL")
	}
	return path, query, nil
}

// sqliteDSN builds modernc.org/sqlite's DSN: WAL, a 10 s busy timeout
// (unless the URL sets its own, e.g. ?_pragma=busy_timeout(2000)), foreign
// keys, and BEGIN IMMEDIATE so a write transaction takes the write lock up
// front instead of deadlocking when it upgrades a read lock.
func sqliteDSN(path string, query url.Values) string {
	q := url.Values{}
	for k, v := range query {
		q[k] = append([]string(nil), v...)
	}
	if !slices.ContainsFunc(q["_pragma"], func(p string) bool { return strings.HasPrefix(p, "busy_timeout") }) {
		q.Add("_pragma", "busy_timeout(10000)")
	}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if q.Get("_txlock") == "" {
		q.Set("_txlock", "immediate")
	}
	// SQLite reads the DSN as a URI: escape what would end the path.
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + esc + "?" + q.Encode()
}

// isPostgres reports whether db (a database or a transaction) is
// PostgreSQL.
func isPostgres(db bun.IDB) bool { return db.Dialect().Name() == dialect.PG }

// Claiming queue rows (ClaimDeliveries, ClaimInboxItems) runs in one
// transaction: pick rows, then set their lease.
//
// On SQLite that transaction starts with BEGIN IMMEDIATE (see sqliteDSN):
// it holds the single write lock from its first statement, so claimers run
// one after another and never see the same free row.
//
// On PostgreSQL the candidate rows are read with FOR UPDATE SKIP LOCKED: a
// row another claimer (or a FinishDelivery in progress) holds is skipped
// instead of waited for, and no two claimers lease the same row.

// lockForClaim adds the row lock PostgreSQL needs to a claim's SELECT.
func lockForClaim(q *bun.SelectQuery) *bun.SelectQuery {
	if isPostgres(q.DB()) {
		return q.For("UPDATE SKIP LOCKED")
	}
	return q
}

// deliveryClaimLock is the PostgreSQL advisory lock key taken by
// ClaimDeliveries (any constant unique within this database's users of
// advisory locks).
const deliveryClaimLock = 0x61676f7261_01 // "agora", 1

// serializeDeliveryClaims makes concurrent ClaimDeliveries transactions
// take turns. SKIP LOCKED alone keeps claimers from taking the same row,
// but the per-host limit counts leases that a concurrent claimer has not
// committed yet; a transaction-scoped advisory lock (released at commit)
// makes that count exact. The claim transaction is short (a few queries).
// SQLite needs nothing: its claim transaction already holds the write lock.
func serializeDeliveryClaims(ctx context.Context, tx bun.IDB) error {
	if !isPostgres(tx) {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", int64(deliveryClaimLock))
	return err
}

// writeGate queues write transactions inside one process. On SQLite every
// transaction takes the database's single write lock at BEGIN (IMMEDIATE);
// two at once make the second one poll through SQLite's busy handler,
// which sleeps 1, 2, 5, 10 … up to 100 ms between tries, so a writer
// waits tens of milliseconds for a lock held for one. Queued here, the
// next writer starts the moment the previous one commits. (Other
// processes on the same file still meet the busy handler.) PostgreSQL
// needs nothing: its gate is nil.
type writeGate chan struct{}

// enter waits for the gate (or ctx) and returns its release.
func (g writeGate) enter(ctx context.Context) (func(), error) {
	if g == nil {
		return func() {}, nil
	}
	select {
	case g <- struct{}{}:
		return func() { <-g }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// gateHook makes a statement that writes outside a transaction (finishing
// an inbox item, marking an event published, renewing leases…) wait at the
// write gate like a transaction does. Without it such a statement meets a
// transaction's write lock in SQLite's busy handler, which sleeps up to
// 100 ms between tries while holding one of the pool's few connections:
// with many inbox items applied at once, writers and readers then queue
// behind sleepers. Installed on SQLite only.
type gateHook struct{ gate writeGate }

type (
	gateReleaseKey struct{}
	ungatedKey     struct{}
)

// ungated marks a context whose statements never wait at the gate: the
// migrations, whose own transactions bun runs outside Store.atomic.
func ungated(ctx context.Context) context.Context { return context.WithValue(ctx, ungatedKey{}, true) }

// BeforeQuery implements bun.QueryHook.
func (h gateHook) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	// Inside Store.atomic the transaction holds the gate already.
	if ctx.Value(txStateKey{}) != nil || ctx.Value(ungatedKey{}) != nil || !writes(e.Query) {
		return ctx
	}
	release, err := h.gate.enter(ctx)
	if err != nil {
		return ctx // ctx is done: the statement fails with it
	}
	return context.WithValue(ctx, gateReleaseKey{}, release)
}

// AfterQuery implements bun.QueryHook.
func (h gateHook) AfterQuery(ctx context.Context, _ *bun.QueryEvent) {
	if release, ok := ctx.Value(gateReleaseKey{}).(func()); ok {
		release()
	}
}

// writes reports whether a statement may write, from its first word.
func writes(query string) bool {
	op, _, _ := strings.Cut(strings.TrimSpace(query), " ")
	switch strings.ToUpper(op) {
	case "INSERT", "UPDATE", "DELETE", "REPLACE", "WITH", "CREATE", "DROP", "ALTER":
		return true
	}
	return false
}

// searchMatch starts a FindPosts query from the documents that match p,
// as d, and returns the join the rest of the query uses. Both databases
// match the same terms (package search wrote them):
//   - SQLite: FTS5's MATCH on search_fts, as the outermost loop: its
//     planner, left to choose, may put the full-text table inside a join
//     and run the whole MATCH once per row of another table. CROSS JOIN
//     keeps the order as written.
//   - PostgreSQL: the tsvector of search_docs, by its GIN index. The
//     query is cast, not parsed by a text search configuration, so its
//     lexemes stay as package search wrote them.
//
// Ranks: search_rank.go (PostgreSQL), search_rank_fts5.go (SQLite).
func searchMatch(q *bun.SelectQuery, p search.Parsed) (sel *bun.SelectQuery, join string) {
	if isPostgres(q.DB()) {
		return q.TableExpr("search_docs AS d").Where("d.tsv @@ ?::tsquery", p.TSQuery()), "JOIN"
	}
	return q.TableExpr("search_fts").Join("CROSS JOIN search_docs AS d ON d.id = search_fts.rowid").
		Where("search_fts MATCH ?", p.FTS5()), "CROSS JOIN"
}
