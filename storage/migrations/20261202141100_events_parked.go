package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Parked events: an event the publisher cannot publish yet (a remote
// forum's actor that is unknown and does not answer) is set aside with the
// time of its next attempt, instead of holding up every later event.
// publish_retry_at is NULL for an event that is not parked;
// publish_attempts counts the failed attempts (the publisher gives up after
// a bound); publish_error is the last reason, kept on an event given up
// (then published_at is set too).
//
// Never edit this migration once shipped.

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, col := range []string{
				"publish_retry_at TIMESTAMP",
				"publish_attempts INTEGER NOT NULL DEFAULT 0",
				"publish_error VARCHAR NOT NULL DEFAULT ''",
			} {
				if _, err := tx.NewAddColumn().Table("events").ColumnExpr(col).Exec(ctx); err != nil {
					return fmt.Errorf("add column events.%s: %w", col, err)
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, col := range []string{"publish_error", "publish_attempts", "publish_retry_at"} {
				if _, err := tx.NewDropColumn().Table("events").Column(col).Exec(ctx); err != nil {
					return fmt.Errorf("drop column events.%s: %w", col, err)
				}
			}
			return nil
		})
	})
}
