package storage

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
)

type webinarRow struct {
	bun.BaseModel `bun:"table:webinars"`
	ID            string    `bun:"id,pk"`
	ForumID       string    `bun:"forum_id"`
	ThreadID      string    `bun:"thread_id"`
	Language      string    `bun:"language"`
	StartsAt      time.Time `bun:"starts_at"`
	EndsAt        time.Time `bun:"ends_at"`
	TimeZone      string    `bun:"time_zone"`
	OnlineURL     string    `bun:"online_url"`
	Programme     string    `bun:"programme"`
	Sequence      int       `bun:"sequence"`
	Cancelled     bool      `bun:"cancelled"`
	CreatedBy     string    `bun:"created_by"`
	CreatedAt     time.Time `bun:"created_at"`
}

type webinarTextRow struct {
	bun.BaseModel `bun:"table:webinar_texts"`
	WebinarID     string `bun:"webinar_id,pk"`
	Lang          string `bun:"lang,pk"`
	Title         string `bun:"title"`
	Description   string `bun:"description"`
}

type webinarSpeakerRow struct {
	bun.BaseModel `bun:"table:webinar_speakers"`
	WebinarID     string `bun:"webinar_id,pk"`
	Position      int    `bun:"position,pk"`
	MemberID      string `bun:"member_id"`
	Name          string `bun:"name"`
}

type webinarRSVPRow struct {
	bun.BaseModel `bun:"table:webinar_rsvps"`
	WebinarID     string    `bun:"webinar_id,pk"`
	MemberID      string    `bun:"member_id,pk"`
	CreatedAt     time.Time `bun:"created_at"`
}

// CreateWebinar stores a webinar with its texts and speakers.
func (s *Store) CreateWebinar(ctx context.Context, w *forum.Webinar) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		if _, err := tx.db.NewInsert().Model(webinarRowOf(w)).Exec(ctx); err != nil {
			return dbErr("create webinar", err)
		}
		return tx.insertWebinarDetails(ctx, w)
	})
}

func webinarRowOf(w *forum.Webinar) *webinarRow {
	return &webinarRow{ID: w.ID, ForumID: w.ForumID, ThreadID: w.ThreadID, Language: w.Language, StartsAt: utc(w.StartsAt),
		EndsAt: utc(w.EndsAt), TimeZone: w.TimeZone, OnlineURL: w.OnlineURL, Programme: w.Programme, Sequence: w.Sequence,
		Cancelled: w.Cancelled, CreatedBy: w.CreatedBy, CreatedAt: utc(w.CreatedAt)}
}

// UpdateWebinar stores a webinar's new fields and replaces its texts and
// speakers.
func (s *Store) UpdateWebinar(ctx context.Context, w *forum.Webinar) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		res, err := tx.db.NewUpdate().Model(webinarRowOf(w)).
			Column("language", "starts_at", "ends_at", "time_zone", "online_url", "programme", "sequence", "cancelled").
			WherePK().Exec(ctx)
		if err != nil {
			return dbErr("update webinar", err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return forum.ErrNotFound
		}
		if _, err := tx.db.NewDelete().Model((*webinarTextRow)(nil)).Where("webinar_id = ?", w.ID).Exec(ctx); err != nil {
			return dbErr("delete webinar texts", err)
		}
		if _, err := tx.db.NewDelete().Model((*webinarSpeakerRow)(nil)).Where("webinar_id = ?", w.ID).Exec(ctx); err != nil {
			return dbErr("delete webinar speakers", err)
		}
		return tx.insertWebinarDetails(ctx, w)
	})
}

// insertWebinarDetails stores a webinar's texts and speakers.
func (s *Store) insertWebinarDetails(ctx context.Context, w *forum.Webinar) error {
	texts := make([]webinarTextRow, 0, len(w.Texts))
	for lang, t := range w.Texts {
		texts = append(texts, webinarTextRow{WebinarID: w.ID, Lang: lang, Title: t.Title, Description: t.Description})
	}
	if len(texts) > 0 {
		if _, err := s.db.NewInsert().Model(&texts).Exec(ctx); err != nil {
			return dbErr("create webinar texts", err)
		}
	}
	if len(w.Speakers) > 0 {
		speakers := make([]webinarSpeakerRow, len(w.Speakers))
		for i, sp := range w.Speakers {
			speakers[i] = webinarSpeakerRow{WebinarID: w.ID, Position: i, MemberID: sp.MemberID, Name: sp.Name}
		}
		if _, err := s.db.NewInsert().Model(&speakers).Exec(ctx); err != nil {
			return dbErr("create webinar speakers", err)
		}
	}
	return nil
}

// WebinarToChange reads a webinar to write it back whole (forum.Store).
func (s *Store) WebinarToChange(ctx context.Context, id forum.ID) (*forum.Webinar, error) {
	if err := s.lockToChange(ctx, "lock webinar", (*webinarRow)(nil), id); err != nil {
		return nil, err
	}
	return s.WebinarByID(ctx, id)
}

// WebinarByID finds a webinar.
func (s *Store) WebinarByID(ctx context.Context, id forum.ID) (*forum.Webinar, error) {
	return s.oneWebinar(ctx, "webinar by id", "id = ?", id)
}

// WebinarByThread finds the webinar a thread discusses.
func (s *Store) WebinarByThread(ctx context.Context, threadID forum.ID) (*forum.Webinar, error) {
	return s.oneWebinar(ctx, "webinar by thread", "thread_id = ?", threadID)
}

func (s *Store) oneWebinar(ctx context.Context, what, where string, arg any) (*forum.Webinar, error) {
	var rows []webinarRow
	if err := s.db.NewSelect().Model(&rows).Where(where, arg).Where(webinarThreadStands).Limit(1).Scan(ctx); err != nil {
		return nil, dbErr(what, err)
	}
	if len(rows) == 0 {
		return nil, forum.ErrNotFound
	}
	ws, err := s.withWebinarDetails(ctx, rows)
	if err != nil {
		return nil, err
	}
	return ws[0], nil
}

// webinarThreadStands keeps out a webinar whose discussion thread was
// deleted: deleting an event's question (here, or by the node that
// organises it) deletes the event, its texts included.
const webinarThreadStands = "NOT EXISTS (SELECT 1 FROM threads WHERE threads.id = webinar_row.thread_id AND threads.deleted_at IS NOT NULL)"

// ListWebinars lists a forum's webinars ("" for all), soonest first.
func (s *Store) ListWebinars(ctx context.Context, forumID forum.ID, limit int) ([]*forum.Webinar, error) {
	var rows []webinarRow
	q := s.db.NewSelect().Model(&rows).Where(webinarThreadStands).OrderExpr("starts_at ASC, id ASC").Limit(int64(limit))
	if forumID != "" {
		q = q.Where("forum_id = ?", forumID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbErr("list webinars", err)
	}
	return s.withWebinarDetails(ctx, rows)
}

// withWebinarDetails converts rows, loading their texts and speakers in
// one query each.
func (s *Store) withWebinarDetails(ctx context.Context, rows []webinarRow) ([]*forum.Webinar, error) {
	out := make([]*forum.Webinar, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	byID := make(map[string]*forum.Webinar, len(rows))
	ids := make([]string, len(rows))
	for i, r := range rows {
		out[i] = &forum.Webinar{ID: r.ID, ForumID: r.ForumID, ThreadID: r.ThreadID, Language: r.Language,
			Texts: map[string]forum.WebinarText{}, StartsAt: r.StartsAt.UTC(), EndsAt: r.EndsAt.UTC(), TimeZone: r.TimeZone,
			OnlineURL: r.OnlineURL, Programme: r.Programme, Sequence: r.Sequence, Cancelled: r.Cancelled, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
		byID[r.ID], ids[i] = out[i], r.ID
	}
	var texts []webinarTextRow
	if err := s.db.NewSelect().Model(&texts).Where("webinar_id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, dbErr("load webinar texts", err)
	}
	for _, t := range texts {
		byID[t.WebinarID].Texts[t.Lang] = forum.WebinarText{Title: t.Title, Description: t.Description}
	}
	var speakers []webinarSpeakerRow
	if err := s.db.NewSelect().Model(&speakers).Where("webinar_id IN (?)", bun.List(ids)).
		OrderExpr("webinar_id, position").Scan(ctx); err != nil {
		return nil, dbErr("load webinar speakers", err)
	}
	for _, sp := range speakers {
		w := byID[sp.WebinarID]
		w.Speakers = append(w.Speakers, forum.Speaker{MemberID: sp.MemberID, Name: sp.Name})
	}
	return out, nil
}

// AddRSVP records that a member comes; nothing if already recorded.
func (s *Store) AddRSVP(ctx context.Context, webinarID, memberID forum.ID, at time.Time) error {
	_, err := s.db.NewInsert().Model(&webinarRSVPRow{WebinarID: webinarID, MemberID: memberID, CreatedAt: utc(at)}).
		On("CONFLICT (webinar_id, member_id) DO NOTHING").Exec(ctx)
	return dbErr("add rsvp", err)
}

// RemoveRSVP forgets that a member comes.
func (s *Store) RemoveRSVP(ctx context.Context, webinarID, memberID forum.ID) error {
	_, err := s.db.NewDelete().Model((*webinarRSVPRow)(nil)).Where("webinar_id = ? AND member_id = ?", webinarID, memberID).Exec(ctx)
	return dbErr("remove rsvp", err)
}

// ListRSVPs lists who comes, in the order they said so.
func (s *Store) ListRSVPs(ctx context.Context, webinarID forum.ID) ([]forum.ID, error) {
	var rows []webinarRSVPRow
	if err := s.db.NewSelect().Model(&rows).Where("webinar_id = ?", webinarID).OrderExpr("created_at, member_id").Scan(ctx); err != nil {
		return nil, dbErr("list rsvps", err)
	}
	out := make([]forum.ID, len(rows))
	for i, r := range rows {
		out[i] = r.MemberID
	}
	return out, nil
}
