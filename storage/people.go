package storage

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/personal"
)

// The remote people members follow from apps, and those people's statuses
// that belong to no forum (package personal; written by federation).

type personFollowRow struct {
	bun.BaseModel `bun:"table:person_follows"`
	ID            string    `bun:"id,pk"`
	MemberID      string    `bun:"member_id"`
	PersonID      string    `bun:"person_id"`
	PersonURI     string    `bun:"person_uri"`
	FollowID      string    `bun:"follow_id"`
	State         string    `bun:"state"`
	CreatedAt     time.Time `bun:"created_at"`
}

func (r *personFollowRow) toPersonal() *personal.PersonFollow {
	return &personal.PersonFollow{ID: r.ID, MemberID: r.MemberID, PersonID: r.PersonID, PersonURI: r.PersonURI,
		FollowID: r.FollowID, State: personal.FollowState(r.State), CreatedAt: r.CreatedAt.UTC()}
}

type personStatusRow struct {
	bun.BaseModel `bun:"table:person_statuses"`
	ID            string    `bun:"id,pk"`
	URI           string    `bun:"uri"`
	URL           string    `bun:"url"`
	AuthorID      string    `bun:"author_id"`
	HTML          string    `bun:"html"`
	Summary       string    `bun:"summary"`
	Sensitive     bool      `bun:"sensitive"`
	Language      string    `bun:"language"`
	Visibility    string    `bun:"visibility"`
	PublishedAt   time.Time `bun:"published_at"`
	EditedAt      time.Time `bun:"edited_at,nullzero"`
}

func (r *personStatusRow) toPersonal() *personal.Status {
	st := &personal.Status{ID: r.ID, URI: r.URI, URL: r.URL, AuthorID: r.AuthorID, HTML: r.HTML, Summary: r.Summary,
		Sensitive: r.Sensitive, Language: r.Language, Visibility: r.Visibility, Published: r.PublishedAt.UTC()}
	if !r.EditedAt.IsZero() {
		st.Edited = r.EditedAt.UTC()
	}
	return st
}

// SavePersonFollow inserts f or replaces it (by member and person), and
// keeps the member's plain follow of the person in step: there while the
// follow is accepted, so their forum posts reach the home timeline.
func (s *Store) SavePersonFollow(ctx context.Context, f *personal.PersonFollow) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		row := &personFollowRow{ID: f.ID, MemberID: f.MemberID, PersonID: f.PersonID, PersonURI: f.PersonURI,
			FollowID: f.FollowID, State: string(f.State), CreatedAt: utc(f.CreatedAt)}
		if _, err := upsert(tx.db.NewInsert().Model(row), "member_id, person_id",
			"id", "person_uri", "follow_id", "state", "created_at").Exec(ctx); err != nil {
			return dbErr("save person follow", err)
		}
		if f.State == personal.FollowAccepted {
			return tx.Follow(ctx, f.MemberID, f.PersonID, f.CreatedAt)
		}
		return tx.Unfollow(ctx, f.MemberID, f.PersonID)
	})
}

// PersonFollow returns the member's follow of a person.
func (s *Store) PersonFollow(ctx context.Context, memberID, personID forum.ID) (*personal.PersonFollow, error) {
	var r personFollowRow
	err := s.db.NewSelect().Model(&r).Where("member_id = ?", memberID).Where("person_id = ?", personID).Scan(ctx)
	if err != nil {
		return nil, dbErr("person follow", err)
	}
	return r.toPersonal(), nil
}

// PersonFollowByActivity returns the follow our Follow followID made.
func (s *Store) PersonFollowByActivity(ctx context.Context, followID string) (*personal.PersonFollow, error) {
	var r personFollowRow
	if err := s.db.NewSelect().Model(&r).Where("follow_id = ?", followID).Scan(ctx); err != nil {
		return nil, dbErr("person follow by activity", err)
	}
	return r.toPersonal(), nil
}

// DeletePersonFollow removes the member's follow of a person, and their
// plain follow with it; ErrNotFound if there was none.
func (s *Store) DeletePersonFollow(ctx context.Context, memberID, personID forum.ID) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		res, err := tx.db.NewDelete().Model((*personFollowRow)(nil)).Where("member_id = ?", memberID).
			Where("person_id = ?", personID).Exec(ctx)
		if err != nil {
			return dbErr("delete person follow", err)
		}
		if err := affected("delete person follow", res); err != nil {
			return err
		}
		return tx.Unfollow(ctx, memberID, personID)
	})
}

// PersonFollowed reports whether any member's follow of the person is
// accepted.
func (s *Store) PersonFollowed(ctx context.Context, personID forum.ID) (bool, error) {
	ok, err := s.db.NewSelect().Model((*personFollowRow)(nil)).Where("person_id = ?", personID).
		Where("state = ?", string(personal.FollowAccepted)).Exists(ctx)
	return ok, dbErr("person followed", err)
}

// PersonFollows implements personal.People.
func (s *Store) PersonFollows(ctx context.Context, memberID forum.ID, personIDs []forum.ID) (map[forum.ID]*personal.PersonFollow, error) {
	out := map[forum.ID]*personal.PersonFollow{}
	if len(personIDs) == 0 {
		return out, nil
	}
	var rows []personFollowRow
	if err := s.db.NewSelect().Model(&rows).Where("member_id = ?", memberID).
		Where("person_id IN (?)", bun.List(personIDs)).Scan(ctx); err != nil {
		return nil, dbErr("person follows", err)
	}
	for i := range rows {
		out[rows[i].PersonID] = rows[i].toPersonal()
	}
	return out, nil
}

// SavePersonStatus inserts st or replaces its content (by URI; the id it
// was first given stays).
func (s *Store) SavePersonStatus(ctx context.Context, st *personal.Status) error {
	row := &personStatusRow{ID: st.ID, URI: st.URI, URL: st.URL, AuthorID: st.AuthorID, HTML: st.HTML, Summary: st.Summary,
		Sensitive: st.Sensitive, Language: st.Language, Visibility: st.Visibility, PublishedAt: utc(st.Published),
		EditedAt: utc(st.Edited)}
	_, err := upsert(s.db.NewInsert().Model(row), "uri",
		"url", "html", "summary", "sensitive", "language", "visibility", "published_at", "edited_at").Exec(ctx)
	return dbErr("save person status", err)
}

// PersonStatusByURI returns the status with that ActivityPub id.
func (s *Store) PersonStatusByURI(ctx context.Context, uri string) (*personal.Status, error) {
	var r personStatusRow
	if err := s.db.NewSelect().Model(&r).Where("uri = ?", uri).Scan(ctx); err != nil {
		return nil, dbErr("person status", err)
	}
	return r.toPersonal(), nil
}

// Status implements personal.People.
func (s *Store) Status(ctx context.Context, id forum.ID) (*personal.Status, error) {
	var r personStatusRow
	if err := s.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, dbErr("status", err)
	}
	return r.toPersonal(), nil
}

// DeletePersonStatus removes the status with that ActivityPub id;
// ErrNotFound if absent.
func (s *Store) DeletePersonStatus(ctx context.Context, uri string) error {
	res, err := s.db.NewDelete().Model((*personStatusRow)(nil)).Where("uri = ?", uri).Exec(ctx)
	if err != nil {
		return dbErr("delete person status", err)
	}
	return affected("delete person status", res)
}

// HomeStatuses implements personal.People.
func (s *Store) HomeStatuses(ctx context.Context, memberID forum.ID, r personal.Range, limit int) ([]*personal.Status, error) {
	var rows []personStatusRow
	q := s.db.NewSelect().Model(&rows).
		Where("author_id IN (SELECT person_id FROM person_follows WHERE member_id = ? AND state = ?)",
			memberID, string(personal.FollowAccepted))
	if r.MaxID != "" {
		q = q.Where("id < ?", r.MaxID)
	}
	if r.SinceID != "" {
		q = q.Where("id > ?", r.SinceID)
	}
	order := "id DESC"
	if r.MinID != "" {
		q = q.Where("id > ?", r.MinID)
		order = "id ASC"
	}
	if err := q.OrderExpr(order).Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, dbErr("home statuses", err)
	}
	out := make([]*personal.Status, len(rows))
	for i := range rows {
		out[i] = rows[i].toPersonal()
	}
	if r.MinID != "" {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, nil
}

// StatusesSince implements personal.People.
func (s *Store) StatusesSince(ctx context.Context, afterID forum.ID, limit int) ([]forum.ID, error) {
	var ids []string
	err := s.db.NewSelect().Model((*personStatusRow)(nil)).Column("id").Where("id > ?", afterID).
		OrderExpr("id ASC").Limit(int64(limit)).Scan(ctx, &ids)
	return ids, dbErr("statuses since", err)
}
