package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// posts.extras holds, as JSON, what a post written on another server
// carries beside its text (forum.Extras: a content warning, media kept as
// links, a poll's options, a video's link, an event's times). It is never
// queried, only shown with its post, so it is read with the post's row (no
// statement more per post) rather than from join tables. Local posts and
// remote posts stored before this migration hold ''.
//
// Never edit this migration once shipped.

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewAddColumn().Table("posts").ColumnExpr("extras TEXT NOT NULL DEFAULT ''").Exec(ctx); err != nil {
				return fmt.Errorf("add column posts.extras: %w", err)
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewDropColumn().Table("posts").Column("extras").Exec(ctx)
			return err
		})
	})
}
