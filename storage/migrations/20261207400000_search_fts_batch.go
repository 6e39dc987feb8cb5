package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"
)

// SQLite: the FTS5 table search_fts is brought up to date in batches
// instead of by triggers in the post's transaction, where FTS5 wrote a
// new segment at every commit (bench/README.md section 7). The triggers
// on search_docs now only note which documents changed, in
// search_fts_pending, one row per document: the first change after the
// index last caught up wins (the triggers add no row for a document
// already pending: not INSERT OR IGNORE, which the conflict clause of the
// statement firing the trigger would override), so the row says what the
// index holds for that rowid, which FTS5's 'delete' of an external
// content table needs. old_title is NULL when it holds nothing (a new
// document, or a rowid whose document was deleted and indexed so); else
// old_title and old_body are the values it holds. storage
// (search_fts_pending.go) applies the pending rows and deletes them in
// one transaction. The index is in step with search_docs when this runs
// (the old triggers kept it so), so the table starts empty.
// PostgreSQL: nothing (its tsvector is a generated column).
//
// Never edit this migration once shipped.

var searchFTSBatchUp = []string{
	`DROP TRIGGER search_docs_ai`,
	`DROP TRIGGER search_docs_ad`,
	`DROP TRIGGER search_docs_au`,
	`CREATE TABLE search_fts_pending (
		doc_id INTEGER PRIMARY KEY,
		old_title TEXT,
		old_body TEXT)`,
	`CREATE TRIGGER search_docs_pending_ai AFTER INSERT ON search_docs BEGIN
		INSERT INTO search_fts_pending (doc_id) SELECT new.id
			WHERE NOT EXISTS (SELECT 1 FROM search_fts_pending WHERE doc_id = new.id);
	END`,
	`CREATE TRIGGER search_docs_pending_ad AFTER DELETE ON search_docs BEGIN
		INSERT INTO search_fts_pending (doc_id, old_title, old_body) SELECT old.id, old.title, old.body
			WHERE NOT EXISTS (SELECT 1 FROM search_fts_pending WHERE doc_id = old.id);
	END`,
	`CREATE TRIGGER search_docs_pending_au AFTER UPDATE OF id, title, body ON search_docs
		WHEN old.id <> new.id OR old.title <> new.title OR old.body <> new.body BEGIN
		INSERT INTO search_fts_pending (doc_id, old_title, old_body) SELECT old.id, old.title, old.body
			WHERE NOT EXISTS (SELECT 1 FROM search_fts_pending WHERE doc_id = old.id);
		INSERT INTO search_fts_pending (doc_id) SELECT new.id
			WHERE NOT EXISTS (SELECT 1 FROM search_fts_pending WHERE doc_id = new.id);
	END`,
}

// searchFTSBatchDown brings the index up to date and puts the
// synchronous triggers back (as 20261202180000_search.go made them).
var searchFTSBatchDown = []string{
	`INSERT INTO search_fts (search_fts, rowid, title, body)
		SELECT 'delete', doc_id, old_title, old_body FROM search_fts_pending WHERE old_title IS NOT NULL`,
	`INSERT INTO search_fts (rowid, title, body)
		SELECT d.id, d.title, d.body FROM search_fts_pending AS p CROSS JOIN search_docs AS d ON d.id = p.doc_id`,
	`DROP TRIGGER search_docs_pending_ai`,
	`DROP TRIGGER search_docs_pending_ad`,
	`DROP TRIGGER search_docs_pending_au`,
	`DROP TABLE search_fts_pending`,
	`CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
		INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
	END`,
	`CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
		INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
	END`,
	`CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN
		INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
		INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
	END`,
}

func init() {
	run := func(stmts []string) migrate.MigrationFunc {
		return func(ctx context.Context, db *bun.DB) error {
			if db.Dialect().Name() == dialect.PG {
				return nil
			}
			return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				for _, stmt := range stmts {
					if _, err := tx.ExecContext(ctx, stmt); err != nil {
						return fmt.Errorf("search fts batch: %w", err)
					}
				}
				return nil
			})
		}
	}
	Migrations.MustRegister(run(searchFTSBatchUp), run(searchFTSBatchDown))
}
