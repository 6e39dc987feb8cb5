package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Media uploads: images an app sent ahead of the status that carries
// them (Mastodon's POST /api/v2/media, then media_ids). Each row is owned
// by its uploader, who alone may see or describe it; a post that takes it
// deletes the row (post_images holds the image from then on), and rows no
// post took expire.
//
// Frozen copy of what this migration creates, as it shipped. Never edit it.

type mediaUpload struct {
	bun.BaseModel `bun:"table:media_uploads"`
	ID            string    `bun:"id,pk"`
	OwnerID       string    `bun:"owner_id,notnull"`
	Name          string    `bun:"name,notnull"`
	MediaType     string    `bun:"media_type,notnull"`
	Width         int       `bun:"width,notnull"`
	Height        int       `bun:"height,notnull"`
	Description   string    `bun:"description,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

var (
	mediaUploadTables = []initTable{
		{model: (*mediaUpload)(nil), fks: []string{`("owner_id") REFERENCES "members" ("id") ON DELETE CASCADE`}},
	}
	mediaUploadIndexes = []initIndex{
		// A member's uploads (counted against the cap on waiting ones).
		{name: "media_uploads_owner_idx", table: "media_uploads", columns: []string{"owner_id", "created_at"}},
		// The expiry sweep.
		{name: "media_uploads_created_idx", table: "media_uploads", columns: []string{"created_at"}},
	}
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return createTablesAndIndexes(ctx, tx, mediaUploadTables, mediaUploadIndexes)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return dropTablesAndIndexes(ctx, tx, mediaUploadTables, mediaUploadIndexes)
		})
	})
}
