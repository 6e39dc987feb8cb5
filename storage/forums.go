package storage

import (
	"context"
	"database/sql"
	"sort"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
)

type forumRow struct {
	bun.BaseModel  `bun:"table:forums"`
	ID             string    `bun:"id,pk"`
	Slug           string    `bun:"slug"`
	Position       int       `bun:"position"`
	Language       string    `bun:"language"`
	URI            string    `bun:"uri,nullzero"` // NULL for local forums
	Domain         string    `bun:"domain"`
	ApproveFollows bool      `bun:"approve_follows"`
	ListedOnly     bool      `bun:"listed_only"`
	CreatedAt      time.Time `bun:"created_at"`
}

type forumTextRow struct {
	bun.BaseModel `bun:"table:forum_texts"`
	ForumID       string `bun:"forum_id,pk"`
	Lang          string `bun:"lang,pk"`
	Title         string `bun:"title"`
	Description   string `bun:"description"`
}

// forumInstanceRow is one host of a forum's Policy.Instances, in order.
type forumInstanceRow struct {
	bun.BaseModel `bun:"table:forum_instances"`
	ForumID       string `bun:"forum_id,pk"`
	Position      int    `bun:"position,pk"`
	Host          string `bun:"host"`
}

func forumToRow(f *forum.Forum) *forumRow {
	return &forumRow{ID: f.ID, Slug: f.Slug, Position: f.Position, Language: f.Language,
		URI: f.URI, Domain: f.Domain, ApproveFollows: f.Policy.ApproveFollows, ListedOnly: f.Policy.ListedOnly,
		CreatedAt: utc(f.CreatedAt)}
}

// CreateForum stores a forum with its texts and policy; ErrConflict if the
// slug or the URI is taken.
func (s *Store) CreateForum(ctx context.Context, f *forum.Forum) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		if _, err := tx.db.NewInsert().Model(forumToRow(f)).Exec(ctx); err != nil {
			return dbErr("create forum", err)
		}
		if err := tx.insertTexts(ctx, f); err != nil {
			return err
		}
		return tx.insertInstances(ctx, f)
	})
}

// UpdateForum stores every field of f and replaces its texts and listed
// instances.
func (s *Store) UpdateForum(ctx context.Context, f *forum.Forum) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		res, err := tx.db.NewUpdate().Model(forumToRow(f)).WherePK().Exec(ctx)
		if err != nil {
			return dbErr("update forum", err)
		}
		if err := affected("update forum", res); err != nil {
			return err
		}
		if _, err := tx.db.NewDelete().Model((*forumTextRow)(nil)).
			Where("forum_id = ?", f.ID).Exec(ctx); err != nil {
			return dbErr("update forum texts", err)
		}
		if err := tx.insertTexts(ctx, f); err != nil {
			return err
		}
		if _, err := tx.db.NewDelete().Model((*forumInstanceRow)(nil)).
			Where("forum_id = ?", f.ID).Exec(ctx); err != nil {
			return dbErr("update forum instances", err)
		}
		return tx.insertInstances(ctx, f)
	})
}

func (s *Store) insertInstances(ctx context.Context, f *forum.Forum) error {
	if len(f.Policy.Instances) == 0 {
		return nil
	}
	rows := make([]forumInstanceRow, len(f.Policy.Instances))
	for i, host := range f.Policy.Instances {
		rows[i] = forumInstanceRow{ForumID: f.ID, Position: i, Host: host}
	}
	_, err := s.db.NewInsert().Model(&rows).Exec(ctx)
	return dbErr("store forum instances", err)
}

func (s *Store) insertTexts(ctx context.Context, f *forum.Forum) error {
	if len(f.Texts) == 0 {
		return nil
	}
	rows := make([]forumTextRow, 0, len(f.Texts))
	for lang, t := range f.Texts {
		rows = append(rows, forumTextRow{ForumID: f.ID, Lang: lang, Title: t.Title, Description: t.Description})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Lang < rows[j].Lang })
	_, err := s.db.NewInsert().Model(&rows).Exec(ctx)
	return dbErr("store forum texts", err)
}

// ForumToChange reads a forum to write it back whole (forum.Store).
func (s *Store) ForumToChange(ctx context.Context, id forum.ID) (*forum.Forum, error) {
	if err := s.lockToChange(ctx, "lock forum", (*forumRow)(nil), id); err != nil {
		return nil, err
	}
	return s.ForumByID(ctx, id)
}

// ForumByID returns a forum with its texts.
func (s *Store) ForumByID(ctx context.Context, id forum.ID) (*forum.Forum, error) {
	return s.oneForum(ctx, "forum by id", "id = ?", id)
}

// ForumBySlug returns a forum with its texts.
func (s *Store) ForumBySlug(ctx context.Context, slug string) (*forum.Forum, error) {
	return s.oneForum(ctx, "forum by slug", "slug = ?", slug)
}

// ForumByURI finds a remote forum by ActivityPub id.
func (s *Store) ForumByURI(ctx context.Context, uri string) (*forum.Forum, error) {
	return s.oneForum(ctx, "forum by uri", "uri = ?", uri)
}

// oneForum reads the forum where holds (what names the statement,
// prepared: the received side reads a reply's forum, the publisher its
// event's).
func (s *Store) oneForum(ctx context.Context, what, where string, arg any) (*forum.Forum, error) {
	var rows []forumRow
	err := s.selectPrepared(ctx, what, &rows, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where(where, bun.Safe("?"))
	}, arg)
	if err != nil {
		return nil, dbErr(what, err)
	}
	if len(rows) == 0 {
		return nil, dbErr(what, sql.ErrNoRows)
	}
	fs, err := s.withDetails(ctx, rows[:1])
	if err != nil {
		return nil, err
	}
	return fs[0], nil
}

// ForumsByIDs returns the forums found among ids, by ID.
func (s *Store) ForumsByIDs(ctx context.Context, ids []forum.ID) (map[forum.ID]*forum.Forum, error) {
	out := make(map[forum.ID]*forum.Forum, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []forumRow
	if err := s.db.NewSelect().Model(&rows).Where("id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, dbErr("forums by ids", err)
	}
	fs, err := s.withDetails(ctx, rows)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		out[f.ID] = f
	}
	return out, nil
}

// ListForums lists the node's forums by (Position, ID) after the cursor;
// the zero cursor starts at the first forum (whatever its position). The
// node's forums are its own and the mirrors it follows (joined, or being
// joined): a remote forum stored only because a member looked it up, or
// one the node has left, stays reachable by its address but is not
// listed as if the node took part in it.
func (s *Store) ListForums(ctx context.Context, after forum.ForumCursor, limit int) ([]*forum.Forum, error) {
	var rows []forumRow
	q := s.db.NewSelect().Model(&rows).OrderExpr("position ASC, id ASC").Limit(int64(limit)).
		Where("uri IS NULL OR EXISTS (SELECT 1 FROM following WHERE following.forum_id = forum_row.id)")
	if after != (forum.ForumCursor{}) {
		q = q.Where("(position, id) > (?, ?)", after.Position, after.ID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbErr("list forums", err)
	}
	return s.withDetails(ctx, rows)
}

// withDetails converts rows and loads their texts and listed instances,
// one query each. Policy.Instances is nil when a forum lists none.
func (s *Store) withDetails(ctx context.Context, rows []forumRow) ([]*forum.Forum, error) {
	out := make([]*forum.Forum, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	byID := make(map[string]*forum.Forum, len(rows))
	ids := make([]string, len(rows))
	for i, r := range rows {
		out[i] = &forum.Forum{ID: r.ID, Slug: r.Slug, Position: r.Position, Language: r.Language,
			Texts: map[string]forum.ForumText{}, URI: r.URI, Domain: r.Domain,
			Policy:    forum.ForumPolicy{ApproveFollows: r.ApproveFollows, ListedOnly: r.ListedOnly},
			CreatedAt: r.CreatedAt.UTC()}
		byID[r.ID] = out[i]
		ids[i] = r.ID
	}
	var texts []forumTextRow
	var hosts []forumInstanceRow
	if len(ids) == 1 {
		// One forum (oneForum): prepared statements.
		if err := s.oneForumDetails(ctx, ids[0], &texts, &hosts); err != nil {
			return nil, err
		}
	} else if err := s.forumsDetails(ctx, ids, &texts, &hosts); err != nil {
		return nil, err
	}
	for _, t := range texts {
		byID[t.ForumID].Texts[t.Lang] = forum.ForumText{Title: t.Title, Description: t.Description}
	}
	for _, h := range hosts {
		p := &byID[h.ForumID].Policy
		p.Instances = append(p.Instances, h.Host)
	}
	return out, nil
}

// forumsDetails reads the texts and listed instances of the forums ids.
func (s *Store) forumsDetails(ctx context.Context, ids []string, texts *[]forumTextRow, hosts *[]forumInstanceRow) error {
	if err := s.db.NewSelect().Model(texts).Where("forum_id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return dbErr("load forum texts", err)
	}
	err := s.db.NewSelect().Model(hosts).Where("forum_id IN (?)", bun.List(ids)).
		OrderExpr("forum_id, position").Scan(ctx)
	return dbErr("load forum instances", err)
}

// oneForumDetails is forumsDetails for one forum, prepared.
func (s *Store) oneForumDetails(ctx context.Context, id string, texts *[]forumTextRow, hosts *[]forumInstanceRow) error {
	err := s.selectPrepared(ctx, "texts of one forum", texts, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("forum_id = ?", bun.Safe("?"))
	}, id)
	if err != nil {
		return dbErr("load forum texts", err)
	}
	err = s.selectPrepared(ctx, "instances of one forum", hosts, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("forum_id = ?", bun.Safe("?")).OrderExpr("forum_id, position")
	}, id)
	return dbErr("load forum instances", err)
}
