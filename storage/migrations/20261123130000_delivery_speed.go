package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Delivery queue speed (bench/): an order key per delivery, so that two
// activities about one object go to one host one after the other while
// the others to that host go in parallel; and indexes for the claim.
//
// Frozen copy of what this migration creates, as it shipped. Never edit it.

var deliverySpeedIndexes = []initIndex{
	// ClaimDeliveries: pending rows in ID order (the old (state,
	// next_attempt_at) index made it sort every due row at each claim).
	{name: "deliveries_state_id_idx", table: "deliveries", columns: []string{"state", "id"}},
	// Leased rows (in flight): few, found without scanning the pending.
	{name: "deliveries_lease_idx", table: "deliveries", columns: []string{"lease_until"}},
}

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewAddColumn().Table("deliveries").ColumnExpr("order_key VARCHAR NOT NULL DEFAULT ''").Exec(ctx); err != nil {
				return fmt.Errorf("add column deliveries.order_key: %w", err)
			}
			return createTablesAndIndexes(ctx, tx, nil, deliverySpeedIndexes)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if err := dropTablesAndIndexes(ctx, tx, nil, deliverySpeedIndexes); err != nil {
				return err
			}
			_, err := tx.NewDropColumn().Table("deliveries").Column("order_key").Exec(ctx)
			return err
		})
	})
}
