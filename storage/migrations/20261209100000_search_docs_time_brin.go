package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// PostgreSQL: a BRIN index on the time of search_docs.post_id (a ULID's
// first 10 characters), the least and greatest of each run of 32 pages.
// A relevance or newest-first search reads the matches older than its
// window a span of time at a time; the planner ANDs this index's pages
// of the span with the GIN index's matches and reads only the pages of
// the span's matches (storage/search_walk_rest.go). Post ids are mostly
// stored in time order, so a span of time is a run of pages. On the
// expression, not the column: on post_id itself the planner took it for
// the lookups of documents by id (post_id = ANY(…)), which read 32 pages
// a document where search_docs_pkey reads one. About 300 kB and a
// second to build for 1,000,000 documents; autosummarize has autovacuum
// summarize each run as it fills (a run not summarized yet is in every
// span: its matches' pages are read, and left out by the span's test).
// SQLite: nothing (FTS5 reads its matches in rank order).
//
// Frozen as shipped: never edit.

const (
	searchTimeBRINUp = `CREATE INDEX search_docs_time_brin ON search_docs USING brin ((left(post_id, 10)))
		WITH (pages_per_range = 32, autosummarize = on)`
	// The expression's statistics, which ANALYZE gathers for an index's
	// expressions: without them the planner takes a span for a third of
	// the table and does not AND the index (a span read cost 2.6× more
	// in a replay of 105 of them). Autovacuum would gather them only
	// after a tenth of the table has changed.
	searchTimeBRINAnalyze = `ANALYZE search_docs`
	searchTimeBRINDown    = `DROP INDEX IF EXISTS search_docs_time_brin`
)

func init() {
	run := func(stmts ...string) func(context.Context, *bun.DB) error {
		return func(ctx context.Context, db *bun.DB) error {
			if db.Dialect().Name() != dialect.PG {
				return nil
			}
			for _, stmt := range stmts {
				if _, err := db.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("search_docs time BRIN index: %w", err)
				}
			}
			return nil
		}
	}
	Migrations.MustRegister(run(searchTimeBRINUp, searchTimeBRINAnalyze), run(searchTimeBRINDown))
}
