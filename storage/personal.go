package storage

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/personal"
)

var _ personal.Store = (*Store)(nil)

type followRow struct {
	bun.BaseModel `bun:"table:member_follows"`
	FollowerID    string    `bun:"follower_id,pk"`
	FolloweeID    string    `bun:"followee_id,pk"`
	CreatedAt     time.Time `bun:"created_at"`
}

type bookmarkRow struct {
	bun.BaseModel `bun:"table:bookmarks"`
	MemberID      string    `bun:"member_id,pk"`
	PostID        string    `bun:"post_id,pk"`
	CreatedAt     time.Time `bun:"created_at"`
}

type markerRow struct {
	bun.BaseModel `bun:"table:markers"`
	MemberID      string    `bun:"member_id,pk"`
	Timeline      string    `bun:"timeline,pk"`
	LastReadID    string    `bun:"last_read_id"`
	Version       int       `bun:"version"`
	UpdatedAt     time.Time `bun:"updated_at"`
}

// timelinePosts pages posts that still stand, in threads that still
// stand, by id in Mastodon's way (personal.Range), newest first.
func (s *Store) timelinePosts(ctx context.Context, what string, r personal.Range, limit int, where func(*bun.SelectQuery) *bun.SelectQuery) ([]*forum.Post, error) {
	var rows []postRow
	q := s.selectPosts(&rows).Where("?TableAlias.deleted_at IS NULL").
		Where("?TableAlias.thread_id IN (SELECT id FROM threads WHERE deleted_at IS NULL)")
	q = where(q)
	if r.MaxID != "" {
		q = q.Where("?TableAlias.id < ?", r.MaxID)
	}
	if r.SinceID != "" {
		q = q.Where("?TableAlias.id > ?", r.SinceID)
	}
	order := "?TableAlias.id DESC"
	if r.MinID != "" {
		// The page right after MinID: the oldest first, turned round below.
		q = q.Where("?TableAlias.id > ?", r.MinID)
		order = "?TableAlias.id ASC"
	}
	if err := q.OrderExpr(order).Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, dbErr(what, err)
	}
	if r.MinID != "" {
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
	}
	return s.withTranslations(ctx, rows)
}

// HomePosts implements personal.Store.
func (s *Store) HomePosts(ctx context.Context, memberID forum.ID, r personal.Range, limit int) ([]*forum.Post, error) {
	return s.timelinePosts(ctx, "home timeline", r, limit, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.
				WhereOr("?TableAlias.parent_id = '' AND ?TableAlias.thread_id IN (SELECT t.id FROM threads AS t JOIN watches AS w ON w.target_id = t.forum_id AND w.target = 'forum' AND w.watching WHERE w.member_id = ?)", memberID).
				WhereOr("?TableAlias.parent_id <> '' AND ?TableAlias.thread_id IN (SELECT target_id FROM watches WHERE member_id = ? AND target = 'thread' AND watching)", memberID).
				WhereOr("?TableAlias.author_id IN (SELECT followee_id FROM member_follows WHERE follower_id = ?)", memberID).
				WhereOr("?TableAlias.author_id = ?", memberID)
		})
	})
}

// PublicPosts implements personal.Store.
func (s *Store) PublicPosts(ctx context.Context, localOnly bool, r personal.Range, limit int) ([]*forum.Post, error) {
	return s.timelinePosts(ctx, "public timeline", r, limit, func(q *bun.SelectQuery) *bun.SelectQuery {
		if localOnly {
			q = q.Where("?TableAlias.uri IS NULL")
		}
		return q
	})
}

// Follow implements personal.Store.
func (s *Store) Follow(ctx context.Context, followerID, followeeID forum.ID, at time.Time) error {
	_, err := s.db.NewInsert().Model(&followRow{FollowerID: followerID, FolloweeID: followeeID, CreatedAt: utc(at)}).
		On("CONFLICT (follower_id, followee_id) DO NOTHING").Exec(ctx)
	return dbErr("follow", err)
}

// Unfollow implements personal.Store.
func (s *Store) Unfollow(ctx context.Context, followerID, followeeID forum.ID) error {
	_, err := s.db.NewDelete().Model((*followRow)(nil)).Where("follower_id = ?", followerID).
		Where("followee_id = ?", followeeID).Exec(ctx)
	return dbErr("unfollow", err)
}

// Followed implements personal.Store.
func (s *Store) Followed(ctx context.Context, followerID forum.ID, ids []forum.ID) (map[forum.ID]bool, error) {
	out := map[forum.ID]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	var got []string
	err := s.db.NewSelect().Table("member_follows").Column("followee_id").Where("follower_id = ?", followerID).
		Where("followee_id IN (?)", bun.List(ids)).Scan(ctx, &got)
	for _, id := range got {
		out[id] = true
	}
	return out, dbErr("followed", err)
}

// CountFollows implements personal.Store.
func (s *Store) CountFollows(ctx context.Context, memberID forum.ID) (int, int, error) {
	following, err := s.db.NewSelect().Table("member_follows").Where("follower_id = ?", memberID).Count(ctx)
	if err != nil {
		return 0, 0, dbErr("count following", err)
	}
	followers, err := s.db.NewSelect().Table("member_follows").Where("followee_id = ?", memberID).Count(ctx)
	return int(following), int(followers), dbErr("count followers", err)
}

// AddBookmark implements personal.Store.
func (s *Store) AddBookmark(ctx context.Context, memberID, postID forum.ID, at time.Time) error {
	_, err := s.db.NewInsert().Model(&bookmarkRow{MemberID: memberID, PostID: postID, CreatedAt: utc(at)}).
		On("CONFLICT (member_id, post_id) DO NOTHING").Exec(ctx)
	return dbErr("bookmark", err)
}

// RemoveBookmark implements personal.Store.
func (s *Store) RemoveBookmark(ctx context.Context, memberID, postID forum.ID) error {
	_, err := s.db.NewDelete().Model((*bookmarkRow)(nil)).Where("member_id = ?", memberID).Where("post_id = ?", postID).Exec(ctx)
	return dbErr("remove bookmark", err)
}

// Bookmarked implements personal.Store.
func (s *Store) Bookmarked(ctx context.Context, memberID forum.ID, postIDs []forum.ID) (map[forum.ID]bool, error) {
	out := map[forum.ID]bool{}
	if len(postIDs) == 0 {
		return out, nil
	}
	var got []string
	err := s.db.NewSelect().Table("bookmarks").Column("post_id").Where("member_id = ?", memberID).
		Where("post_id IN (?)", bun.List(postIDs)).Scan(ctx, &got)
	for _, id := range got {
		out[id] = true
	}
	return out, dbErr("bookmarked", err)
}

// BookmarkedPosts implements personal.Store.
func (s *Store) BookmarkedPosts(ctx context.Context, memberID forum.ID, r personal.Range, limit int) ([]*forum.Post, error) {
	return s.timelinePosts(ctx, "bookmarks", r, limit, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.id IN (SELECT post_id FROM bookmarks WHERE member_id = ?)", memberID)
	})
}

// SetMarker implements personal.Store.
func (s *Store) SetMarker(ctx context.Context, memberID forum.ID, timeline string, lastReadID forum.ID, at time.Time) (*personal.Marker, error) {
	var m *personal.Marker
	err := s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		row := &markerRow{MemberID: memberID, Timeline: timeline, LastReadID: lastReadID, Version: 1, UpdatedAt: utc(at)}
		_, err := tx.db.NewInsert().Model(row).On("CONFLICT (member_id, timeline) DO UPDATE").
			Set("last_read_id = EXCLUDED.last_read_id").Set("updated_at = EXCLUDED.updated_at").
			Set("version = ?TableAlias.version + 1").Exec(ctx)
		if err != nil {
			return dbErr("set marker", err)
		}
		var got markerRow
		if err := tx.db.NewSelect().Model(&got).Where("member_id = ?", memberID).Where("timeline = ?", timeline).Scan(ctx); err != nil {
			return dbErr("marker", err)
		}
		m = &personal.Marker{Timeline: got.Timeline, LastReadID: got.LastReadID, Version: got.Version, UpdatedAt: got.UpdatedAt.UTC()}
		return nil
	})
	return m, err
}

// Markers implements personal.Store.
func (s *Store) Markers(ctx context.Context, memberID forum.ID, timelines []string) ([]*personal.Marker, error) {
	if len(timelines) == 0 {
		return nil, nil
	}
	var rows []markerRow
	if err := s.db.NewSelect().Model(&rows).Where("member_id = ?", memberID).Where("timeline IN (?)", bun.List(timelines)).
		OrderExpr("timeline").Scan(ctx); err != nil {
		return nil, dbErr("markers", err)
	}
	out := make([]*personal.Marker, len(rows))
	for i, r := range rows {
		out[i] = &personal.Marker{Timeline: r.Timeline, LastReadID: r.LastReadID, Version: r.Version, UpdatedAt: r.UpdatedAt.UTC()}
	}
	return out, nil
}
