package storage

import (
	"strings"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/search"
)

// A level of a relevance walk on PostgreSQL is the matches of the query
// holding at least n of its terms (search_rank_walk.go). Written as one
// AND of n terms per set of n terms (holdingTSQuery) and tested beside
// the query's own tsquery, the GIN index spent 20–40 ms of CPU on a
// level with a frequent term ("health": 43,089 documents), testing two
// conditions on each candidate, ten or more ANDs the second. Written
// word by word, the words still ANDed, it costs a quarter of that: each way
// to share the n terms among the words (at least one each) is an AND of
// "at least c of this word's terms", and a document holding a term of
// every word and n terms in all holds at least c_i of each word i for
// one such way (bench/README.md section 7, ninth pass). It matches the
// query too, so it is tested alone.

// levelFrom is how a walk reads the level of p's matches holding at
// least n of terms (p's terms): word by word (walkFrom.alone) when it
// can, else the sets of n terms beside the query; ok is false past
// maxTermSets sets either way.
func levelFrom(p search.Parsed, terms []string, n int) (from walkFrom, ok bool) {
	if tsq, ok := wordLevelTSQuery(p.Groups, n); ok {
		return walkFrom{holding: tsq, alone: true}, true
	}
	tsq, ok := holdingTSQuery(terms, n)
	return walkFrom{holding: tsq}, ok
}

// pgLevelMatches selects search_docs (d) matching q and holding at least
// n of terms (q's terms), as a walk reads a level; ok is false past
// maxTermSets sets of terms.
func (s *Store) pgLevelMatches(q search.PostQuery, terms []string, n int) (sel *bun.SelectQuery, ok bool) {
	from, ok := levelFrom(q.Parsed, terms, n)
	if !ok {
		return nil, false
	}
	sel = s.db.NewSelect().TableExpr("search_docs AS d").Where("d.tsv @@ ?::tsquery", from.holding)
	if !from.alone {
		sel = sel.Where("d.tsv @@ ?::tsquery", q.Parsed.TSQuery())
	}
	return sel, true
}

// wordLevelTSQuery matches the documents holding a term of each of
// words (each a word's alternative terms) and n of their terms in all,
// word by word (see above). ok is false when a term stands for two
// words (a document holding it would count it twice), or past
// maxTermSets sets of terms.
func wordLevelTSQuery(words [][]string, n int) (tsq string, ok bool) {
	owner := map[string]int{}
	distinct := make([][]string, len(words))
	for i, w := range words {
		for _, t := range w {
			switch o, seen := owner[t]; {
			case !seen:
				owner[t] = i
				distinct[i] = append(distinct[i], search.TSLexeme(t))
			case o != i:
				return "", false
			}
		}
		if len(distinct[i]) == 0 {
			return "", false
		}
	}
	sets := 0
	var ways []string
	// share gives word i and the words after it the rest of n, at least
	// one term each and at most the word's terms, the words before i
	// holding the ANDs in chosen.
	var share func(i, rest int, chosen []string) bool
	share = func(i, rest int, chosen []string) bool {
		if i == len(distinct) {
			if rest == 0 {
				ways = append(ways, strings.Join(chosen, " & "))
			}
			return true
		}
		after := len(distinct) - i - 1 // each of the words after i holds one term at least
		for c := 1; c <= min(len(distinct[i]), rest-after); c++ {
			held, k, ok := atLeast(distinct[i], c)
			if sets += k; !ok || sets > maxTermSets {
				return false
			}
			if !share(i+1, rest-c, append(chosen, held)) {
				return false
			}
		}
		return true
	}
	if n <= len(distinct) {
		n = len(distinct) // every match holds a term of each word
	}
	if !share(0, n, nil) || len(ways) == 0 {
		return "", false
	}
	return "(" + strings.Join(ways, ") | (") + ")", true
}

// atLeast is the tsquery of holding at least c of the quoted lexemes,
// and how many sets of terms it names; ok is false past maxTermSets.
func atLeast(lexemes []string, c int) (tsq string, sets int, ok bool) {
	switch c {
	case 1:
		return "(" + strings.Join(lexemes, " | ") + ")", 1, true
	case len(lexemes):
		return "(" + strings.Join(lexemes, " & ") + ")", 1, true
	}
	ands, ok := termSets(lexemes, c, maxTermSets)
	return "(" + strings.Join(ands, " | ") + ")", len(ands), ok
}
