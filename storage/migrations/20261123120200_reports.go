package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Reports of posts to moderators (local reports and Flags from other nodes).
//
// Frozen copy of what this migration creates, as it shipped. Never edit it.

type reportsReport struct {
	bun.BaseModel `bun:"table:reports"`
	ID            string     `bun:"id,pk,type:varchar(26)"`
	URI           string     `bun:"uri,type:varchar"`
	PostID        string     `bun:"post_id,notnull,type:varchar(26)"`
	ThreadID      string     `bun:"thread_id,notnull,type:varchar(26)"`
	ForumID       string     `bun:"forum_id,notnull,type:varchar(26)"`
	ReporterID    string     `bun:"reporter_id,notnull,type:varchar(26)"`
	Reason        string     `bun:"reason,notnull,type:text"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	ResolvedAt    *time.Time `bun:"resolved_at"`
	ResolvedBy    string     `bun:"resolved_by,notnull,type:varchar(26)"`
}

var reportsTables = []initTable{
	{model: (*reportsReport)(nil), fks: []string{
		`("post_id") REFERENCES "posts" ("id") ON DELETE CASCADE`,
		`("reporter_id") REFERENCES "members" ("id") ON DELETE CASCADE`,
	}},
}

var reportsIndexes = []initIndex{
	{name: "reports_uri_key", table: "reports", unique: true, columns: []string{"uri"}},
	// ListOpenReports: newest first among the unresolved.
	{name: "reports_open_idx", table: "reports", columns: []string{"id"}, where: "resolved_at IS NULL"},
}

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return createTablesAndIndexes(ctx, tx, reportsTables, reportsIndexes)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return dropTablesAndIndexes(ctx, tx, reportsTables, reportsIndexes)
		})
	})
}
