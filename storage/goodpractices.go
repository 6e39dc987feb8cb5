package storage

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
)

// ListGoodPractices lists marked answers that are not deleted, in threads
// that are not, of one forum ("" for every forum), newest mark first. The
// partial index posts_good_practice_idx holds only marked posts, so this
// reads those and no others.
func (s *Store) ListGoodPractices(ctx context.Context, forumID forum.ID, limit int) ([]*forum.Post, error) {
	var rows []postRow
	threads := "SELECT id FROM threads WHERE deleted_at IS NULL"
	args := []any{}
	if forumID != "" {
		threads += " AND forum_id = ?"
		args = append(args, forumID)
	}
	q := s.selectPosts(&rows).Where("?TableAlias.good_practice_at IS NOT NULL").
		Where("?TableAlias.deleted_at IS NULL").
		Where("?TableAlias.thread_id IN ("+threads+")", args...).
		OrderExpr("?TableAlias.good_practice_at DESC, ?TableAlias.id DESC").Limit(int64(limit))
	if err := q.Scan(ctx); err != nil {
		return nil, dbErr("list good practices", err)
	}
	return s.withTranslations(ctx, rows)
}

// CountGoodPractices counts the marked answers (not deleted) of each of
// threadIDs; threads with none are left out.
func (s *Store) CountGoodPractices(ctx context.Context, threadIDs []forum.ID) (map[forum.ID]int, error) {
	var rows []struct {
		ThreadID string `bun:"thread_id"`
		N        int    `bun:"n"`
	}
	err := s.db.NewSelect().Table("posts").Column("thread_id").ColumnExpr("COUNT(*) AS n").
		Where("thread_id IN (?)", bun.List(threadIDs)).Where("good_practice_at IS NOT NULL").
		Where("deleted_at IS NULL").Group("thread_id").Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("count good practices", err)
	}
	out := make(map[forum.ID]int, len(rows))
	for _, r := range rows {
		out[r.ThreadID] = r.N
	}
	return out, nil
}
