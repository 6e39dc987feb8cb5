package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// PostgreSQL: search_docs.tsv holds one lexeme more, the document's
// language: "=" and its first 64 characters (no term holds "=", package
// search's terms are letters and digits; 64 keeps a received post's odd
// language tag far below a lexeme's 2 kB limit). The GIN index can then
// leave out the reader's language: the other languages' class of a
// relevance search read each of the reader's matches from its page to
// leave it out, 1,132 pages (30–90 ms) for no row when a Spanish query's
// matches were all Spanish (storage/search_terms_pg.go). ts_rank is
// unchanged: it weighs the query's lexemes only, and no document length.
//
// PostgreSQL 15 cannot change a generated column's expression: the
// column is dropped and added again, which rewrites the table, then its
// GIN index is built again, then the statistics of the new column,
// which the planner needs for a tsquery's estimate. About 55 s for
// 1,000,000 documents: the migration runs on connections without the
// driver's read timeout (storage/db.go). One transaction: searches wait
// for it (the table is locked), never see the column half built.
// SQLite: nothing (FTS5 has no language; the walk is PostgreSQL's).
//
// Frozen as shipped: never edit.

var (
	searchTSVLanguageUp = []string{
		`ALTER TABLE search_docs DROP COLUMN tsv`,
		`ALTER TABLE search_docs ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
			setweight(array_to_tsvector(string_to_array(title, ' ')), 'A') ||
			setweight(array_to_tsvector(string_to_array(body, ' ')), 'D') ||
			array_to_tsvector(ARRAY['=' || left(language, 64)])) STORED`,
		`CREATE INDEX search_docs_tsv_idx ON search_docs USING GIN (tsv)`,
		`ANALYZE search_docs`,
	}
	searchTSVLanguageDown = []string{
		`ALTER TABLE search_docs DROP COLUMN tsv`,
		`ALTER TABLE search_docs ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
			setweight(array_to_tsvector(string_to_array(title, ' ')), 'A') ||
			setweight(array_to_tsvector(string_to_array(body, ' ')), 'D')) STORED`,
		`CREATE INDEX search_docs_tsv_idx ON search_docs USING GIN (tsv)`,
	}
)

func init() {
	run := func(stmts []string) func(context.Context, *bun.DB) error {
		return func(ctx context.Context, db *bun.DB) error {
			if db.Dialect().Name() != dialect.PG {
				return nil
			}
			return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				for _, stmt := range stmts {
					if _, err := tx.ExecContext(ctx, stmt); err != nil {
						return fmt.Errorf("search_docs.tsv with the language: %w", err)
					}
				}
				return nil
			})
		}
	}
	Migrations.MustRegister(run(searchTSVLanguageUp), run(searchTSVLanguageDown))
}
