package storage

import (
	"context"
	"slices"
	"strings"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/search"
)

// On SQLite a relevance search reads matches in FTS5's rank order and
// stops as soon as the page is known, instead of joining and sorting
// every match (PostgreSQL ranks a bounded set instead: search_rank.go).
//
// FTS5 sorts its matches by rank itself when a query orders by its rank
// column (the rank function is set in the query: "rank MATCH
// 'bm25(10.0, 1.0)'", the title weighing ten times the body), and SQLite
// then reads them in that order through the joins and filters: with a
// LIMIT, only the rows up to the LIMIT-th that passes the filters are
// joined (no sort of every match afterwards; TestRankStreamPlan checks
// the plan). bm25 is still computed for every match: FTS5 needs them all
// to sort; it reads the position lists and the documents' sizes, not the
// rows.
//
// The page's order is not the rank alone: an exact title first, the
// rank raised by half in the reader's language, then the newest. So the
// stream is read up to m rows, and it is enough when it ran out (it gave
// every match) or when the want-th of its rows, as the page orders them,
// is an exact title or outranks the best a row left out could reach (the
// m-th rank, raised by half when the row may be in the reader's
// language). Otherwise m grows and the rows are read again (rare: a
// tie at the m-th row, or a boost that could lift a row left out). The
// exact titles are looked up by the partial title index and added,
// whatever their rank. The union, sorted by sortHits, starts with the
// page: the same results as ranking every match.

// ftsRank is the rank function of search_fts for relevance: bm25 with
// the title ten times the body (rankExpr's, as FTS5's rank column).
const ftsRank = `search_fts.rank MATCH 'bm25(10.0, 1.0)'`

// findRelevantFTS5 is findRelevant on SQLite. The first want (offset
// and limit) of the hits it returns are the page, in order.
func (s *Store) findRelevantFTS5(ctx context.Context, q search.PostQuery) ([]rankedHit, error) {
	if err := s.catchUpIfBehind(ctx); err != nil {
		return nil, err
	}
	want := q.Offset + q.Limit
	rows, err := s.rankStream(ctx, q, want)
	if err != nil {
		return nil, err
	}
	titled, err := s.titledHits(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, t := range titled {
		if !slices.ContainsFunc(rows, func(r rankedHit) bool { return r.Doc == t.Doc }) {
			rows = append(rows, t)
		}
	}
	sortHits(rows)
	return rows, nil
}

// rankStream reads the matches that pass q's filters in rank order
// until the first want of them are known (see the top of this file),
// sorted as the page is.
func (s *Store) rankStream(ctx context.Context, q search.PostQuery, want int) ([]rankedHit, error) {
	for m := 2*want + 10; ; m *= 4 {
		var rows []rankedHit
		if err := s.rankStreamQuery(q, m).Scan(ctx, &rows); err != nil {
			return nil, dbErr("find posts: by rank", err)
		}
		if len(rows) < m {
			markHits(rows, q)
			sortHits(rows)
			return rows, nil
		}
		low := rows[m-1].Score
		if q.RankLanguage != "" && (q.Language == "" || q.Language == q.RankLanguage) {
			low *= rankBoost
		}
		markHits(rows, q)
		sortHits(rows)
		if last := rows[want-1]; last.titled || last.Score > low {
			return rows, nil
		}
	}
}

// rankStreamQuery selects the first m matches of rankStream's stream.
func (s *Store) rankStreamQuery(q search.PostQuery, m int) *bun.SelectQuery {
	return s.matchedHits(q).ColumnExpr("-search_fts.rank AS score").Where(ftsRank).
		OrderExpr("search_fts.rank").Limit(int64(m))
}

// titledHits are the matches that pass q's filters and whose title is
// the query: few, found by the partial index search_docs_title_key_idx.
func (s *Store) titledHits(ctx context.Context, q search.PostQuery) ([]rankedHit, error) {
	if q.Parsed.Key == "" {
		return nil, nil
	}
	var ids []int64
	if err := s.db.NewSelect().TableExpr("search_docs").Column("id").
		Where("title_key = ?", q.Parsed.Key).Where("title_key <> ''").Scan(ctx, &ids); err != nil {
		return nil, dbErr("find posts: titles", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	rank, _ := rankExpr(false, q.Parsed)
	var rows []rankedHit
	if err := s.matchedHits(q).ColumnExpr(rank+" AS score").Where("search_fts.rowid IN (?)", bun.List(ids)).
		Scan(ctx, &rows); err != nil {
		return nil, dbErr("find posts: exact titles", err)
	}
	markHits(rows, q)
	return rows, nil
}

// matchedHits selects the matches of q that anyone may read and that
// pass its filters, with what a hit shows, the full-text table first.
func (s *Store) matchedHits(q search.PostQuery) *bun.SelectQuery {
	sel, join := searchMatch(s.db.NewSelect(), q.Parsed)
	sel = sel.ColumnExpr(hitColumns).ColumnExpr("d.title_key, CAST(d.id AS TEXT) AS doc").
		Join(join + " posts AS p ON p.id = d.post_id")
	return postFilters(visiblePosts(sel, join), q, inline)
}

// hitColumns are what a hit reads of its post and thread.
const hitColumns = "p.id, p.thread_id, t.forum_id, p.author_id, t.title, p.language, p.html, p.parent_id, " +
	"p.good_practice_at, p.created_at"

// markHits marks q's exact titles among rows and raises the rank of
// those in q's RankLanguage by rankBoost: once per row.
func markHits(rows []rankedHit, q search.PostQuery) {
	for i := range rows {
		r := &rows[i]
		r.titled = r.TitleKey == q.Parsed.Key
		if r.Language == q.RankLanguage {
			r.Score *= rankBoost
		}
	}
}

// sortHits orders marked hits for relevance: an exact title first, then
// the (raised) rank, then the newest.
func sortHits(rows []rankedHit) {
	slices.SortFunc(rows, func(a, b rankedHit) int {
		switch {
		case a.titled != b.titled:
			if a.titled {
				return -1
			}
			return 1
		case a.Score != b.Score:
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return -strings.Compare(a.ID, b.ID)
	})
}
