package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Forum reports (package report): what moderators compose from a forum's
// discussion. A report's texts per language, its debate questions in
// order, its highlights per question and language, and the answers boxed
// under each question, each in a join table (no array columns).
//
// Frozen copy of what this migration creates, as it shipped. Never edit it.

type forumReportsReport struct {
	bun.BaseModel `bun:"table:forum_reports"`
	ID            string     `bun:"id,pk,type:varchar(26)"`
	ForumID       string     `bun:"forum_id,notnull,type:varchar(26)"`
	Language      string     `bun:"language,notnull"`
	Status        string     `bun:"status,notnull"`
	CreatedBy     string     `bun:"created_by,notnull"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	UpdatedAt     time.Time  `bun:"updated_at,notnull"`
	PublishedAt   *time.Time `bun:"published_at"`
}

type forumReportsText struct {
	bun.BaseModel `bun:"table:forum_report_texts"`
	ReportID      string `bun:"report_id,pk,type:varchar(26)"`
	Language      string `bun:"language,pk"`
	Title         string `bun:"title,notnull"`
	Introduction  string `bun:"introduction,notnull,type:text"`
	Conclusion    string `bun:"conclusion,notnull,type:text"`
}

type forumReportsQuestion struct {
	bun.BaseModel `bun:"table:forum_report_questions"`
	ReportID      string `bun:"report_id,pk,type:varchar(26)"`
	Position      int    `bun:"position,pk"`
	ThreadID      string `bun:"thread_id,notnull,type:varchar(26)"`
}

type forumReportsHighlight struct {
	bun.BaseModel `bun:"table:forum_report_highlights"`
	ReportID      string `bun:"report_id,pk,type:varchar(26)"`
	ThreadID      string `bun:"thread_id,pk,type:varchar(26)"`
	Language      string `bun:"language,pk"`
	Body          string `bun:"body,notnull,type:text"`
}

type forumReportsBox struct {
	bun.BaseModel `bun:"table:forum_report_boxes"`
	ReportID      string `bun:"report_id,pk,type:varchar(26)"`
	ThreadID      string `bun:"thread_id,pk,type:varchar(26)"`
	Position      int    `bun:"position,pk"`
	PostID        string `bun:"post_id,notnull,type:varchar(26)"`
}

var (
	forumReportsTables = []initTable{
		{model: (*forumReportsReport)(nil)},
		{model: (*forumReportsText)(nil)},
		{model: (*forumReportsQuestion)(nil)},
		{model: (*forumReportsHighlight)(nil)},
		{model: (*forumReportsBox)(nil)},
	}
	forumReportsIndexes = []initIndex{
		// ListForumReports: a forum's reports, newest first.
		{name: "forum_reports_forum_idx", table: "forum_reports", columns: []string{"forum_id", "id"}},
	}
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return createTablesAndIndexes(ctx, tx, forumReportsTables, forumReportsIndexes)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return dropTablesAndIndexes(ctx, tx, forumReportsTables, forumReportsIndexes)
		})
	})
}
