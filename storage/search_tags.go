package storage

import (
	"context"
	"strings"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
)

// Tags are read from post_tags (each post's hashtags, written in the
// transaction that writes or edits the post, on both databases), joined to the posts that carry them and kept to the
// posts anyone may read by the rule search follows (visiblePosts): a tag
// that only a deleted post or a blocked instance carries is no tag here.

// FindTags lists tags that start with prefix (every tag for ""), after
// the tag after, in order, with how many posts anyone may read carry
// them.
func (s *Store) FindTags(ctx context.Context, prefix, after string, limit int) ([]search.TagCount, error) {
	var rows []struct {
		Tag   string `bun:"tag"`
		Count int    `bun:"n"`
	}
	q := s.taggedPosts().ColumnExpr("pt.tag, COUNT(*) AS n").
		GroupExpr("pt.tag").OrderExpr("pt.tag ASC").Limit(int64(limit))
	if prefix = strings.ToLower(strings.TrimSpace(prefix)); prefix != "" {
		q = q.Where(`pt.tag LIKE ? ESCAPE '\'`, likeEscaper.Replace(prefix)+"%")
	}
	if after != "" {
		q = q.Where("pt.tag > ?", after)
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, dbErr("find tags", err)
	}
	out := make([]search.TagCount, len(rows))
	for i, r := range rows {
		out[i] = search.TagCount{Tag: r.Tag, Count: r.Count}
	}
	return out, nil
}

// ListTaggedThreads lists the threads with a post anyone may read that
// carries tag, each with the newest such post, by that post's ID
// descending, those whose post is older than before ("" for none). A post
// is in one thread, so the post's ID orders the threads with no ties.
func (s *Store) ListTaggedThreads(ctx context.Context, tag string, before forum.ID, limit int) ([]forum.TaggedThread, error) {
	newest := s.taggedPosts().ColumnExpr("p.thread_id, MAX(p.id) AS post_id").Where("pt.tag = ?", tag).
		GroupExpr("p.thread_id")
	if before != "" {
		newest = newest.Having("MAX(p.id) < ?", before)
	}
	var rows []struct {
		threadRow `bun:",extend"`
		TagPostID string `bun:"tag_post_id,scanonly"`
	}
	err := s.db.NewSelect().Model(&rows).ColumnExpr("?TableAlias.*").ColumnExpr("k.post_id AS tag_post_id").
		Join("JOIN (?) AS k ON k.thread_id = ?TableAlias.id", newest).
		OrderExpr("k.post_id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbErr("list tagged threads", err)
	}
	out := make([]forum.TaggedThread, len(rows))
	for i := range rows {
		out[i] = forum.TaggedThread{Thread: rows[i].toForum(), PostID: rows[i].TagPostID}
	}
	return out, nil
}

// taggedPosts selects from post_tags (pt) joined to the posts (p) anyone
// may read, with their thread (t), author (m) and forum (f).
func (s *Store) taggedPosts() *bun.SelectQuery {
	sel := s.db.NewSelect().TableExpr("post_tags AS pt").Join("JOIN posts AS p ON p.id = pt.post_id")
	return visiblePosts(sel, "JOIN")
}
