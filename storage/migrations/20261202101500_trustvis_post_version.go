package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// posts.origin_updated_at is the time a remote post's origin gave the
// version we hold (its `updated`, else its `published`): an Update that is
// not newer is stale and ignored, so Updates arriving out of order cannot
// bring back an older text. NULL for local posts, and for remote posts
// stored before this migration (their next Update is applied and sets it).
// Same type as posts.edited_at: TIMESTAMPTZ on PostgreSQL, TIMESTAMP on
// SQLite.
//
// Never edit this migration once shipped.

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		typ := "TIMESTAMP"
		if db.Dialect().Name() == dialect.PG {
			typ = "TIMESTAMPTZ"
		}
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewAddColumn().Table("posts").ColumnExpr("origin_updated_at " + typ).Exec(ctx); err != nil {
				return fmt.Errorf("add column posts.origin_updated_at: %w", err)
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewDropColumn().Table("posts").Column("origin_updated_at").Exec(ctx)
			return err
		})
	})
}
