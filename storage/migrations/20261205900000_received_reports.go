package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Received reports (report.Received): the reports of forums this node
// mirrors, as their forum's Article announced them, with their title and
// summary per language in a join table (no JSON columns).
//
// Frozen copy of what this migration creates, as it shipped. Never edit it.

type receivedReportsReport struct {
	bun.BaseModel `bun:"table:received_reports"`
	URI           string    `bun:"uri,pk"`
	ForumID       string    `bun:"forum_id,notnull,type:varchar(26)"`
	URL           string    `bun:"url,notnull"`
	Language      string    `bun:"language,notnull"`
	PublishedAt   time.Time `bun:"published_at,notnull"`
	UpdatedAt     time.Time `bun:"updated_at,notnull"`
	ReceivedAt    time.Time `bun:"received_at,notnull"`
}

type receivedReportsText struct {
	bun.BaseModel `bun:"table:received_report_texts"`
	URI           string `bun:"uri,pk"`
	Language      string `bun:"language,pk"`
	Title         string `bun:"title,notnull"`
	Summary       string `bun:"summary,notnull,type:text"`
}

var (
	receivedReportsTables = []initTable{
		{model: (*receivedReportsReport)(nil)},
		{model: (*receivedReportsText)(nil)},
	}
	receivedReportsIndexes = []initIndex{
		// ListReceivedReports: a forum's reports, newest first.
		{name: "received_reports_forum_idx", table: "received_reports", columns: []string{"forum_id", "published_at"}},
	}
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return createTablesAndIndexes(ctx, tx, receivedReportsTables, receivedReportsIndexes)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return dropTablesAndIndexes(ctx, tx, receivedReportsTables, receivedReportsIndexes)
		})
	})
}
