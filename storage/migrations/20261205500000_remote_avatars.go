package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Remote members' pictures: members.avatar_url is the icon their server
// shows ('' for none, and for local members, whose picture is
// members.avatar in the media store). Mastodon apps show it.
//
// Never edit this migration once shipped.

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		if _, err := db.NewAddColumn().Table("members").ColumnExpr("avatar_url VARCHAR NOT NULL DEFAULT ''").Exec(ctx); err != nil {
			return fmt.Errorf("add column members.avatar_url: %w", err)
		}
		return nil
	}, func(ctx context.Context, db *bun.DB) error {
		if _, err := db.NewDropColumn().Table("members").Column("avatar_url").Exec(ctx); err != nil {
			return fmt.Errorf("drop column members.avatar_url: %w", err)
		}
		return nil
	})
}
