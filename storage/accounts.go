package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
)

type invitationRow struct {
	bun.BaseModel `bun:"table:invitations"`
	ID            string     `bun:"id,pk"`
	TokenHash     string     `bun:"token_hash"`
	Note          string     `bun:"note"`
	Role          string     `bun:"role"`
	CreatedBy     string     `bun:"created_by"`
	CreatedAt     time.Time  `bun:"created_at"`
	ExpiresAt     time.Time  `bun:"expires_at"`
	UsedAt        *time.Time `bun:"used_at"`
	UsedBy        string     `bun:"used_by"`
}

func (r *invitationRow) toForum() *forum.Invitation {
	return &forum.Invitation{
		ID: r.ID, TokenHash: r.TokenHash, Note: r.Note, Role: forum.Role(r.Role),
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(),
		UsedAt: utcPtr(r.UsedAt), UsedBy: r.UsedBy,
	}
}

type loginTokenRow struct {
	bun.BaseModel `bun:"table:login_tokens"`
	TokenHash     string     `bun:"token_hash,pk"`
	MemberID      string     `bun:"member_id"`
	Purpose       string     `bun:"purpose"`
	CreatedAt     time.Time  `bun:"created_at"`
	ExpiresAt     time.Time  `bun:"expires_at"`
	UsedAt        *time.Time `bun:"used_at"`
}

func (r *loginTokenRow) toForum() *forum.LoginToken {
	return &forum.LoginToken{
		TokenHash: r.TokenHash, MemberID: r.MemberID, Purpose: forum.TokenPurpose(r.Purpose),
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), UsedAt: utcPtr(r.UsedAt),
	}
}

type sessionRow struct {
	bun.BaseModel `bun:"table:sessions"`
	TokenHash     string    `bun:"token_hash,pk"`
	MemberID      string    `bun:"member_id"`
	CreatedAt     time.Time `bun:"created_at"`
	ExpiresAt     time.Time `bun:"expires_at"`
}

// CreateInvitation stores an invitation.
func (s *Store) CreateInvitation(ctx context.Context, inv *forum.Invitation) error {
	row := &invitationRow{
		ID: inv.ID, TokenHash: inv.TokenHash, Note: inv.Note, Role: string(inv.Role),
		CreatedBy: inv.CreatedBy, CreatedAt: utc(inv.CreatedAt), ExpiresAt: utc(inv.ExpiresAt),
		UsedAt: utcPtr(inv.UsedAt), UsedBy: inv.UsedBy,
	}
	_, err := s.db.NewInsert().Model(row).Exec(ctx)
	return dbErr("create invitation", err)
}

// InvitationByTokenHash finds an invitation, used or not.
func (s *Store) InvitationByTokenHash(ctx context.Context, hash string) (*forum.Invitation, error) {
	var row invitationRow
	if err := s.db.NewSelect().Model(&row).Where("token_hash = ?", hash).Scan(ctx); err != nil {
		return nil, dbErr("invitation by token", err)
	}
	return row.toForum(), nil
}

// UseInvitation marks the invitation used in one conditional UPDATE, so of
// two racers only one wins. ErrConflict if it is used or expired at at,
// ErrNotFound if it does not exist.
func (s *Store) UseInvitation(ctx context.Context, id, memberID forum.ID, at time.Time) error {
	res, err := s.db.NewUpdate().Model((*invitationRow)(nil)).
		Set("used_at = ?", utc(at)).Set("used_by = ?", memberID).
		Where("id = ?", id).Where("used_at IS NULL").Where("expires_at > ?", utc(at)).
		Exec(ctx)
	if err != nil {
		return dbErr("use invitation", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbErr("use invitation", err)
	} else if n == 1 {
		return nil
	}
	exists, err := s.db.NewSelect().Model((*invitationRow)(nil)).Where("id = ?", id).Exists(ctx)
	if err != nil {
		return dbErr("use invitation", err)
	}
	if !exists {
		return fmt.Errorf("use invitation: %w", forum.ErrNotFound)
	}
	return fmt.Errorf("use invitation: used or expired: %w", forum.ErrConflict)
}

// ListInvitations lists invitations newest first, before beforeID ("" for
// the newest).
func (s *Store) ListInvitations(ctx context.Context, beforeID forum.ID, limit int) ([]*forum.Invitation, error) {
	var rows []invitationRow
	q := s.db.NewSelect().Model(&rows).OrderExpr("id DESC").Limit(int64(limit))
	if beforeID != "" {
		q = q.Where("id < ?", beforeID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbErr("list invitations", err)
	}
	out := make([]*forum.Invitation, len(rows))
	for i := range rows {
		out[i] = rows[i].toForum()
	}
	return out, nil
}

// CreateLoginToken stores a one-time sign-in token.
func (s *Store) CreateLoginToken(ctx context.Context, t *forum.LoginToken) error {
	row := &loginTokenRow{
		TokenHash: t.TokenHash, MemberID: t.MemberID, Purpose: string(t.Purpose),
		CreatedAt: utc(t.CreatedAt), ExpiresAt: utc(t.ExpiresAt), UsedAt: utcPtr(t.UsedAt),
	}
	_, err := s.db.NewInsert().Model(row).Exec(ctx)
	return dbErr("create login token", err)
}

// LoginTokenByHash returns an unused token that has not expired at now.
func (s *Store) LoginTokenByHash(ctx context.Context, hash string, now time.Time) (*forum.LoginToken, error) {
	var row loginTokenRow
	err := s.db.NewSelect().Model(&row).
		Where("token_hash = ?", hash).Where("used_at IS NULL").Where("expires_at > ?", utc(now)).
		Scan(ctx)
	if err != nil {
		return nil, dbErr("login token", err)
	}
	return row.toForum(), nil
}

// UseLoginToken marks the token used in one conditional UPDATE (only one of
// two racers wins) and returns it; ErrNotFound if it is unknown, used or
// expired.
func (s *Store) UseLoginToken(ctx context.Context, hash string, now time.Time) (*forum.LoginToken, error) {
	res, err := s.db.NewUpdate().Model((*loginTokenRow)(nil)).
		Set("used_at = ?", utc(now)).
		Where("token_hash = ?", hash).Where("used_at IS NULL").Where("expires_at > ?", utc(now)).
		Exec(ctx)
	if err != nil {
		return nil, dbErr("use login token", err)
	}
	if err := affected("use login token", res); err != nil {
		return nil, err
	}
	var row loginTokenRow
	if err := s.db.NewSelect().Model(&row).Where("token_hash = ?", hash).Scan(ctx); err != nil {
		return nil, dbErr("use login token", err)
	}
	return row.toForum(), nil
}

// CreateSession stores a session.
func (s *Store) CreateSession(ctx context.Context, sess *forum.Session) error {
	row := &sessionRow{
		TokenHash: sess.TokenHash, MemberID: sess.MemberID,
		CreatedAt: utc(sess.CreatedAt), ExpiresAt: utc(sess.ExpiresAt),
	}
	_, err := s.db.NewInsert().Model(row).Exec(ctx)
	return dbErr("create session", err)
}

// SessionByTokenHash returns a session that has not expired at now.
func (s *Store) SessionByTokenHash(ctx context.Context, hash string, now time.Time) (*forum.Session, error) {
	// Every signed-in request asks: prepared, and the expiry checked here.
	var rows []sessionRow
	err := s.readPrepared(ctx, "session by token hash", func(db bun.IDB) string {
		return db.NewSelect().Model((*sessionRow)(nil)).Where("token_hash = ?", bun.Safe("?")).String()
	}, &rows, hash)
	if err != nil {
		return nil, dbErr("session", err)
	}
	if len(rows) == 0 || !rows[0].ExpiresAt.After(now) {
		return nil, dbErr("session", sql.ErrNoRows)
	}
	row := rows[0]
	return &forum.Session{TokenHash: row.TokenHash, MemberID: row.MemberID,
		CreatedAt: row.CreatedAt.UTC(), ExpiresAt: row.ExpiresAt.UTC()}, nil
}

// DeleteSession deletes a session; deleting an unknown one is not an error.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	_, err := s.db.NewDelete().Model((*sessionRow)(nil)).Where("token_hash = ?", hash).Exec(ctx)
	return dbErr("delete session", err)
}

// DeleteMemberSessions signs a member out everywhere.
func (s *Store) DeleteMemberSessions(ctx context.Context, memberID forum.ID) error {
	_, err := s.db.NewDelete().Model((*sessionRow)(nil)).Where("member_id = ?", memberID).Exec(ctx)
	return dbErr("delete member sessions", err)
}
