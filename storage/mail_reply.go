package storage

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/mailin"
)

var _ mailin.Store = (*Store)(nil)

type replyTokenRow struct {
	bun.BaseModel `bun:"table:mail_reply_tokens"`
	Token         string    `bun:"token,pk"`
	MemberID      string    `bun:"member_id"`
	PostID        string    `bun:"post_id"`
	CreatedAt     time.Time `bun:"created_at"`
	ExpiresAt     time.Time `bun:"expires_at"`
}

// SaveReplyToken stores a reply token, or moves its expiry on when it is
// mailed again.
func (s *Store) SaveReplyToken(ctx context.Context, t *mailin.Token) error {
	row := &replyTokenRow{Token: t.Token, MemberID: t.MemberID, PostID: t.PostID, CreatedAt: utc(t.CreatedAt), ExpiresAt: utc(t.ExpiresAt)}
	_, err := upsert(s.db.NewInsert().Model(row), "token", "expires_at").Exec(ctx)
	return dbErr("save reply token", err)
}

// ReplyToken returns a stored reply token.
func (s *Store) ReplyToken(ctx context.Context, token string) (*mailin.Token, error) {
	var r replyTokenRow
	if err := s.db.NewSelect().Model(&r).Where("token = ?", token).Scan(ctx); err != nil {
		return nil, dbErr("reply token", err)
	}
	return &mailin.Token{Token: r.Token, MemberID: r.MemberID, PostID: r.PostID, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}, nil
}

// PurgeReplyTokens deletes the reply tokens expired before t.
func (s *Store) PurgeReplyTokens(ctx context.Context, t time.Time) error {
	_, err := s.db.NewDelete().Model((*replyTokenRow)(nil)).Where("expires_at < ?", utc(t)).Exec(ctx)
	return dbErr("purge reply tokens", err)
}

// MemberByEmail is the member whose address is address, compared without
// case; "" when none.
func (s *Store) MemberByEmail(ctx context.Context, address string) (string, error) {
	var rows []memberEmailRow
	err := s.db.NewSelect().Model(&rows).Where("lower(address) = ?", strings.ToLower(address)).OrderExpr("member_id").Limit(1).Scan(ctx)
	if err != nil {
		return "", dbErr("member by email", err)
	}
	if len(rows) == 0 {
		return "", nil
	}
	return rows[0].MemberID, nil
}
