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

// topCandidates returns the k best-ranked documents matching p (every one
// for k ≤ 0) and those whose title is p's, keyed by search_docs.id on
// SQLite and post_id on PostgreSQL (the doc column of rankedHits), with
// whether the engine had more than k.
func (s *Store) topCandidates(ctx context.Context, p search.Parsed, k int) ([]candidate, bool, error) {
	var top, titled []candidate
	var sel, title *bun.SelectQuery
	if isPostgres(s.db) {
		rank := "ts_rank(d.tsv, ?::tsquery)"
		sel = s.db.NewSelect().TableExpr("search_docs AS d").ColumnExpr("d.post_id AS doc, "+rank+" AS score", p.TSQuery()).
			Where("d.tsv @@ ?::tsquery", p.TSQuery())
		title = s.db.NewSelect().TableExpr("search_docs AS d").ColumnExpr("d.post_id AS doc, "+rank+" AS score", p.TSQuery()).
			Where("d.tsv @@ ?::tsquery", p.TSQuery()).Where("d.title_key = ?", p.Key).Where("d.title_key <> ''")
	} else {
		// bm25 is negated (lower is better there); the title weighs ten
		// times the body.
		cols := "CAST(search_fts.rowid AS TEXT) AS doc, -bm25(search_fts, 10.0, 1.0) AS score"
		sel = s.db.NewSelect().TableExpr("search_fts").ColumnExpr(cols).Where("search_fts MATCH ?", p.FTS5())
		title = s.db.NewSelect().TableExpr("search_fts").ColumnExpr(cols).Where("search_fts MATCH ?", p.FTS5()).
			Where("search_fts.rowid IN (SELECT id FROM search_docs WHERE title_key = ? AND title_key <> '')", p.Key)
	}
	if k > 0 {
		sel = sel.OrderExpr("score DESC").Limit(int64(k + 1))
	}
	if err := sel.Scan(ctx, &top); err != nil {
		return nil, false, dbErr("find posts: candidates", err)
	}
	more := k > 0 && len(top) > k
	if more {
		top = top[:k]
	}
	if p.Key != "" && more {
		if err := title.Scan(ctx, &titled); err != nil {
			return nil, false, dbErr("find posts: title candidates", err)
		}
	}
	return append(top, titled...), more, nil
}

// rankedHit is a visible candidate: its post and what orders it.
type rankedHit struct {
	searchHitRow
	Doc      string `bun:"doc"`
	TitleKey string `bun:"title_key"`
	titled   bool   // its title is the query
	score    float64
}

// findRelevant is FindPosts in order of relevance (see the top of this
// file).
func (s *Store) findRelevant(ctx context.Context, q search.PostQuery) ([]rankedHit, error) {
	want := q.Offset + q.Limit
	k := max(firstCandidates, want*candidatesPerRow)
	for {
		cands, more, err := s.topCandidates(ctx, q.Parsed, k)
		if err != nil {
			return nil, err
		}
		hits, err := s.rankCandidates(ctx, q, cands)
		if err != nil {
			return nil, err
		}
		if !more || exact(hits, want, cands, k) {
			return hits, nil
		}
		k = 0 // every match
	}
}

// exact reports whether the first want hits are those of ranking every
// match, when only the k best-ranked matches (the first k of cands) were
// ranked.
func exact(hits []rankedHit, want int, cands []candidate, k int) bool {
	if len(hits) < want {
		return false
	}
	last := hits[want-1]
	if last.titled {
		return true
	}
	return last.score > rankBoost*cands[k-1].Score
}

// rankCandidates joins the candidates to their posts, keeps the visible
// ones that pass q's filters and sorts them.
func (s *Store) rankCandidates(ctx context.Context, q search.PostQuery, cands []candidate) ([]rankedHit, error) {
	if len(cands) == 0 {
		return nil, nil
	}
	pg := isPostgres(s.db)
	score := make(map[string]float64, len(cands))
	docs := make([]any, len(cands))
	for i, c := range cands {
		score[c.Doc], docs[i] = c.Score, c.Doc
		if !pg { // search_docs.id, an integer
			id, err := strconv.ParseInt(c.Doc, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("find posts: candidate %q: %w", c.Doc, err)
			}
			docs[i] = id
		}
	}
	key, doc := "d.id", "CAST(d.id AS TEXT)"
	if pg {
		key, doc = "d.post_id", "d.post_id"
	}
	var rows []rankedHit
	sel := s.db.NewSelect().TableExpr("search_docs AS d").
		ColumnExpr("p.id, p.thread_id, t.forum_id, p.author_id, t.title, p.language, p.html, p.parent_id").
		ColumnExpr("p.good_practice_at, p.created_at, d.title_key").ColumnExpr(doc+" AS doc").
		Join("JOIN posts AS p ON p.id = d.post_id").Where(key+" IN (?)", bun.List(docs))
	sel = postFilters(visiblePosts(sel, "JOIN"), q)
	if err := sel.Scan(ctx, &rows); err != nil {
		return nil, dbErr("find posts", err)
	}
	for i := range rows {
		r := &rows[i]
		r.titled = r.TitleKey == q.Parsed.Key
		r.score = score[r.Doc]
		if r.Language == q.RankLanguage {
			r.score *= rankBoost
		}
	}
	slices.SortFunc(rows, func(a, b rankedHit) int {
		switch {
		case a.titled != b.titled:
			if a.titled {
				return -1
			}
			return 1
		case a.score != b.score:
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return -strings.Compare(a.ID, b.ID)
	})
	return rows, nil
}
