package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Why a join last failed, as a code (join.Reason*): the admin page says it
// in the admin's language; join_jobs.error keeps the technical text for
// the log and the command line. '' for no failure, and for jobs that
// failed before this column.
//
// Never edit this migration once shipped.

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		if _, err := db.NewAddColumn().Table("join_jobs").ColumnExpr("reason VARCHAR NOT NULL DEFAULT ''").Exec(ctx); err != nil {
			return fmt.Errorf("add column join_jobs.reason: %w", err)
		}
		return nil
	}, func(ctx context.Context, db *bun.DB) error {
		if _, err := db.NewDropColumn().Table("join_jobs").Column("reason").Exec(ctx); err != nil {
			return fmt.Errorf("drop column join_jobs.reason: %w", err)
		}
		return nil
	})
}
