package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Events that change: webinars.sequence counts the edits and the
// cancellation (a calendar file's SEQUENCE), webinars.cancelled marks an
// event its moderators cancelled.
//
// Never edit this migration once shipped.

var webinarChangeColumns = []struct{ name, def string }{
	{"sequence", "sequence INTEGER NOT NULL DEFAULT 0"},
	{"cancelled", "cancelled BOOLEAN NOT NULL DEFAULT FALSE"},
}

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, c := range webinarChangeColumns {
				if _, err := tx.NewAddColumn().Table("webinars").ColumnExpr(c.def).Exec(ctx); err != nil {
					return fmt.Errorf("add column webinars.%s: %w", c.name, err)
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, c := range webinarChangeColumns {
				if _, err := tx.NewDropColumn().Table("webinars").Column(c.name).Exec(ctx); err != nil {
					return fmt.Errorf("drop column webinars.%s: %w", c.name, err)
				}
			}
			return nil
		})
	})
}
