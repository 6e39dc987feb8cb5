package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// The moderation log reads the event log by kind, newest first: an index
// on (kind, id) keeps a page cheap on a node whose log is mostly posts.
//
// Never edit this migration once shipped.

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		if _, err := db.NewCreateIndex().Table("events").Index("events_kind_id").Column("kind", "id").IfNotExists().Exec(ctx); err != nil {
			return fmt.Errorf("create index events_kind_id: %w", err)
		}
		return nil
	}, func(ctx context.Context, db *bun.DB) error {
		if _, err := db.NewDropIndex().Index("events_kind_id").IfExists().Exec(ctx); err != nil {
			return fmt.Errorf("drop index events_kind_id: %w", err)
		}
		return nil
	})
}
