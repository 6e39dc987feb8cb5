package storage

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"time"

	"github.com/uptrace/bun"
)

// Prepared reads: the lookups the received side repeats for every reply
// (its author by URI, the parent post, the thread, the forum, the
// tombstone check; the delivery runner's outbox activity), prepared once
// per connection, inside a transaction (the inbox batch's) as well as
// outside. bun writes each argument into the SQL text, so SQLite parsed
// every one of them again.
//
// Unlike readPrepared (the signed-in pages' reads, never in the hooks'
// view), a read here is shown to the query hooks as the bun query it
// stands for, as execPrepared does for writes: a benchmark's counter sees
// the same statements as before. Changes and the write gate ignore a
// SELECT.
//
// Its rows are scanned by bun into the same row structs (bun.DB.ScanRows),
// its arguments encoded as bun writes them (encodeArg).
// TestPreparedReadRows compares each with the bun statement it replaces.

// selectPrepared runs the SELECT named id and scans its rows into dest, a
// pointer to a slice of row structs. build adds the statement's clauses
// to a select of the rows' model, with bun.Safe("?") for each of args:
// the bun query is build(NewSelect().Model(dest)) with args written in.
func (s *Store) selectPrepared(ctx context.Context, id string, dest any, build func(q *bun.SelectQuery) *bun.SelectQuery, args ...any) error {
	dv := reflect.ValueOf(dest)
	if dv.Kind() != reflect.Pointer || dv.IsNil() || dv.Elem().Kind() != reflect.Slice {
		return fmt.Errorf("%s: scan into %T, want a pointer to a slice", id, dest)
	}
	// The statement is built from an empty slice of the same type: the
	// text and the query shown to the hooks keep no reference to dest.
	zero := reflect.New(dv.Elem().Type()).Interface()
	iq := func(db bun.IDB) bun.Query { return build(db.NewSelect().Model(zero)) }
	text := func(db bun.IDB) string { return build(db.NewSelect().Model(zero)).String() }
	return s.queryPrepared(ctx, id, iq, text, dest, args...)
}

// queryPrepared runs the read statement named id: text(db) builds it,
// with ? for each of args; iq is the bun query it stands for. Its rows
// are scanned into dest by bun. Inside a transaction it runs on the
// transaction's connection (the statement prepared there once). Past
// maxStatements it runs unprepared, still without bun's interpolation.
func (s *Store) queryPrepared(ctx context.Context, id string, iq func(db bun.IDB) bun.Query, text func(db bun.IDB) string, dest any, args ...any) error {
	enc := make([]any, len(args))
	for i, a := range args {
		v, err := encodeArg(a)
		if err != nil {
			return fmt.Errorf("%s: argument %d: %w", id, i+1, err)
		}
		enc[i] = v
	}
	st := s.stmts
	if st == nil {
		return fmt.Errorf("%s: no prepared statements on this store", id)
	}
	// A read is kept with the writes (st.writes): its text, placeholders
	// numbered for PostgreSQL, its bun query and its statement.
	r, err := st.write(ctx, id, iq, text)
	if err != nil {
		return err
	}
	var tx *sql.Tx
	if s.inTx {
		btx, ok := s.db.(bun.Tx)
		if !ok {
			return fmt.Errorf("%s: transaction of type %T", id, s.db)
		}
		tx = btx.Tx
	}
	e := &bun.QueryEvent{DB: st.db, IQuery: r.iq, Query: r.text, QueryArgs: enc, StartTime: time.Now()}
	for _, h := range st.hooks {
		ctx = h.BeforeQuery(ctx, e)
	}
	e.Err = r.query(ctx, st.db, tx, dest, enc)
	for i := len(st.hooks) - 1; i >= 0; i-- {
		st.hooks[i].AfterQuery(ctx, e)
	}
	return e.Err // the caller names it (dbErr)
}

// query runs w as a read and scans its rows into dest (closing them).
func (w *preparedWrite) query(ctx context.Context, db *bun.DB, tx *sql.Tx, dest any, args []any) error {
	var (
		rows *sql.Rows
		err  error
	)
	switch {
	case w.stmt != nil && tx != nil:
		// The statement prepared on the transaction's connection the
		// first time, reused after (database/sql keeps it on the parent).
		s := tx.StmtContext(ctx, w.stmt)
		defer s.Close()
		rows, err = s.QueryContext(ctx, args...)
	case w.stmt != nil:
		rows, err = w.stmt.QueryContext(ctx, args...)
	case tx != nil:
		rows, err = tx.QueryContext(ctx, w.text, args...)
	default:
		rows, err = db.DB.QueryContext(ctx, w.text, args...)
	}
	if err != nil {
		return err
	}
	return db.ScanRows(ctx, rows, dest)
}
