package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Events are marked when federation has published them, instead of a
// cursor over event ids. Ids are taken inside a transaction, before it
// commits; on PostgreSQL a later id can commit first, and a cursor past it
// skipped the earlier event for ever. Unpublished events are found through
// a partial index, so the mark costs nothing to read.
//
// Never edit this migration once shipped.

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewAddColumn().Table("events").ColumnExpr("published_at TIMESTAMP").Exec(ctx); err != nil {
				return fmt.Errorf("add column events.published_at: %w", err)
			}
			// What the old cursor had passed is published.
			if _, err := tx.ExecContext(ctx, `UPDATE events SET published_at = created_at
				WHERE id <= (SELECT value FROM cursors WHERE name = 'events')`); err != nil {
				return fmt.Errorf("mark published events: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM cursors WHERE name = 'events'`); err != nil {
				return fmt.Errorf("drop the events cursor: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `CREATE INDEX events_unpublished_idx ON events (id) WHERE published_at IS NULL`); err != nil {
				return fmt.Errorf("create events_unpublished_idx: %w", err)
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, `DROP INDEX IF EXISTS events_unpublished_idx`); err != nil {
				return err
			}
			_, err := tx.NewDropColumn().Table("events").Column("published_at").Exec(ctx)
			return err
		})
	})
}
