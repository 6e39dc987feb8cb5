package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Received content flows through the event log: applying an activity from
// another node records an event naming the inbox item it came in, in the
// same transaction, and the publisher passes that activity on (a local
// forum's Announce, a forward to a joined forum) with ids derived from the
// event. Events of this node's members leave the column empty.
//
// Never edit this migration once shipped.

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewAddColumn().Table("events").ColumnExpr("received_id VARCHAR(26) NOT NULL DEFAULT ''").Exec(ctx); err != nil {
				return fmt.Errorf("add column events.received_id: %w", err)
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		_, err := db.NewDropColumn().Table("events").Column("received_id").Exec(ctx)
		return err
	})
}
