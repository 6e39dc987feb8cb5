package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// What members keep for themselves through apps (package personal): the
// people they follow, bookmarks and read markers.
//
// Frozen copy of what this migration creates, as it shipped. Never edit it.

type personalFollow struct {
	bun.BaseModel `bun:"table:member_follows"`
	FollowerID    string    `bun:"follower_id,pk"`
	FolloweeID    string    `bun:"followee_id,pk"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

type personalBookmark struct {
	bun.BaseModel `bun:"table:bookmarks"`
	MemberID      string    `bun:"member_id,pk"`
	PostID        string    `bun:"post_id,pk"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

type personalMarker struct {
	bun.BaseModel `bun:"table:markers"`
	MemberID      string    `bun:"member_id,pk"`
	Timeline      string    `bun:"timeline,pk"`
	LastReadID    string    `bun:"last_read_id,notnull"`
	Version       int       `bun:"version,notnull"`
	UpdatedAt     time.Time `bun:"updated_at,notnull"`
}

var (
	personalTables = []initTable{
		{model: (*personalFollow)(nil), fks: []string{
			`("follower_id") REFERENCES "members" ("id") ON DELETE CASCADE`,
			`("followee_id") REFERENCES "members" ("id") ON DELETE CASCADE`}},
		{model: (*personalBookmark)(nil), fks: []string{
			`("member_id") REFERENCES "members" ("id") ON DELETE CASCADE`,
			`("post_id") REFERENCES "posts" ("id") ON DELETE CASCADE`}},
		{model: (*personalMarker)(nil), fks: []string{`("member_id") REFERENCES "members" ("id") ON DELETE CASCADE`}},
	}
	personalIndexes = []initIndex{
		// Who follows a member (the followers count).
		{name: "member_follows_followee_idx", table: "member_follows", columns: []string{"followee_id"}},
	}
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return createTablesAndIndexes(ctx, tx, personalTables, personalIndexes)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return dropTablesAndIndexes(ctx, tx, personalTables, personalIndexes)
		})
	})
}
