package storage

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/search"
)

// Relevance search ranks a few candidates, not every match. A two-word
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

// docKey is the column a candidate names its document by: search_docs.id
// on SQLite (the FTS5 rowid), post_id on PostgreSQL, as text.
func docKey(pg bool) string {
	if pg {
		return "d.post_id"
	}
	return "CAST(d.id AS TEXT)"
}

// topCandidates returns the k best-ranked documents matching p and those
// whose title is p's, with whether the engine had more than k.
func (s *Store) topCandidates(ctx context.Context, p search.Parsed, k int) ([]candidate, bool, error) {
	pg := isPostgres(s.db)
	rank, args := rankExpr(pg, p)
	match := func() *bun.SelectQuery {
		if pg {
			return s.db.NewSelect().TableExpr("search_docs AS d").ColumnExpr(docKey(pg)+" AS doc, "+rank+" AS score", args...).
				Where("d.tsv @@ ?::tsquery", p.TSQuery())
		}
		return s.db.NewSelect().TableExpr("search_fts").
			ColumnExpr("CAST(search_fts.rowid AS TEXT) AS doc, "+rank+" AS score", args...).
			Where("search_fts MATCH ?", p.FTS5())
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
	if err := s.db.NewSelect().TableExpr("search_docs AS d").ColumnExpr(docKey(pg)+" AS doc").
		Where("d.title_key = ?", p.Key).Where("d.title_key <> ''").Scan(ctx, &titled); err != nil {
		return nil, false, dbErr("find posts: titles", err)
	}
	if len(titled) == 0 {
		return top, true, nil
	}
	var more []candidate
	sel := match()
	if pg {
		sel = sel.Where("d.post_id IN (?)", bun.List(titled))
	} else {
		ids, err := rowids(titled)
		if err != nil {
			return nil, false, err
		}
		sel = sel.Where("search_fts.rowid IN (?)", bun.List(ids))
	}
	if err := sel.Scan(ctx, &more); err != nil {
		return nil, false, dbErr("find posts: title candidates", err)
	}
	return append(top, more...), true, nil
}

// rowids parses SQLite candidates' documents (search_docs.id).
func rowids(docs []string) ([]int64, error) {
	out := make([]int64, len(docs))
	for i, d := range docs {
		id, err := strconv.ParseInt(d, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("find posts: candidate %q: %w", d, err)
		}
		out[i] = id
	}
	return out, nil
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
// posts, keeps the visible ones that pass q's filters and sorts them.
func (s *Store) rankCandidates(ctx context.Context, q search.PostQuery, cands []candidate) ([]rankedHit, error) {
	pg := isPostgres(s.db)
	var sel *bun.SelectQuery
	join := "JOIN"
	var score map[string]float64
	if cands == nil {
		var rank string
		var args []any
		sel, join = searchMatch(s.db.NewSelect(), q.Parsed)
		rank, args = rankExpr(pg, q.Parsed)
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
		sel = s.db.NewSelect().TableExpr("search_docs AS d")
		if pg {
			sel = sel.Where("d.post_id IN (?)", bun.List(docs))
		} else {
			ids, err := rowids(docs)
			if err != nil {
				return nil, err
			}
			// The candidates drive the join, as the full-text table does
			// in searchMatch: left to choose, the planner may start from
			// a filter (all the threads of a forum) and read every post.
			sel, join = sel.Where("d.id IN (?)", bun.List(ids)), "CROSS JOIN"
		}
	}
	var rows []rankedHit
	sel = sel.ColumnExpr("p.id, p.thread_id, t.forum_id, p.author_id, t.title, p.language, p.html, p.parent_id").
		ColumnExpr("p.good_practice_at, p.created_at, d.title_key").ColumnExpr(docKey(pg) + " AS doc").
		Join(join + " posts AS p ON p.id = d.post_id")
	sel = postFilters(visiblePosts(sel, join), q)
	if err := sel.Scan(ctx, &rows); err != nil {
		return nil, dbErr("find posts", err)
	}
	for i := range rows {
		r := &rows[i]
		r.titled = r.TitleKey == q.Parsed.Key
		if score != nil {
			r.Score = score[r.Doc]
		}
		if r.Language == q.RankLanguage {
			r.Score *= rankBoost
		}
	}
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
	return rows, nil
}
