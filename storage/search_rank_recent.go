package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/search"
)

// A relevance search on PostgreSQL first tries to find its page among
// the newest documents, at a cost bounded whatever the number of
// matches; when it cannot prove the page right from them, it ranks every
// match (search_rank.go).
//
// It can prove it because ts_rank over search_docs' tsvectors (no
// positions) depends only on how many of the query's terms a document
// holds, c, and grows with it (TestTSRankWithoutPositions): rank(c) is
// computed once from a made-up document. The hits are gathered from
//
//  1. the matches among the pgRecentWindow newest documents and the
//     exact titles (the partial title index), each ranked and cut to the
//     page's rows; the page's last row so far, s, is a window document;
//  2. the matches holding at least L of the query's terms (a tsquery,
//     by the GIN index), L the least such that rank(L-1), raised by half
//     when a match may be in the reader's language, is at most s's rank.
//
// A match in neither holds fewer than L terms: it ranks at most s does
// and is older than s (a window document), so it comes after s, which
// is in the page or after it; the page is the one ranking every match
// gives. The matches holding L terms are rarer than the window's: if
// they were not, the window would hold more of them and s would rank
// higher. A broad query finds its page so; a narrow one (fewer than a
// page of matches in the window) ranks every match, which it has few of.

// pgRecentWindow is how many of the newest documents a relevance search
// on PostgreSQL looks at first: enough to hold a page of a query matching
// 1 % of the posts (bench/README.md section 7).
const pgRecentWindow = 4000

// maxTermSets bounds the tsquery of step 2 (one AND of L terms per set
// of L of the query's terms): past it, every match is ranked.
const maxTermSets = 128

// findRelevantRecent is findRelevant from the window newest documents
// (see above); ok is false when it cannot tell the page.
func (s *Store) findRelevantRecent(ctx context.Context, q search.PostQuery, window int) (hits []rankedHit, ok bool, err error) {
	want := q.Offset + q.Limit
	recent := s.db.NewSelect().
		TableExpr("(SELECT post_id, title_key, tsv FROM search_docs ORDER BY post_id DESC LIMIT ?) AS d", window).
		Where("d.tsv @@ ?::tsquery", q.Parsed.TSQuery())
	sets := []*bun.SelectQuery{recent}
	if q.Parsed.Key != "" {
		sets = append(sets, s.pgMatches(q).Where("d.title_key = ?", q.Parsed.Key).Where("d.title_key <> ''"))
	}
	seen := map[string]bool{}
	add := func(docs *bun.SelectQuery) error {
		rows, err := s.rankedPage(ctx, q, docs)
		for _, r := range rows {
			if !seen[r.Doc] {
				seen[r.Doc] = true
				hits = append(hits, r)
			}
		}
		return err
	}
	for _, docs := range sets {
		if err := add(docs); err != nil {
			return nil, false, err
		}
	}
	if len(hits) < want {
		return nil, false, nil
	}
	sortHits(hits)
	last := hits[want-1]
	if last.titled {
		return hits[:want], true, nil
	}
	terms := queryTerms(q.Parsed)
	ranks, err := s.termCountRanks(ctx, q.Parsed, terms)
	if err != nil {
		return nil, false, err
	}
	boost := 1.0
	if q.Language == "" || q.Language == q.RankLanguage {
		boost = rankBoost // as markHits raises a hit in the reader's language
	}
	least := 1 // L: every match holds one term at least
	for least <= len(terms) && ranks[least]*boost <= last.Score {
		least++
	}
	if least == 1 {
		return nil, false, nil // s is no better than any match: rank them all
	}
	if least <= len(terms) {
		holders, ok := s.pgLevelMatches(q, terms, least)
		if !ok {
			return nil, false, nil
		}
		if err := add(holders); err != nil {
			return nil, false, err
		}
		sortHits(hits)
	}
	return hits[:want], true, nil
}

// queryTerms are p's distinct terms.
func queryTerms(p search.Parsed) []string {
	seen := map[string]bool{}
	var out []string
	for _, g := range p.Groups {
		for _, t := range g {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// termCountRanks is ts_rank for p of a document holding c of its terms,
// for c from 0 (0: no document) to len(terms).
func (s *Store) termCountRanks(ctx context.Context, p search.Parsed, terms []string) ([]float64, error) {
	var rows []float64
	err := s.db.NewRaw(`SELECT ts_rank(array_to_tsvector(t[1:c]), ?::tsquery)::float8
		FROM string_to_array(?, ' ') AS t, generate_series(1, ?) AS c ORDER BY c`,
		p.TSQuery(), strings.Join(terms, " "), len(terms)).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("find posts: ranks by terms held", err)
	}
	if len(rows) != len(terms) {
		return nil, fmt.Errorf("find posts: %d ranks by terms held for %d terms", len(rows), len(terms))
	}
	return append([]float64{0}, rows...), nil
}

// holdingTSQuery matches the documents holding at least n of terms: one
// AND of n terms per set of n terms, ok false past maxTermSets of them.
func holdingTSQuery(terms []string, n int) (tsq string, ok bool) {
	lexemes := make([]string, len(terms))
	for i, t := range terms {
		lexemes[i] = search.TSLexeme(t)
	}
	sets, ok := termSets(lexemes, n, maxTermSets)
	if !ok {
		return "", false
	}
	return strings.Join(sets, " | "), true
}

// termSets are the ANDs of every n of the quoted lexemes, ok false past
// most of them.
func termSets(lexemes []string, n, most int) (sets []string, ok bool) {
	var pick func(from int, chosen []string) bool
	pick = func(from int, chosen []string) bool {
		if len(chosen) == n {
			if len(sets) == most {
				return false
			}
			sets = append(sets, "("+strings.Join(chosen, " & ")+")")
			return true
		}
		for i := from; i <= len(lexemes)-(n-len(chosen)); i++ {
			if !pick(i+1, append(chosen, lexemes[i])) {
				return false
			}
		}
		return true
	}
	return sets, pick(0, nil)
}
