package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// Email: the durable mail queue (claimed with a lease, retried with
// backoff), members' addresses, and which notifications went out by mail.
//
// Frozen copy of what this migration creates, as it shipped. Never edit it.

type mailQueueRow struct {
	bun.BaseModel `bun:"table:mail_queue"`
	ID            string     `bun:"id,pk"`
	ToAddr        string     `bun:"to_addr,notnull"`
	Subject       string     `bun:"subject,notnull"`
	TextBody      string     `bun:"text_body,notnull"`
	HTMLBody      string     `bun:"html_body,notnull"`
	Headers       string     `bun:"headers,notnull"`
	State         string     `bun:"state,notnull"`
	Attempts      int        `bun:"attempts,notnull"`
	NextAttemptAt time.Time  `bun:"next_attempt_at,notnull"`
	LeaseHolder   string     `bun:"lease_holder,notnull"`
	LeaseUntil    *time.Time `bun:"lease_until"`
	LastError     string     `bun:"last_error,notnull"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	SentAt        *time.Time `bun:"sent_at"`
}

type mailMemberEmail struct {
	bun.BaseModel `bun:"table:member_emails"`
	MemberID      string `bun:"member_id,pk"`
	Address       string `bun:"address,notnull"`
}

var (
	mailTables  = []initTable{{model: (*mailQueueRow)(nil)}, {model: (*mailMemberEmail)(nil)}}
	mailIndexes = []initIndex{
		{name: "mail_queue_due_idx", table: "mail_queue", columns: []string{"state", "next_attempt_at"}},
		{name: "notifications_unmailed_idx", table: "notifications", columns: []string{"member_id", "id"}, where: "mailed_at IS NULL"},
	}
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		typ := "TIMESTAMP" // as notifications.read_at: TIMESTAMPTZ on PostgreSQL
		if db.Dialect().Name() == dialect.PG {
			typ = "TIMESTAMPTZ"
		}
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewAddColumn().Table("notifications").ColumnExpr("mailed_at " + typ).Exec(ctx); err != nil {
				return fmt.Errorf("add notifications.mailed_at: %w", err)
			}
			return createTablesAndIndexes(ctx, tx, mailTables, mailIndexes)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if err := dropTablesAndIndexes(ctx, tx, mailTables, mailIndexes); err != nil {
				return err
			}
			_, err := tx.NewDropColumn().Table("notifications").Column("mailed_at").Exec(ctx)
			return err
		})
	})
}
