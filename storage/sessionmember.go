package storage

import (
	"context"
	"database/sql"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/uptrace/bun"
)

// sessionMemberRow is one row of the session-to-member read: the member,
// its session's expiry and one of its languages (NULL when it has none).
type sessionMemberRow struct {
	memberRow
	SessionExpiresAt time.Time      `bun:"session_expires_at"`
	LangTag          sql.NullString `bun:"lang_tag"`
}

// sessionMemberSQL reads a session's member and languages in one
// statement: a row per language, in the member's order of preference.
const sessionMemberSQL = `SELECT m.*, s.expires_at AS session_expires_at, l.tag AS lang_tag
FROM sessions AS s
JOIN members AS m ON m.id = s.member_id
LEFT JOIN member_languages AS l ON l.member_id = m.id
WHERE s.token_hash = ?
ORDER BY l.position`

// SessionMember returns the member of an unexpired session, else
// ErrNotFound. Every signed-in request asks, so it is one prepared
// statement (it was three: the session, the member, its languages); the
// expiry is checked here, in Go, so both databases compare times alike.
func (s *Store) SessionMember(ctx context.Context, hash string, now time.Time) (*forum.Member, error) {
	var rows []sessionMemberRow
	err := s.readPrepared(ctx, "session member", func(bun.IDB) string { return sessionMemberSQL }, &rows, hash)
	if err != nil {
		return nil, dbErr("session member", err)
	}
	if len(rows) == 0 || !rows[0].SessionExpiresAt.After(now) {
		return nil, dbErr("session member", sql.ErrNoRows)
	}
	m := rows[0].toForum()
	for _, r := range rows {
		if r.LangTag.Valid {
			m.Languages = append(m.Languages, r.LangTag.String)
		}
	}
	return m, nil
}
