package storage

import (
	"context"
	"database/sql"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
)

type memberRow struct {
	bun.BaseModel `bun:"table:members"`
	ID            string    `bun:"id,pk"`
	Username      string    `bun:"username"`
	Domain        string    `bun:"domain"`
	URI           string    `bun:"uri,nullzero"` // NULL for local members
	ProfileURL    string    `bun:"profile_url"`
	DisplayName   string    `bun:"display_name"`
	Title         string    `bun:"title"`
	Organisation  string    `bun:"organisation"`
	CityID        string    `bun:"city_id"`
	UILanguage    string    `bun:"ui_language"`
	TimeZone      string    `bun:"time_zone"`
	Role          string    `bun:"role"`
	PasswordHash  string    `bun:"password_hash"`
	CreatedAt     time.Time `bun:"created_at"`
	// Avatar is the name of the member's picture in the media store.
	Avatar string `bun:"avatar,notnull"`
	// AvatarURL is a remote member's picture on their server.
	AvatarURL string `bun:"avatar_url,notnull"`
}

type memberLanguageRow struct {
	bun.BaseModel `bun:"table:member_languages"`
	MemberID      string `bun:"member_id,pk"`
	Position      int    `bun:"position,pk"`
	Tag           string `bun:"tag"`
}

func memberToRow(m *forum.Member) *memberRow {
	r := &memberRow{
		ID: m.ID, Username: m.Username, Domain: m.Domain, URI: m.URI, ProfileURL: m.ProfileURL,
		DisplayName: m.DisplayName, Title: m.Title, Organisation: m.Organisation, CityID: m.CityID, UILanguage: m.UILanguage,
		TimeZone: m.TimeZone, Role: string(m.Role), PasswordHash: m.PasswordHash, CreatedAt: utc(m.CreatedAt),
	}
	r.Avatar, r.AvatarURL = m.Avatar, m.AvatarURL
	return r
}

func (r *memberRow) toForum() *forum.Member {
	m := &forum.Member{
		ID: r.ID, Username: r.Username, Domain: r.Domain, URI: r.URI, ProfileURL: r.ProfileURL,
		DisplayName: r.DisplayName, Title: r.Title, Organisation: r.Organisation, CityID: r.CityID, UILanguage: r.UILanguage,
		TimeZone: r.TimeZone, Role: forum.Role(r.Role), PasswordHash: r.PasswordHash, CreatedAt: r.CreatedAt.UTC(),
	}
	m.Avatar, m.AvatarURL = r.Avatar, r.AvatarURL
	return m
}

// CreateMember stores a member and its languages; ErrConflict if the
// (username, domain) pair or the URI is taken.
func (s *Store) CreateMember(ctx context.Context, m *forum.Member) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		if _, err := tx.db.NewInsert().Model(memberToRow(m)).Exec(ctx); err != nil {
			return dbErr("create member", err)
		}
		return tx.insertLanguages(ctx, m)
	})
}

// UpdateMember stores every field of m, replacing its languages.
func (s *Store) UpdateMember(ctx context.Context, m *forum.Member) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		res, err := tx.db.NewUpdate().Model(memberToRow(m)).WherePK().Exec(ctx)
		if err != nil {
			return dbErr("update member", err)
		}
		if err := affected("update member", res); err != nil {
			return err
		}
		if _, err := tx.db.NewDelete().Model((*memberLanguageRow)(nil)).
			Where("member_id = ?", m.ID).Exec(ctx); err != nil {
			return dbErr("update member languages", err)
		}
		return tx.insertLanguages(ctx, m)
	})
}

func (s *Store) insertLanguages(ctx context.Context, m *forum.Member) error {
	if len(m.Languages) == 0 {
		return nil
	}
	rows := make([]memberLanguageRow, len(m.Languages))
	for i, tag := range m.Languages {
		rows[i] = memberLanguageRow{MemberID: m.ID, Position: i, Tag: tag}
	}
	_, err := s.db.NewInsert().Model(&rows).Exec(ctx)
	return dbErr("store member languages", err)
}

// MemberToChange reads a member to write it back whole (forum.Store).
func (s *Store) MemberToChange(ctx context.Context, id forum.ID) (*forum.Member, error) {
	if err := s.lockToChange(ctx, "lock member", (*memberRow)(nil), id); err != nil {
		return nil, err
	}
	return s.MemberByID(ctx, id)
}

// MemberByID returns a member with its languages.
func (s *Store) MemberByID(ctx context.Context, id forum.ID) (*forum.Member, error) {
	// Every signed-in request reads its member: prepared statements.
	var rows []memberRow
	err := s.readPrepared(ctx, "member by id", func(db bun.IDB) string {
		return db.NewSelect().Model((*memberRow)(nil)).Where("id = ?", bun.Safe("?")).String()
	}, &rows, id)
	if err != nil {
		return nil, dbErr("member by id", err)
	}
	if len(rows) == 0 {
		return nil, dbErr("member by id", sql.ErrNoRows)
	}
	var langs []memberLanguageRow
	err = s.readPrepared(ctx, "member languages", func(db bun.IDB) string {
		return db.NewSelect().Model((*memberLanguageRow)(nil)).Where("member_id = ?", bun.Safe("?")).
			OrderExpr("member_id, position").String()
	}, &langs, id)
	if err != nil {
		return nil, dbErr("load member languages", err)
	}
	m := rows[0].toForum()
	for _, l := range langs {
		m.Languages = append(m.Languages, l.Tag)
	}
	return m, nil
}

// LocalMemberByUsername finds a member of this node.
func (s *Store) LocalMemberByUsername(ctx context.Context, username string) (*forum.Member, error) {
	return s.oneMember(ctx, "member by username", "domain = '' AND username = ?", username)
}

// MemberByURI finds a remote member by ActivityPub id.
func (s *Store) MemberByURI(ctx context.Context, uri string) (*forum.Member, error) {
	return s.oneMember(ctx, "member by uri", "uri = ?", uri)
}

// oneMember reads the member where holds (what names the statement,
// prepared: the received side looks up every reply's author).
func (s *Store) oneMember(ctx context.Context, what, where string, arg any) (*forum.Member, error) {
	var rows []memberRow
	err := s.selectPrepared(ctx, what, &rows, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where(where, bun.Safe("?"))
	}, arg)
	if err != nil {
		return nil, dbErr(what, err)
	}
	if len(rows) == 0 {
		return nil, dbErr(what, sql.ErrNoRows)
	}
	ms, err := s.withLanguages(ctx, rows[:1])
	if err != nil {
		return nil, err
	}
	return ms[0], nil
}

// MembersByIDs returns the members found among ids, by ID.
func (s *Store) MembersByIDs(ctx context.Context, ids []forum.ID) (map[forum.ID]*forum.Member, error) {
	out := make(map[forum.ID]*forum.Member, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []memberRow
	if err := s.db.NewSelect().Model(&rows).Where("id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, dbErr("members by ids", err)
	}
	ms, err := s.withLanguages(ctx, rows)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		out[m.ID] = m
	}
	return out, nil
}

// ListMembers lists local members by username, after afterUsername.
func (s *Store) ListMembers(ctx context.Context, afterUsername string, limit int) ([]*forum.Member, error) {
	var rows []memberRow
	err := s.db.NewSelect().Model(&rows).
		Where("domain = ''").Where("username > ?", afterUsername).
		OrderExpr("username ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbErr("list members", err)
	}
	return s.withLanguages(ctx, rows)
}

// CountLocalMembers counts the members of this node.
func (s *Store) CountLocalMembers(ctx context.Context) (int, error) {
	n, err := s.db.NewSelect().Model((*memberRow)(nil)).Where("domain = ''").Count(ctx)
	return int(n), dbErr("count members", err)
}

// withLanguages converts rows and loads their languages in one query.
func (s *Store) withLanguages(ctx context.Context, rows []memberRow) ([]*forum.Member, error) {
	out := make([]*forum.Member, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	byID := make(map[string]*forum.Member, len(rows))
	ids := make([]string, len(rows))
	for i := range rows {
		out[i] = rows[i].toForum()
		byID[rows[i].ID] = out[i]
		ids[i] = rows[i].ID
	}
	var langs []memberLanguageRow
	var err error
	if len(ids) == 1 {
		// One member (a lookup by URI or name): a prepared statement.
		err = s.selectPrepared(ctx, "languages of one member", &langs, func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("member_id = ?", bun.Safe("?")).OrderExpr("member_id, position")
		}, ids[0])
	} else {
		err = s.db.NewSelect().Model(&langs).Where("member_id IN (?)", bun.List(ids)).
			OrderExpr("member_id, position").Scan(ctx)
	}
	if err != nil {
		return nil, dbErr("load member languages", err)
	}
	for _, l := range langs {
		m := byID[l.MemberID]
		m.Languages = append(m.Languages, l.Tag)
	}
	return out, nil
}
