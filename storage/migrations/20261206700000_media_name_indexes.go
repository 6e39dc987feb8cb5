package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Indexes by media file name: the media sweeper asks, for a page of
// stored files, which ones a post image, an upload or an avatar still
// uses (files are shared by content hash), without reading whole tables.
//
// Frozen: never edit it.

var mediaNameIndexes = []initIndex{
	{name: "post_images_name_idx", table: "post_images", columns: []string{"name"}},
	{name: "media_uploads_name_idx", table: "media_uploads", columns: []string{"name"}},
	{name: "members_avatar_idx", table: "members", columns: []string{"avatar"}, where: "avatar <> ''"},
}

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return createTablesAndIndexes(ctx, tx, nil, mediaNameIndexes)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return dropTablesAndIndexes(ctx, tx, nil, mediaNameIndexes)
		})
	})
}
