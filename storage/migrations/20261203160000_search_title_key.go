package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// An index on search_docs.title_key: SQLite's FindPosts finds the
// questions whose title is the query (they rank first) by it, instead of
// reading the document of every match. Frozen as shipped: never edit.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		if _, err := db.ExecContext(ctx, `CREATE INDEX search_docs_title_key_idx ON search_docs (title_key)`); err != nil {
			return fmt.Errorf("search title key index: %w", err)
		}
		return nil
	}, func(ctx context.Context, db *bun.DB) error {
		if _, err := db.ExecContext(ctx, `DROP INDEX IF EXISTS search_docs_title_key_idx`); err != nil {
			return fmt.Errorf("search title key index: %w", err)
		}
		return nil
	})
}
