package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// PostgreSQL: the GIN index of search_docs holds each document's terms
// and one lexeme more, its language ("=" and the language's first 64
// characters: no term holds "=", package search's terms are letters and
// digits; 64 keeps a received post's odd language tag far below a
// lexeme's 2 kB), in place of the index of its terms alone
// (20261202180000_search.go). A relevance search walks the matches in
// the reader's language and those in the others apart
// (storage/search_rank_walk.go); with the language in the heap only,
// the GIN index gave every match of either and each was read from its
// page to be left out: 1,132 pages (30–90 ms) for no row, when a
// Spanish query's matches are all Spanish and the walk is of the other
// languages. With it, the class is a lexeme of the query, ANDed (or its
// negation) in the index (storage/search_terms_pg.go).
//
// About 40 s for 1,000,000 documents (maintenance_work_mem 64 MB): the
// migration runs on connections without the driver's read timeout
// (storage/db.go). In one transaction, so searches use one index or the
// other; then the statistics of the new expression, which the planner
// needs to estimate a match through it.
// SQLite: nothing (FTS5's index is its own table; the walk is
// PostgreSQL's).
//
// Frozen as shipped: never edit.

var (
	searchTermsIndexUp = []string{
		`CREATE INDEX search_docs_terms_idx ON search_docs USING GIN
			((tsv || array_to_tsvector(ARRAY['=' || left(language, 64)])))`,
		`DROP INDEX search_docs_tsv_idx`,
		`ANALYZE search_docs`,
	}
	searchTermsIndexDown = []string{
		`CREATE INDEX search_docs_tsv_idx ON search_docs USING GIN (tsv)`,
		`DROP INDEX search_docs_terms_idx`,
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
						return fmt.Errorf("search_docs terms index: %s: %w", stmt, err)
					}
				}
				return nil
			})
		}
	}
	Migrations.MustRegister(run(searchTermsIndexUp), run(searchTermsIndexDown))
}
