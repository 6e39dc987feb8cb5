package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Shares of posts (Mastodon boosts): who shared, and a count on the post.
//
// Frozen copy of what this migration creates, as it shipped. Never edit it.

type sharesShare struct {
	bun.BaseModel `bun:"table:post_shares"`
	PostID        string    `bun:"post_id,pk,type:varchar(26)"`
	MemberID      string    `bun:"member_id,pk,type:varchar(26)"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

var sharesTables = []initTable{
	{model: (*sharesShare)(nil), fks: []string{
		`("post_id") REFERENCES "posts" ("id") ON DELETE CASCADE`,
		`("member_id") REFERENCES "members" ("id") ON DELETE CASCADE`,
	}},
}

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewAddColumn().Table("posts").ColumnExpr("share_count INTEGER NOT NULL DEFAULT 0").Exec(ctx); err != nil {
				return fmt.Errorf("add column posts.share_count: %w", err)
			}
			return createTablesAndIndexes(ctx, tx, sharesTables, nil)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if err := dropTablesAndIndexes(ctx, tx, sharesTables, nil); err != nil {
				return err
			}
			_, err := tx.NewDropColumn().Table("posts").Column("share_count").Exec(ctx)
			return err
		})
	})
}
