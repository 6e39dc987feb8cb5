package storage

import (
	"context"
	"time"

	"github.com/metropolis/agora/feed"
)

var _ feed.Store = (*Store)(nil)

type feedPostRow struct {
	ID             string     `bun:"id"`
	ThreadID       string     `bun:"thread_id"`
	ForumID        string     `bun:"forum_id"`
	AuthorID       string     `bun:"author_id"`
	Title          string     `bun:"title"`
	ThreadLanguage string     `bun:"thread_language"`
	Language       string     `bun:"language"`
	HTML           string     `bun:"html"`
	ParentID       string     `bun:"parent_id"`
	CreatedAt      time.Time  `bun:"created_at"`
	EditedAt       *time.Time `bun:"edited_at"`
}

// FeedPosts lists the posts anyone may read that q selects, newest first
// (visiblePosts: the rules search follows).
func (s *Store) FeedPosts(ctx context.Context, q feed.Query) ([]feed.Post, error) {
	if q.Limit <= 0 {
		return nil, nil
	}
	var rows []feedPostRow
	sel := s.db.NewSelect().TableExpr("posts AS p").
		ColumnExpr("p.id, p.thread_id, t.forum_id, p.author_id, t.title, t.language AS thread_language").
		ColumnExpr("p.language, p.html, p.parent_id, p.created_at, p.edited_at")
	sel = visiblePosts(sel, "JOIN")
	if q.ForumID != "" {
		sel = sel.Where("t.forum_id = ?", q.ForumID)
	}
	if q.ThreadID != "" {
		sel = sel.Where("p.thread_id = ?", q.ThreadID)
	}
	if q.AuthorID != "" {
		sel = sel.Where("p.author_id = ?", q.AuthorID)
	}
	if q.Tag != "" {
		sel = sel.Where("EXISTS (SELECT 1 FROM post_tags AS pt WHERE pt.post_id = p.id AND pt.tag = ?)", q.Tag)
	}
	if q.GoodPractice {
		sel = sel.Where("p.good_practice_at IS NOT NULL")
	}
	if q.Questions {
		sel = sel.Where("p.parent_id = ''")
	}
	if err := sel.OrderExpr("p.id DESC").Limit(int64(q.Limit)).Scan(ctx, &rows); err != nil {
		return nil, dbErr("feed posts", err)
	}
	out := make([]feed.Post, len(rows))
	for i, r := range rows {
		out[i] = feed.Post{PostID: r.ID, ThreadID: r.ThreadID, ForumID: r.ForumID, AuthorID: r.AuthorID,
			Title: r.Title, ThreadLanguage: r.ThreadLanguage, Language: r.Language, HTML: r.HTML,
			Question: r.ParentID == "", CreatedAt: r.CreatedAt.UTC(), EditedAt: r.EditedAt}
	}
	return out, nil
}
