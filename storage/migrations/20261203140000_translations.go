package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// Translations made here: a post's other-language versions keep the
// markdown they were written in (source), who wrote them (translator_id,
// a member of this node or a remote one; '' for versions that arrived
// without one) and when (created_at), so a post's `updated` moves when a
// translation is added and receivers take the Update as new.
//
// Never edit this migration once shipped.

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		typ := "TIMESTAMP"
		if db.Dialect().Name() == dialect.PG {
			typ = "TIMESTAMPTZ"
		}
		cols := []string{"source TEXT NOT NULL DEFAULT ''", "translator_id VARCHAR(26) NOT NULL DEFAULT ''", "created_at " + typ}
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, c := range cols {
				if _, err := tx.NewAddColumn().Table("post_translations").ColumnExpr(c).Exec(ctx); err != nil {
					return fmt.Errorf("add column post_translations.%s: %w", c, err)
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, c := range []string{"source", "translator_id", "created_at"} {
				if _, err := tx.NewDropColumn().Table("post_translations").Column(c).Exec(ctx); err != nil {
					return fmt.Errorf("drop column post_translations.%s: %w", c, err)
				}
			}
			return nil
		})
	})
}
