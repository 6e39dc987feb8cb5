package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// The forum report an event is about when the event has an ID of its own
// (forumreport.corrected: each correction of a published report is one
// event, announced as an Update of the report's Article).
//
// Never edit this migration once shipped.

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		if _, err := db.ExecContext(ctx, `ALTER TABLE events ADD COLUMN report_id VARCHAR(26) NOT NULL DEFAULT ''`); err != nil {
			return fmt.Errorf("add events.report_id: %w", err)
		}
		return nil
	}, func(ctx context.Context, db *bun.DB) error {
		if _, err := db.ExecContext(ctx, `ALTER TABLE events DROP COLUMN report_id`); err != nil {
			return fmt.Errorf("drop events.report_id: %w", err)
		}
		return nil
	})
}
