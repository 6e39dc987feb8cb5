package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// search_docs.language: the post's language, copied beside its terms so a
// relevance search on PostgreSQL tells a match in the reader's language
// (which ranks higher) and applies a language filter without joining
// every match to its post (storage/search_rank_walk.go). Every write of a
// document writes it; this fills the documents already there.
//
// On SQLite the trigger that notes a changed document for the full-text
// index (20261207400000_search_fts_batch.go) fires on its id, title and
// body only, so filling the new column (and later writes of it alone) do
// not touch the index.
//
// Frozen as shipped: never edit.

var searchLanguageUp = []string{`ALTER TABLE search_docs ADD COLUMN language VARCHAR NOT NULL DEFAULT ''`}

// searchLanguageFill fills the column. On PostgreSQL it goes by batches
// of documents in post_id order: each statement must answer within the
// driver's read timeout (10 s) on a node of a million posts, where the
// one UPDATE ran for minutes (each row's tsvector is computed again and
// its GIN entries written).
const (
	searchLanguageFillSQLite = `UPDATE search_docs SET language = p.language FROM posts AS p WHERE p.id = search_docs.post_id`
	searchLanguageFillPG     = `WITH b AS (SELECT post_id FROM search_docs WHERE post_id > ? ORDER BY post_id LIMIT 5000),
		u AS (UPDATE search_docs AS d SET language = p.language FROM posts AS p, b
			WHERE d.post_id = b.post_id AND p.id = d.post_id)
		SELECT COALESCE(MAX(post_id), '') FROM b`
)

func fillSearchLanguage(ctx context.Context, db *bun.DB, tx bun.Tx) error {
	if db.Dialect().Name() != dialect.PG {
		if _, err := tx.ExecContext(ctx, searchLanguageFillSQLite); err != nil {
			return fmt.Errorf("search_docs.language: fill: %w", err)
		}
		return nil
	}
	for after := ""; ; {
		var last string
		if err := tx.QueryRowContext(ctx, searchLanguageFillPG, after).Scan(&last); err != nil {
			return fmt.Errorf("search_docs.language: fill after %q: %w", after, err)
		}
		if last == "" {
			return nil
		}
		after = last
	}
}

var searchLanguageDown = []string{`ALTER TABLE search_docs DROP COLUMN language`}

func init() {
	run := func(stmts []string, up bool) func(context.Context, *bun.DB) error {
		return func(ctx context.Context, db *bun.DB) error {
			return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				for _, stmt := range stmts {
					if _, err := tx.ExecContext(ctx, stmt); err != nil {
						return fmt.Errorf("search_docs.language: %s: %w", stmt, err)
					}
				}
				if up {
					return fillSearchLanguage(ctx, db, tx)
				}
				return nil
			})
		}
	}
	Migrations.MustRegister(run(searchLanguageUp, true), run(searchLanguageDown, false))
}
