package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Reply by email: each notification mail about a post carries a reply
// address whose token maps to (member, post) until it expires.
//
// Frozen copy of what this migration creates, as it shipped. Never edit it.

type mailReplyToken struct {
	bun.BaseModel `bun:"table:mail_reply_tokens"`
	Token         string    `bun:"token,pk"`
	MemberID      string    `bun:"member_id,notnull"`
	PostID        string    `bun:"post_id,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
	ExpiresAt     time.Time `bun:"expires_at,notnull"`
}

var (
	replyTokenTables  = []initTable{{model: (*mailReplyToken)(nil)}}
	replyTokenIndexes = []initIndex{{name: "mail_reply_tokens_expiry_idx", table: "mail_reply_tokens", columns: []string{"expires_at"}}}
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return createTablesAndIndexes(ctx, tx, replyTokenTables, replyTokenIndexes)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return dropTablesAndIndexes(ctx, tx, replyTokenTables, replyTokenIndexes)
		})
	})
}
