package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Images in posts: post_images lists, in order, the images a member of
// this node put in a question or an answer (the file's name in the media
// store, its alt text, type and size). The image is served only while its
// post is visible, so it is looked up by post, never by name alone.
//
// Frozen copy of what this migration creates, as it shipped. Never edit it.

type postImage struct {
	bun.BaseModel `bun:"table:post_images"`
	PostID        string `bun:"post_id,pk"`
	Position      int    `bun:"position,pk"`
	Name          string `bun:"name,notnull"`
	Alt           string `bun:"alt,notnull"`
	MediaType     string `bun:"media_type,notnull"`
	Width         int    `bun:"width,notnull"`
	Height        int    `bun:"height,notnull"`
}

var postImageTables = []initTable{
	{model: (*postImage)(nil), fks: []string{`("post_id") REFERENCES "posts" ("id") ON DELETE CASCADE`}},
}

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return createTablesAndIndexes(ctx, tx, postImageTables, nil)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return dropTablesAndIndexes(ctx, tx, postImageTables, nil)
		})
	})
}
