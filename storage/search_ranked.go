package storage

import (
	"context"
	"slices"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/search"
)

// SQLite ranks without reading every match's rows. The plain query (join
// each match to its post, thread, author and forum, filter, sort, LIMIT)
// reads a post row, a document row and their pages for every match: for
// a query of two common words on 100,000 posts, thousands of random page
// reads for a page of 20 (measured in bench/search and with SQLite's
// `.stats`: 96,000 VM steps and 5,000 page misses, against 94 steps and
// 300 misses for FTS5 ranking the same matches alone). So:
//
//  1. The questions whose title is the query (title_key, by its index)
//     come first, as in the plain query, ranked among themselves.
//  2. FTS5 ranks the matches by itself (ORDER BY rank, with the same
//     bm25 weights), which needs only its own index, and hands them over
//     best first, in batches. Only a batch's documents are joined to their
//     posts, filtered (visibility and the query's filters) and given the
//     reader's-language boost.
//  3. It stops when no later match can enter the page: the boost raises a
//     rank by half at most, so once the page's last result ranks above
//     1.5 × the batch's last raw rank, the order is final.
//
// The order is exactly the plain query's: exact title first; then rank,
// raised by half in the reader's language, descending; then newest (post
// id). PostgreSQL keeps the plain query (its ts_rank reads each match's
// tsvector anyway).

// rankBoost is how much the reader's language raises a rank (the plain
// query's CASE).
const rankBoost = 1.5

// ftsRankFunction is the FTS5 rank FindPosts orders by: bm25 with the title
// weighing ten times the body (searchMatch's), negated (higher is better).
const ftsRankFunction = "bm25(10.0, 1.0)"

// rankedBatch is the first batch of matches taken; each next one is four
// times bigger.
const rankedBatch = 64

type rankedHit struct {
	row   searchHitRow
	score float64
	exact bool
}

func (s *Store) findRanked(ctx context.Context, q search.PostQuery) ([]search.PostHit, error) {
	need := q.Offset + q.Limit
	fts := q.Parsed.FTS5()
	seen := map[int64]bool{}
	var hits []rankedHit

	// 1. Exact titles.
	var exact []struct {
		ID    int64   `bun:"id"`
		Score float64 `bun:"score"`
	}
	if q.Parsed.Key != "" {
		err := s.db.NewSelect().TableExpr("search_fts").ColumnExpr("search_fts.rowid AS id, -search_fts.rank AS score").
			Where("search_fts MATCH ?", fts).Where("search_fts.rank MATCH ?", ftsRankFunction).
			Where("search_fts.rowid IN (SELECT id FROM search_docs WHERE title_key = ?)", q.Parsed.Key).
			Scan(ctx, &exact)
		if err != nil {
			return nil, dbErr("find posts: exact titles", err)
		}
	}
	if len(exact) > 0 {
		ids := make([]int64, len(exact))
		scores := map[int64]float64{}
		for i, e := range exact {
			ids[i], scores[e.ID] = e.ID, e.Score
			seen[e.ID] = true
		}
		rows, err := s.rankedRows(ctx, q, ids)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			hits = append(hits, rankedHit{row: r, score: boosted(scores[r.DocID], r.Language, q.RankLanguage), exact: true})
		}
	}

	// 2. and 3. The other matches, best first, batch by batch.
	for offset, batch := 0, max(rankedBatch, 2*need); ; offset, batch = offset+batch, batch*4 {
		var cands []struct {
			ID    int64   `bun:"id"`
			Score float64 `bun:"score"`
		}
		err := s.db.NewSelect().TableExpr("search_fts").ColumnExpr("search_fts.rowid AS id, -search_fts.rank AS score").
			Where("search_fts MATCH ?", fts).Where("search_fts.rank MATCH ?", ftsRankFunction).
			OrderExpr("search_fts.rank").Limit(int64(batch)).Offset(int64(offset)).Scan(ctx, &cands)
		if err != nil {
			return nil, dbErr("find posts: rank", err)
		}
		ids := make([]int64, 0, len(cands))
		scores := make(map[int64]float64, len(cands))
		for _, c := range cands {
			if !seen[c.ID] {
				seen[c.ID] = true
				ids = append(ids, c.ID)
				scores[c.ID] = c.Score
			}
		}
		if len(ids) > 0 {
			rows, err := s.rankedRows(ctx, q, ids)
			if err != nil {
				return nil, err
			}
			for _, r := range rows {
				hits = append(hits, rankedHit{row: r, score: boosted(scores[r.DocID], r.Language, q.RankLanguage)})
			}
		}
		if len(cands) < batch {
			break // every match seen
		}
		// Could a later match (raw rank ≤ the last one's) still enter?
		if len(hits) >= need {
			sortRanked(hits)
			last := hits[need-1]
			if !last.exact && cands[len(cands)-1].Score*rankBoost < last.score {
				break
			}
			if last.exact {
				break // the page is exact titles only
			}
		}
	}
	sortRanked(hits)
	if q.Offset >= len(hits) {
		return nil, nil
	}
	hits = hits[q.Offset:min(len(hits), need)]
	out := make([]search.PostHit, len(hits))
	for i, h := range hits {
		out[i] = h.row.hit()
	}
	return out, nil
}

// boosted is a rank raised for a post in the reader's language.
func boosted(score float64, lang, rankLang string) float64 {
	if lang == rankLang {
		return score * rankBoost
	}
	return score
}

// sortRanked orders hits as the plain query does: exact titles, then
// boosted rank descending, then newest.
func sortRanked(hits []rankedHit) {
	slices.SortFunc(hits, func(a, b rankedHit) int {
		switch {
		case a.exact != b.exact:
			if a.exact {
				return -1
			}
			return 1
		case a.score != b.score:
			if a.score > b.score {
				return -1
			}
			return 1
		case a.row.ID > b.row.ID:
			return -1
		case a.row.ID < b.row.ID:
			return 1
		}
		return 0
	})
}

// rankedRows are the documents ids that a visitor may read and q's
// filters keep, with what a result shows.
func (s *Store) rankedRows(ctx context.Context, q search.PostQuery, ids []int64) ([]searchHitRow, error) {
	var rows []searchHitRow
	sel := s.db.NewSelect().TableExpr("search_docs AS d").
		ColumnExpr("d.id AS doc_id, p.id, p.thread_id, t.forum_id, p.author_id, t.title, p.language, p.html, p.parent_id").
		ColumnExpr("p.good_practice_at, p.created_at").
		Join("JOIN posts AS p ON p.id = d.post_id").
		Where("d.id IN (?)", bun.In(ids))
	sel = postFilters(visiblePosts(sel, "JOIN"), q)
	if err := sel.Scan(ctx, &rows); err != nil {
		return nil, dbErr("find posts: rows", err)
	}
	return rows, nil
}
