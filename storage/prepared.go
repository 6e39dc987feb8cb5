package storage

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"

	"github.com/uptrace/bun"
)

// statements are the reads every signed-in page runs (the session and its
// member, the viewer's marks and notification state), prepared once per
// database connection. bun writes each argument into the SQL text, so
// SQLite would parse every statement again on every request: on a
// member's thread page, parsing was about a third of the queries' CPU.
// The received-reply path's writes are prepared too (prepared_write.go),
// and its reads, the publisher's and the deliveries' (prepared_read.go),
// kept in writes with their text and the bun query shown to the hooks.
type statements struct {
	db     *bun.DB
	pg     bool
	hooks  []bun.QueryHook // db's, in its order: prepared writes are shown to them
	mu     sync.Mutex
	byID   map[string]*sql.Stmt
	writes map[string]*preparedWrite
}

// maxStatements bounds the prepared statements (a mistake that named one
// per argument would otherwise grow without end); past it, reads go
// through bun again.
const maxStatements = 256

func newStatements(db *bun.DB, hooks []bun.QueryHook) *statements {
	return &statements{db: db, pg: isPostgres(db), hooks: hooks, byID: map[string]*sql.Stmt{},
		writes: map[string]*preparedWrite{}}
}

// get returns the statement named id, preparing text(db) the first time.
// text writes its arguments as ? (bun's placeholder), turned into $1, $2…
// for PostgreSQL. nil: too many statements already.
func (st *statements) get(ctx context.Context, id string, text func(db bun.IDB) string) (*sql.Stmt, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if s, ok := st.byID[id]; ok {
		return s, nil
	}
	if len(st.byID) >= maxStatements {
		return nil, nil
	}
	q := text(st.db)
	if st.pg {
		q = dollarPlaceholders(q)
	}
	s, err := st.db.DB.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	st.byID[id] = s
	return s, nil
}

// close closes every statement.
func (st *statements) close() {
	st.mu.Lock()
	defer st.mu.Unlock()
	for id, s := range st.byID {
		_ = s.Close()
		delete(st.byID, id)
	}
	clear(st.writes)
}

// dollarPlaceholders numbers a statement's ? placeholders for PostgreSQL.
// The statements given to it are built by bun from our own models and
// have no ? inside quotes.
func dollarPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// readPrepared runs the read statement named id (built by text, with ?
// for each of args) and scans its rows into dest, a pointer to a slice.
// Inside a transaction, or past maxStatements, bun runs it instead, with
// the same text and arguments.
func (s *Store) readPrepared(ctx context.Context, id string, text func(db bun.IDB) string, dest any, args ...any) error {
	if s.stmts != nil && !s.inTx {
		stmt, err := s.stmts.get(ctx, id, text)
		if err != nil {
			return err
		}
		if stmt != nil {
			rows, err := stmt.QueryContext(ctx, args...)
			if err != nil {
				return err
			}
			return s.root.ScanRows(ctx, rows, dest) // closes rows
		}
	}
	return s.db.NewRaw(text(s.db), args...).Scan(ctx, dest)
}
