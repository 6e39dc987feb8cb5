package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
)

// Store implements forum.Store on a bun database or, inside Atomic, on one
// of its transactions.
type Store struct {
	db      bun.IDB     // the database, or the transaction
	root    *bun.DB     // set outside a transaction
	inTx    bool        // set inside Atomic
	writers writeGate   // SQLite: one write transaction of this process at a time
	stmts   *statements // prepared statements (reads: outside a transaction only)
	changes *Changes    // the database's write counters (DomainBlocksMoves)
	// analyzer computes search terms (a nil one, without a cache).
	analyzer *search.Analyzer
}

var _ forum.Store = (*Store)(nil)

// Atomic runs fn in one transaction. Inside a transaction it runs fn in
// that same transaction. fn's error is returned unchanged.
func (s *Store) Atomic(ctx context.Context, fn func(ctx context.Context, tx forum.Store) error) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error { return fn(ctx, tx) })
}

// atomic is Atomic for the store's own multi-statement writes.
func (s *Store) atomic(ctx context.Context, fn func(ctx context.Context, tx *Store) error) error {
	if s.inTx {
		return fn(ctx, s)
	}
	release, err := s.writers.enter(ctx)
	if err != nil {
		return dbErr("transaction", err)
	}
	defer release()
	var fnErr error
	err = s.root.RunInTx(withTxState(ctx), nil, func(ctx context.Context, tx bun.Tx) error {
		fnErr = fn(ctx, &Store{db: tx, inTx: true, stmts: s.stmts, changes: s.changes, analyzer: s.analyzer})
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	return dbErr("transaction", err)
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if s.root != nil {
		return dbErr("ping", s.root.PingContext(ctx))
	}
	var one int
	return dbErr("ping", s.db.NewSelect().ColumnExpr("1").Scan(ctx, &one))
}

// utc makes times uniform before they are written: both databases then
// hold UTC and SQLite's text timestamps compare in time order.
func utc(t time.Time) time.Time { return t.UTC() }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// affected checks that a write touched a row; none means ErrNotFound.
func affected(what string, res interface{ RowsAffected() (int64, error) }) error {
	n, err := res.RowsAffected()
	if err != nil {
		return dbErr(what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, forum.ErrNotFound)
	}
	return nil
}

// lockToChange locks the row of model's table with id until the
// transaction ends, for a read that is written back whole: under
// PostgreSQL's READ COMMITTED, two transactions would both read the old
// row and the second write would undo the first. SQLite runs one write
// transaction at a time (BEGIN IMMEDIATE); outside a transaction there is
// nothing to hold.
func (s *Store) lockToChange(ctx context.Context, what string, model any, id forum.ID) error {
	if !s.inTx || !isPostgres(s.db) {
		return nil
	}
	var locked string
	err := s.db.NewSelect().Model(model).Column("id").Where("id = ?", id).For("UPDATE").Scan(ctx, &locked)
	return dbErr(what, err)
}
