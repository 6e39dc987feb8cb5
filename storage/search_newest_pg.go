package storage

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/search"
)

// findNewestPG is FindPosts newest first on PostgreSQL. It walks the
// matches in search_docs first (search_rank_walk.go's walkNewest: the
// window newest documents, else the GIN index; the language filter
// applied there), q.Limit+walkSlack of them, and reads the posts of
// those only: when at least q.Limit of them may be read and pass the
// filters, they are the page (every match not walked is older). Else,
// or with window 0, one query joins the matches to their posts. That
// query alone let the planner join every match of a narrow query (a
// language's share of them taken for the query's, as in a relevance
// walk): 29 ms a search on average at 1,000,000 posts, load 10. The
// walked posts are read by a prepared statement (newestWalked).
func (s *Store) findNewestPG(ctx context.Context, q search.PostQuery, window int) ([]searchHitRow, error) {
	if window > 0 {
		c := walkClass{all: true}
		if q.Language != "" {
			c = walkClass{language: q.Language}
		}
		limit := q.Limit + walkSlack
		walked, err := s.walkNewest(ctx, q, c, walkFrom{before: q.Before}, limit, window)
		if err != nil {
			return nil, err
		}
		if len(walked) == 0 {
			return nil, nil
		}
		ids := make([]string, len(walked))
		for i, w := range walked {
			ids[i] = w.PostID
		}
		rows, err := s.newestWalked(ctx, q, ids)
		if err != nil {
			return nil, err
		}
		if len(rows) == q.Limit || len(walked) < limit {
			return rows, nil
		}
	}
	var rows []searchHitRow
	if err := newestQuery(q, s.pgMatches(q), inline).Scan(ctx, &rows); err != nil {
		return nil, dbErr("find posts", err)
	}
	return rows, nil
}

// newestWalked is the first q.Limit of the walked documents ids that
// match q, may be read and pass q's filters, newest first, as one
// prepared statement (search_rank_prepared.go).
func (s *Store) newestWalked(ctx context.Context, q search.PostQuery, ids []string) ([]searchHitRow, error) {
	var p params
	docs := s.db.NewSelect().TableExpr("search_docs AS d").Where(walkedMatch, p.arg(q.Parsed.TSQuery())).
		Where("d.post_id = ANY(?::text[])", p.arg(textArray(ids)))
	var rows []searchHitRow
	if err := s.selectBound(ctx, newestQuery(q, docs, p.arg), &p, &rows); err != nil {
		return nil, dbErr("find posts: read the walked", err)
	}
	return rows, nil
}

// newestQuery is the first q.Limit of the documents docs selects (d)
// that anyone may read and that pass q's filters, newest first, q's
// values placed by arg.
func newestQuery(q search.PostQuery, docs *bun.SelectQuery, arg argFunc) *bun.SelectQuery {
	sel := docs.ColumnExpr("p.id, p.thread_id, t.forum_id, p.author_id, t.title, p.language, p.html, p.parent_id").
		ColumnExpr("p.good_practice_at, p.created_at").
		Join("JOIN posts AS p ON p.id = d.post_id")
	sel = postFilters(visiblePosts(sel, "JOIN"), q, arg)
	if q.Before != "" {
		sel = sel.Where("p.id < ?", arg(q.Before))
	}
	return sel.OrderExpr("p.id DESC").Limit(int64(q.Limit))
}
