package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// An index of exact titles: a relevance search looks up the documents
// whose title is the query (they rank first whatever their rank) beside
// the full-text engine's best candidates (storage/search_rank.go). Only
// questions have a title, so the index is partial: answers ('') are left
// out, and it stays a twentieth of the documents.
//
// Never edit this migration once shipped.

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		if _, err := db.ExecContext(ctx,
			`CREATE INDEX search_docs_title_key_idx ON search_docs (title_key) WHERE title_key <> ''`); err != nil {
			return fmt.Errorf("create index search_docs_title_key_idx: %w", err)
		}
		return nil
	}, func(ctx context.Context, db *bun.DB) error {
		if _, err := db.ExecContext(ctx, `DROP INDEX IF EXISTS search_docs_title_key_idx`); err != nil {
			return fmt.Errorf("drop index search_docs_title_key_idx: %w", err)
		}
		return nil
	})
}
