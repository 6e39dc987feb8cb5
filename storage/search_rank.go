package storage

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/search"
)

// Relevance search on PostgreSQL (SQLite reads its matches in rank
// order instead: search_rank_fts5.go). The order is SQLite's: an exact
// title first (search_docs.title_key equal to the query's key), then the
// rank raised by half in the reader's language, then the newest.
//
// The rank carries little: search_docs.tsv has no positions
// (array_to_tsvector, so both databases match the same terms;
// setweight's title weight needs positions and is lost), and ts_rank
// without positions depends only on how many of the query's terms a
// document holds. Every document holding one term of each word of a
// two-word query ranks 1e-16, one holding a third (two alternatives of a
// word: its stems in two languages, an accented word's two stems, a
// translation) 3.3e-16; a one-word query ranks 0.030 or 0.061 by how
// many of the word's alternatives it holds (TestTSRankWithoutPositions).
// Those differences are kept, as the rank is on SQLite; in practice the
// order is exact title, (number of terms held,) reader's language,
// newest.
//
// rankedPage ranks every match of a set: the GIN index's matches joined
// to their posts, kept when visible and passing the filters, and sorted
// with a LIMIT of the rows the page needs (offset and length), a top-N
// sort of narrow rows; the page's posts are read after. The filters are
// inside the query, before the LIMIT: every match that passes them can
// be found, whatever the number of matches (TestFindPostsManyMatches).
// Its cost grows with the matches: each is joined to its post and
// thread and has its rank computed (ts_rank reads its tsvector): a
// query matching 2.5 % of 1,000,000 posts (25,600) took 0.3–0.6 s
// (EXPLAIN ANALYZE, load 6–10). So findRelevant first walks the matches
// newest first in search_docs alone and ranks only what it walked
// (search_rank_walk.go); when filters or hidden posts leave the walks
// short, it tries the newest documents' window (search_rank_recent.go),
// and ranks every match only when neither proves the page
// (bench/README.md section 7).

// rankBoost is what a post in the reader's language multiplies its rank by.
const rankBoost = 1.5

// rankExpr is the database's rank of d (search_docs; search_fts on
// SQLite) for p, higher is better. bm25 is negated (lower is better
// there); the title weighs ten times the body, as ts_rank's weight A
// would with positions. ts_rank is a real: made a double precision
// before the boost, as Go raises it (markHits).
func rankExpr(pg bool, p search.Parsed) (string, []any) {
	if pg {
		return "ts_rank(d.tsv, ?::tsquery)::float8", []any{p.TSQuery()}
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
// file): the first q.Offset+q.Limit hits, in order.
func (s *Store) findRelevant(ctx context.Context, q search.PostQuery) ([]rankedHit, error) {
	if !isPostgres(s.db) {
		return s.findRelevantFTS5(ctx, q)
	}
	hits, ok, err := s.findRelevantFirst(ctx, q, firstWindow)
	if err != nil || ok {
		return hits, err
	}
	if hits, ok, err = s.findRelevantWalk(ctx, q, defaultWalk); err != nil || ok {
		return hits, err
	}
	// A filter kept too few of the walked matches: the window may still
	// hold the page, else every match is ranked.
	if hits, ok, err = s.findRelevantRecent(ctx, q, pgRecentWindow); err != nil || ok {
		return hits, err
	}
	return s.rankedPage(ctx, q, s.pgMatches(q))
}

// pgMatches selects search_docs (d) matching q.
func (s *Store) pgMatches(q search.PostQuery) *bun.SelectQuery {
	return s.db.NewSelect().TableExpr("search_docs AS d").Where("d.tsv @@ ?::tsquery", q.Parsed.TSQuery())
}

// rankedPage is the first q.Offset+q.Limit of the documents docs
// selects (d, with its post_id, title_key and tsv) that anyone may read
// and that pass q's filters, in relevance order.
func (s *Store) rankedPage(ctx context.Context, q search.PostQuery, docs *bun.SelectQuery) ([]rankedHit, error) {
	var rows []rankedHit
	if err := rankedQuery(s.db, q, docs, inline).Scan(ctx, &rows); err != nil {
		return nil, dbErr("find posts", err)
	}
	markHits(rows, q)
	sortHits(rows)
	return rows, nil
}

// rankedQuery is rankedPage's statement over docs, q's values placed by
// arg (rankedWalked binds them: search_rank_prepared.go).
func rankedQuery(db bun.IDB, q search.PostQuery, docs *bun.SelectQuery, arg argFunc) *bun.SelectQuery {
	// The matches that pass the filters, with their rank: OFFSET 0 keeps
	// PostgreSQL from merging this into the sort, which would carry each
	// tsvector (or each post's HTML) through it to rank them afterwards.
	rank, rankArgs := rankExpr(true, q.Parsed)
	for i, a := range rankArgs {
		rankArgs[i] = arg(a)
	}
	matches := docs.ColumnExpr("d.post_id AS doc, d.title_key, p.id, p.language, "+rank+" AS score", rankArgs...).
		Join("JOIN posts AS p ON p.id = d.post_id")
	matches = postFilters(visiblePosts(matches, "JOIN"), q, arg)
	// sortHits' order in SQL (the same ranks raised the same way), over
	// narrow rows: a top-N sort that keeps the page's rows only.
	top := db.NewSelect().TableExpr("(? OFFSET 0) AS m", matches).ColumnExpr("m.doc, m.title_key, m.id, m.score").
		OrderExpr("(m.title_key = ? AND m.title_key <> '') DESC", arg(q.Parsed.Key)).
		OrderExpr("m.score * (CASE WHEN m.language = ? THEN ?::float8 ELSE 1 END) DESC", arg(q.RankLanguage), rankBoost).
		OrderExpr("m.id DESC")
	return db.NewSelect().TableExpr("(? LIMIT ?) AS top", top, arg(q.Offset+q.Limit)).ColumnExpr(hitColumns).
		ColumnExpr("top.title_key, top.doc, top.score").
		Join("JOIN posts AS p ON p.id = top.id").Join("JOIN threads AS t ON t.id = p.thread_id")
}
