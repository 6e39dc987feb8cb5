package storage

import (
	"context"
	"strings"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/search"
)

// A relevance search on PostgreSQL first tries to find its page among
// the newest documents, which costs a bounded amount however many posts
// match; when it cannot prove the page right from them, it ranks every
// match (search_rank.go).
//
// It can prove it because ts_rank over search_docs' tsvectors (no
// positions) depends only on how many of the query's terms a document
// holds, and grows with it (TestTSRankWithoutPositions). When no term is
// an alternative of two of the query's words, a match holds one term of
// each word, its base rank, unless it holds two alternatives of one word
// (elevated: a tsquery finds those by the GIN index). So the hits are
// gathered from three sets, each ranked and cut to the page's rows:
//
//   - the matches among the pgRecentWindow newest documents;
//   - the exact titles (the partial title index);
//   - the elevated matches.
//
// A match in none of them is older than every document of the window and
// ranks at most base (times the boost when it may be in the reader's
// language): when the page's last hit is an exact title or ranks at least
// that, no such match can enter the page (a tie goes to the newer),
// and the page is the one ranking every match gives. A broad query finds
// its page in the window; a narrow one, or one whose hits lie deeper,
// ranks every match, which it has few of, or pays for the window in
// vain (some milliseconds).

// pgRecentWindow is how many of the newest documents a relevance search
// on PostgreSQL looks at first: enough to hold a page of a query matching
// 1 % of the posts (bench/README.md section 7).
const pgRecentWindow = 4000

// findRelevantRecent is findRelevant from the newest window documents
// (see above); ok is false when it cannot tell the page.
func (s *Store) findRelevantRecent(ctx context.Context, q search.PostQuery, window int) (hits []rankedHit, ok bool, err error) {
	elevated, disjoint := elevatedTSQuery(q.Parsed)
	if !disjoint {
		return nil, false, nil
	}
	want := q.Offset + q.Limit
	recent := s.db.NewSelect().
		TableExpr("(SELECT post_id, title_key, tsv FROM search_docs ORDER BY post_id DESC LIMIT ?) AS d", window).
		Where("d.tsv @@ ?::tsquery", q.Parsed.TSQuery())
	sets := []*bun.SelectQuery{recent}
	if q.Parsed.Key != "" {
		sets = append(sets, s.pgMatches(q).Where("d.title_key = ?", q.Parsed.Key).Where("d.title_key <> ''"))
	}
	if elevated != "" {
		sets = append(sets, s.pgMatches(q).Where("d.tsv @@ ?::tsquery", elevated))
	}
	seen := map[string]bool{}
	for _, docs := range sets {
		rows, err := s.rankedPage(ctx, q, docs)
		if err != nil {
			return nil, false, err
		}
		for _, r := range rows {
			if !seen[r.Doc] {
				seen[r.Doc] = true
				hits = append(hits, r)
			}
		}
	}
	if len(hits) < want {
		return nil, false, nil
	}
	sortHits(hits)
	var base float64
	if err := s.db.NewRaw("SELECT ts_rank(array_to_tsvector(string_to_array(?, ' ')), ?::tsquery)::float8",
		strings.Join(baseTerms(q.Parsed), " "), q.Parsed.TSQuery()).Scan(ctx, &base); err != nil {
		return nil, false, dbErr("find posts: base rank", err)
	}
	if q.Language == "" || q.Language == q.RankLanguage {
		base *= rankBoost // as markHits raises a hit in the reader's language
	}
	if last := hits[want-1]; !last.titled && last.Score < base {
		return nil, false, nil
	}
	return hits[:want], true, nil
}

// baseTerms holds one term of each of p's words: a document holding
// just these ranks base.
func baseTerms(p search.Parsed) []string {
	out := make([]string, len(p.Groups))
	for i, g := range p.Groups {
		out[i] = g[0]
	}
	return out
}

// elevatedTSQuery matches the documents holding two alternatives of one
// of p's words ("" when no word has two); disjoint is false when a term
// is an alternative of two words (then a match may hold fewer terms than
// words, and base is not the rank of every match that is not elevated).
func elevatedTSQuery(p search.Parsed) (tsq string, disjoint bool) {
	quote := strings.NewReplacer(`\`, `\\`, `'`, `''`)
	owner := map[string]int{}
	var pairs []string
	for i, g := range p.Groups {
		for j, a := range g {
			if w, ok := owner[a]; ok && w != i {
				return "", false
			}
			owner[a] = i
			for _, b := range g[j+1:] {
				pairs = append(pairs, "('"+quote.Replace(a)+"' & '"+quote.Replace(b)+"')")
			}
		}
	}
	return strings.Join(pairs, " | "), true
}
