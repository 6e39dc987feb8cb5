package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Cities: a member's city or organisation is one of the node's known
// cities (members pick one or add one), not free text. name_key is the
// name folded for comparison (lower case, single spaces), unique, so
// "Belo  horizonte" finds "Belo Horizonte". members.city_id links a
// member to their city ('' for none).
//
// Frozen copy of what this migration creates, as it shipped. Never edit it.

type citiesCity struct {
	bun.BaseModel `bun:"table:cities"`
	ID            string    `bun:"id,pk,type:varchar(26)"`
	Name          string    `bun:"name,notnull"`
	NameKey       string    `bun:"name_key,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

var (
	citiesTables  = []initTable{{model: (*citiesCity)(nil)}}
	citiesIndexes = []initIndex{
		{name: "cities_name_key_idx", table: "cities", columns: []string{"name_key"}, unique: true},
		{name: "members_city_idx", table: "members", columns: []string{"city_id"}},
	}
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewAddColumn().Table("members").ColumnExpr("city_id VARCHAR(26) NOT NULL DEFAULT ''").Exec(ctx); err != nil {
				return fmt.Errorf("add column members.city_id: %w", err)
			}
			return createTablesAndIndexes(ctx, tx, citiesTables, citiesIndexes)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if err := dropTablesAndIndexes(ctx, tx, citiesTables, citiesIndexes); err != nil {
				return err
			}
			_, err := tx.NewDropColumn().Table("members").Column("city_id").Exec(ctx)
			return err
		})
	})
}
