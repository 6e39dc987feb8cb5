package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Members' pictures: members.avatar names the picture in the media store
// ('' for none).
//
// Never edit this migration once shipped.

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		if _, err := db.NewAddColumn().Table("members").ColumnExpr("avatar VARCHAR NOT NULL DEFAULT ''").Exec(ctx); err != nil {
			return fmt.Errorf("add column members.avatar: %w", err)
		}
		return nil
	}, func(ctx context.Context, db *bun.DB) error {
		if _, err := db.NewDropColumn().Table("members").Column("avatar").Exec(ctx); err != nil {
			return fmt.Errorf("drop column members.avatar: %w", err)
		}
		return nil
	})
}
