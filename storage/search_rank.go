package storage

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/search"
)

// Relevance search on PostgreSQL ranks a few candidates, not every match
// (SQLite reads its matches in rank order instead: search_rank_fts5.go).
// A two-word
// query on 100,000 posts matches thousands; joining each to its post,
// thread, author and forum to filter it, then sorting them all, was most
// of a search's time. Instead:
//
//  1. the full-text engine alone returns its k best documents by rank
//     (topCandidates), and every document whose title is the query (an
//     exact title ranks first whatever its rank: search_docs_title_key_idx
//     finds those);
//  2. only those are joined, filtered and ordered as before: an exact
//     title first, then the rank raised by half in the reader's language,
//     then the newest;
//  3. the page is exact when no document left out could enter it: the
//     engine returned fewer than k (it returned them all), or the page's
//     last row is an exact title (every document left out has none) or
//     outranks the best a document left out could reach (the k-th rank,
//     raised by half). Otherwise the search runs again on every match.
//
// So the results are those of ranking every match, on both databases.

// rankBoost is what a post in the reader's language multiplies its rank by.
const rankBoost = 1.5

// firstCandidates is the least k of the first pass: the page's rows
// (offset included) times candidatesPerRow.
const (
	firstCandidates  = 100
	candidatesPerRow = 4
)

// candidate is a matching document and its rank (higher is better).
type candidate struct {
	Doc   string  `bun:"doc"`
	Score float64 `bun:"score"`
}

// rankExpr is the database's rank of d (search_docs; search_fts on
// SQLite) for p, higher is better. bm25 is negated (lower is better
// there); the title weighs ten times the body, as ts_rank's weight A.
func rankExpr(pg bool, p search.Parsed) (string, []any) {
	if pg {
		return "ts_rank(d.tsv, ?::tsquery)", []any{p.TSQuery()}
	}
	return "-bm25(search_fts, 10.0, 1.0)", nil
}

// topCandidates returns the k best-ranked documents matching p and those
// whose title is p's, with whether the engine had more than k.
func (s *Store) topCandidates(ctx context.Context, p search.Parsed, k int) ([]candidate, bool, error) {
	rank, args := rankExpr(true, p)
	match := func() *bun.SelectQuery {
		return s.db.NewSelect().TableExpr("search_docs AS d").ColumnExpr("d.post_id AS doc, "+rank+" AS score", args...).
			Where("d.tsv @@ ?::tsquery", p.TSQuery())
	}
	var top []candidate
	if err := match().OrderExpr("score DESC").Limit(int64(k+1)).Scan(ctx, &top); err != nil {
		return nil, false, dbErr("find posts: candidates", err)
	}
	if len(top) <= k || p.Key == "" {
		return top, false, nil
	}
	top = top[:k]
	// Exact titles are few: the partial index finds them, then the
	// engine ranks those alone.
	var titled []string
	if err := s.db.NewSelect().TableExpr("search_docs AS d").ColumnExpr("d.post_id AS doc").
		Where("d.title_key = ?", p.Key).Where("d.title_key <> ''").Scan(ctx, &titled); err != nil {
		return nil, false, dbErr("find posts: titles", err)
	}
	if len(titled) == 0 {
		return top, true, nil
	}
	var more []candidate
	if err := match().Where("d.post_id IN (?)", bun.List(titled)).Scan(ctx, &more); err != nil {
		return nil, false, dbErr("find posts: title candidates", err)
	}
	return append(top, more...), true, nil
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
// file).
func (s *Store) findRelevant(ctx context.Context, q search.PostQuery) ([]rankedHit, error) {
	if !isPostgres(s.db) {
		return s.findRelevantFTS5(ctx, q)
	}
	want := q.Offset + q.Limit
	k := max(firstCandidates, want*candidatesPerRow)
	cands, more, err := s.topCandidates(ctx, q.Parsed, k)
	if err != nil {
		return nil, err
	}
	hits, err := s.rankCandidates(ctx, q, cands)
	if err != nil || !more || exact(hits, want, q, cands[k-1].Score) {
		return hits, err
	}
	return s.rankCandidates(ctx, q, nil)
}

// exact reports whether the first want hits are those of ranking every
// match, when only the matches ranked above low (and exact titles) were
// ranked.
func exact(hits []rankedHit, want int, q search.PostQuery, low float64) bool {
	if len(hits) < want {
		return false
	}
	last := hits[want-1]
	if last.titled {
		return true
	}
	// A post left out is raised at most by the boost, and only when
	// it may be in the reader's language.
	if q.Language == "" || q.Language == q.RankLanguage {
		low *= rankBoost
	}
	return last.Score > low
}

// rankCandidates joins the candidates (every match when nil) to their
// posts, keeps the visible ones that pass q's filters and sorts them
// (PostgreSQL).
func (s *Store) rankCandidates(ctx context.Context, q search.PostQuery, cands []candidate) ([]rankedHit, error) {
	var sel *bun.SelectQuery
	var score map[string]float64
	if cands == nil {
		rank, args := rankExpr(true, q.Parsed)
		sel, _ = searchMatch(s.db.NewSelect(), q.Parsed)
		sel = sel.ColumnExpr(rank+" AS score", args...)
	} else {
		if len(cands) == 0 {
			return nil, nil
		}
		score = make(map[string]float64, len(cands))
		docs := make([]string, len(cands))
		for i, c := range cands {
			score[c.Doc], docs[i] = c.Score, c.Doc
		}
		sel = s.db.NewSelect().TableExpr("search_docs AS d").Where("d.post_id IN (?)", bun.List(docs))
	}
	var rows []rankedHit
	sel = sel.ColumnExpr(hitColumns).ColumnExpr("d.title_key, d.post_id AS doc").Join("JOIN posts AS p ON p.id = d.post_id")
	sel = postFilters(visiblePosts(sel, "JOIN"), q)
	if err := sel.Scan(ctx, &rows); err != nil {
		return nil, dbErr("find posts", err)
	}
	if score != nil {
		for i := range rows {
			rows[i].Score = score[rows[i].Doc]
		}
	}
	markHits(rows, q)
	sortHits(rows)
	return rows, nil
}
