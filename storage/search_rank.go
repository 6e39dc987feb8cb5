package storage

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/search"
)

// Relevance search on PostgreSQL ranks a bounded number of matches
// (SQLite reads its matches in rank order instead: search_rank_fts5.go).
// A two-word query on 1,000,000 posts matches up to tens of thousands:
// ranking each reads its row (ts_rank needs the document's tsvector, and
// GIN gives no order to stop early), 0.2 s for 25,000 matches, seconds
// when they were all joined to their posts. So:
//
//  1. the GIN index's bitmap gives the matches in storage order, and
//     only the first pgRankBound of them are read and ranked (one query,
//     LIMIT inside); every document whose title is the query is added
//     (an exact title ranks first whatever its rank:
//     search_docs_title_key_idx finds those);
//  2. those are joined, filtered and ordered as on SQLite: an exact
//     title first, then the rank raised by half in the reader's language,
//     then the newest.
//
// A query matching at most pgRankBound documents gets the page of
// ranking every match, as SQLite does. One matching more is ranked among
// the first pgRankBound in storage order (TestFindPostsRankBound): a
// bounded cost, at the price of an order that past the bound favours
// older posts (the table is appended to). The ranks themselves are
// coarse: search_docs.tsv has no positions (array_to_tsvector, so both
// databases match the same terms), and ts_rank without positions gives
// every document matching all of a query's words the same rank
// (README, Search; bench/README.md section 7).

// rankBoost is what a post in the reader's language multiplies its rank by.
const rankBoost = 1.5

// pgRankBound is how many matches PostgreSQL ranks at most: 1,000 are
// ranked and joined in some 20 ms of the server's CPU on a 2-core
// machine (300: 11 ms); a two-word query on 1,000,000 posts matches
// some 1,700 (bench/README.md section 7).
const pgRankBound = 1000

// rankExpr is the database's rank of d (search_docs; search_fts on
// SQLite) for p, higher is better. bm25 is negated (lower is better
// there); the title weighs ten times the body, as ts_rank's weight A.
func rankExpr(pg bool, p search.Parsed) (string, []any) {
	if pg {
		return "ts_rank(d.tsv, ?::tsquery)", []any{p.TSQuery()}
	}
	return "-bm25(search_fts, 10.0, 1.0)", nil
}

// rankedHit is a visible matching post and what orders it.
type rankedHit struct {
	searchHitRow
	Doc      string  `bun:"doc"`
	TitleKey string  `bun:"title_key"`
	Score    float64 `bun:"score"` // the rank, then raised in the reader's language
	titled   bool    // its title is the query
}

// findRelevant is FindPosts in order of relevance (see the top of this
// file), with the first bound matches ranked on PostgreSQL: one query,
// the matches ranked and joined in the database.
func (s *Store) findRelevant(ctx context.Context, q search.PostQuery, bound int) ([]rankedHit, error) {
	if !isPostgres(s.db) {
		return s.findRelevantFTS5(ctx, q)
	}
	rank, args := rankExpr(true, q.Parsed)
	docs := func() *bun.SelectQuery {
		return s.db.NewSelect().TableExpr("search_docs AS d").ColumnExpr("d.post_id, d.title_key, "+rank+" AS score", args...).
			Where("d.tsv @@ ?::tsquery", q.Parsed.TSQuery())
	}
	matches := docs().Limit(int64(bound))
	if q.Parsed.Key != "" {
		// The exact titles, which the bound may leave out: few, by the
		// partial index.
		titled := docs().Where("d.title_key = ?", q.Parsed.Key).Where("d.title_key <> ''")
		matches = s.db.NewSelect().TableExpr("((?) UNION (?)) AS d", matches, titled).Column("d.post_id", "d.title_key", "d.score")
	}
	var rows []rankedHit
	sel := s.db.NewSelect().TableExpr("(?) AS d", matches).ColumnExpr(hitColumns).
		ColumnExpr("d.title_key, d.post_id AS doc, d.score").Join("JOIN posts AS p ON p.id = d.post_id")
	if err := postFilters(visiblePosts(sel, "JOIN"), q).Scan(ctx, &rows); err != nil {
		return nil, dbErr("find posts", err)
	}
	markHits(rows, q)
	sortHits(rows)
	return rows, nil
}
