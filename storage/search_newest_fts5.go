package storage

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/search"
)

// Newest first on SQLite. Joining every match to its post, thread,
// author and forum, then sorting them by id, costs in proportion to the
// matches: 0.1-0.2 s for a query matching 12% of 100,000 posts. When a
// query matches many documents, walking the documents newest first
// (search_docs' unique index on post_id, which holds each document's
// rowid: no row is read) and keeping those in the set of matches finds
// the page after about limit × documents / matches steps, reading only
// the rows of the matches it passes. A query matching few documents
// would walk the whole index for nothing: those join their matches as
// before. newestScanAbove is where one becomes cheaper than the other
// (measured on 100,000 posts: joining 1,000 matches and walking the
// whole index both cost some 5 ms of CPU).
const newestScanAbove = 1000

// findNewestFTS5 is FindPosts newest first on SQLite: by joining every
// match when it matches at most scanAbove documents, else by walking the
// documents newest first.
func (s *Store) findNewestFTS5(ctx context.Context, q search.PostQuery, scanAbove int) ([]searchHitRow, error) {
	if err := s.catchUpIfBehind(ctx); err != nil {
		return nil, err
	}
	var ids []int64
	if err := s.db.NewSelect().TableExpr("search_fts").ColumnExpr("rowid").
		Where("search_fts MATCH ?", q.Parsed.FTS5()).Limit(int64(scanAbove+1)).Scan(ctx, &ids); err != nil {
		return nil, dbErr("find posts: count matches", err)
	}
	var rows []searchHitRow
	if len(ids) <= scanAbove {
		sel, join := searchMatch(s.db.NewSelect(), q.Parsed)
		sel = sel.ColumnExpr(hitColumns).Join(join + " posts AS p ON p.id = d.post_id")
		sel = postFilters(visiblePosts(sel, join), q, inline)
		if q.Before != "" {
			sel = sel.Where("p.id < ?", q.Before)
		}
		if err := sel.OrderExpr("p.id DESC").Limit(int64(q.Limit)).Scan(ctx, &rows); err != nil {
			return nil, dbErr("find posts", err)
		}
		return rows, nil
	}
	if err := s.newestScanQuery(q).Scan(ctx, &rows); err != nil {
		return nil, dbErr("find posts: newest first", err)
	}
	return rows, nil
}

// newestScanQuery walks the documents newest first (the post_id index
// backwards; "+d.id" keeps SQLite from looking the matches up one by one
// instead, then sorting them all) and keeps the matches of q that anyone
// may read and that pass its filters, up to q.Limit.
func (s *Store) newestScanQuery(q search.PostQuery) *bun.SelectQuery {
	sel := s.db.NewSelect().TableExpr("search_docs AS d").ColumnExpr(hitColumns).
		Join("CROSS JOIN posts AS p ON p.id = d.post_id").
		Where("+d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)", q.Parsed.FTS5())
	sel = postFilters(visiblePosts(sel, "CROSS JOIN"), q, inline)
	if q.Before != "" {
		sel = sel.Where("d.post_id < ?", q.Before)
	}
	return sel.OrderExpr("d.post_id DESC").Limit(int64(q.Limit))
}
