package storage

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/search"
)

// A relevance search on PostgreSQL walks the matches newest first, one
// walk per class of boost (the reader's language, the others), instead
// of ranking every match or a fixed window of the newest documents
// (search_rank.go, search_rank_recent.go). Each walk reads only
// search_docs (its language column filters and splits the matches, no
// join) until it holds want matches that anyone may read and that pass
// the filters; those are ranked, with the exact titles and the matches
// holding more of the query's terms than the walks' worst.
//
// Why the page is exact. ts_rank over these tsvectors is rank(c), c the
// terms of the query a document holds (search_rank_recent.go), raised by
// b (rankBoost in the reader's language, else 1). Take a class P whose
// walk stopped with want hits T_P, the worst scoring m_P, and L the least
// c with rank(c)·b_P > m_P. A match x of P that is in no candidate set
// is not in T_P (so older than all of it), not an exact title, and holds
// fewer than L terms: its score is at most rank(L-1)·b_P ≤ m_P, so each
// of the want hits of T_P comes before it (higher, or equal and newer).
// A class whose walk ran out of matches holds them all. The matches
// holding at least L terms (L the least over the classes) are fetched
// through the GIN index; they are rare (more terms than the query has
// words: an accented word's two stems, a translation).
//
// The class of other languages is not walked when the reader's one is
// full and its worst hit strictly outranks any other-language match
// holding fewer than L terms (rank(L-1) < m_R): then those come after
// every hit of the reader's class.

// walkSize is how far a walk goes, per hit wanted: chunk documents
// first, four times more at each further step, up to most; past it, a
// filter keeps too few of the matches (an author, a date) and the page
// is found otherwise (search_rank.go).
type walkSize struct{ chunk, most int }

// defaultWalk reads 2 documents per hit wanted, then 8 more, 32, up to
// 64 (1,280 for a page of 20).
var defaultWalk = walkSize{chunk: 2, most: 64}

// walkClass is a class of matches walked together: those in language
// (or, when other, in any other language; or, when all, in any) and the
// most their rank is raised by.
type walkClass struct {
	language   string
	other, all bool
	boost      float64
}

// where adds c's condition on search_docs (d).
func (c walkClass) where(sel *bun.SelectQuery) *bun.SelectQuery {
	switch {
	case c.all:
		return sel
	case c.other:
		return sel.Where("d.language <> ?", c.language)
	}
	return sel.Where("d.language = ?", c.language)
}

// walkClasses are q's classes of matches, the reader's first.
func walkClasses(q search.PostQuery) []walkClass {
	boost := func(lang string) float64 {
		if lang == q.RankLanguage {
			return rankBoost
		}
		return 1
	}
	switch {
	case q.Language != "":
		return []walkClass{{language: q.Language, boost: boost(q.Language)}}
	case q.RankLanguage == "":
		// markHits raises posts of language "" (none in practice): the
		// bound must allow it.
		return []walkClass{{all: true, boost: rankBoost}}
	}
	return []walkClass{{language: q.RankLanguage, boost: rankBoost}, {language: q.RankLanguage, other: true, boost: 1}}
}

// findRelevantWalk is findRelevant by walks (see above); ok is false
// when a walk went past size.
func (s *Store) findRelevantWalk(ctx context.Context, q search.PostQuery, size walkSize) (hits []rankedHit, ok bool, err error) {
	want := q.Offset + q.Limit
	terms := queryTerms(q.Parsed)
	ranks, err := s.termCountRanks(ctx, q.Parsed, terms)
	if err != nil {
		return nil, false, err
	}
	seen := map[string]bool{}
	add := func(rows []rankedHit) {
		for _, r := range rows {
			if !seen[r.Doc] {
				seen[r.Doc] = true
				hits = append(hits, r)
			}
		}
	}
	least := len(terms) + 1
	classes := walkClasses(q)
	for i, c := range classes {
		walked, full, ok, err := s.walkMatches(ctx, q, c, want, size)
		if err != nil || !ok {
			return nil, ok, err
		}
		add(walked)
		if !full {
			continue // the class's matches are all in hits
		}
		m := walked[len(walked)-1].Score
		for _, r := range walked {
			m = min(m, r.Score)
		}
		least = min(least, leastFor(ranks, m, c.boost))
		if i == 0 && len(classes) == 2 && least >= 2 && ranks[least-1]*classes[1].boost < m {
			break // the other languages' matches below L all come after these
		}
	}
	if q.Parsed.Key != "" {
		titled, err := s.rankedPage(ctx, q, s.pgMatches(q).Where("d.title_key = ?", q.Parsed.Key).Where("d.title_key <> ''"))
		if err != nil {
			return nil, false, err
		}
		add(titled)
	}
	if least <= len(terms) {
		holders, ok := s.pgLevelMatches(q, terms, least)
		if !ok {
			return nil, false, nil
		}
		more, err := s.rankedPage(ctx, q, holders)
		if err != nil {
			return nil, false, err
		}
		add(more)
	}
	sortHits(hits)
	return hits[:min(want, len(hits))], true, nil
}

// walkMatches walks c's matches of q newest first until it holds want
// that anyone may read and that pass q's filters, and returns those,
// ranked (the best want of them): full is false when the matches ran out
// first (then they are all there), ok false when the walk reached
// size.most·want documents.
func (s *Store) walkMatches(ctx context.Context, q search.PostQuery, c walkClass, want int, size walkSize) (hits []rankedHit, full, ok bool, err error) {
	cursor := ""
	read := 0
	for chunk := size.chunk * want; ; chunk *= 4 {
		if read >= size.most*want {
			return nil, false, false, nil
		}
		chunk = min(chunk, size.most*want-read)
		var ids []string
		sel := c.where(s.db.NewSelect().TableExpr("search_docs AS d").Column("d.post_id").
			Where("d.tsv @@ ?::tsquery", q.Parsed.TSQuery()))
		if cursor != "" {
			sel = sel.Where("d.post_id < ?", cursor)
		}
		if err := sel.OrderExpr("d.post_id DESC").Limit(int64(chunk)).Scan(ctx, &ids); err != nil {
			return nil, false, false, dbErr("find posts: walk the matches", err)
		}
		read += len(ids)
		if len(ids) > 0 {
			rows, err := s.rankedPage(ctx, q, s.db.NewSelect().TableExpr("search_docs AS d").
				Where("d.post_id IN (?)", bun.List(ids)))
			if err != nil {
				return nil, false, false, err
			}
			hits = append(hits, rows...)
			cursor = ids[len(ids)-1]
		}
		if len(ids) < chunk {
			return hits, false, true, nil
		}
		if len(hits) >= want {
			return hits, true, true, nil
		}
	}
}

// walkSlack is how many documents a first walk reads past the hits
// wanted, for those a reader may not see (a deleted thread, a blocked
// instance).
const walkSlack = 2

// findRelevantFirst is findRelevantWalk in a few short statements, when
// it can: each walk reads want+walkSlack documents of search_docs (the
// rank and the language are there, no post is read), and one query
// ranks the documents walked and the exact titles, joined to their
// posts, visibility and filters applied.
//
// The matches holding L terms or more are walked too, rather than
// fetched: they are not always rare (a word whose alternatives are
// short stems, "plaía" → pla, plai, plaia, held by many documents for
// other words). A class walks level by level: the matches holding at
// least L_0 = 1 terms (all), then, when that walk is full with worst
// m_0, those holding at least L_1 (the least c with rank(c)·b > m_0),
// and so on until a walk runs out or L passes the query's terms. A
// match x of the class in no walk holds c terms with L_i ≤ c < L_i+1
// for a full walk i (else it would have been walked): the want hits of
// that walk are newer and rank at least m_i ≥ rank(c)·b, so they come
// first. L grows at each level (m_i ≥ rank(L_i)·b). The other
// languages' class starts at the level its matches could pass the
// reader's full first walk (the skip of findRelevantWalk, generalised).
//
// It holds when at least want of each full walk's documents pass the
// visibility and filters (their worst is no worse than the walk's), else
// ok is false: a filter the walk does not apply (a forum, an author) or
// hidden posts among the newest make it fall short, and so does a page
// with more exact titles than the statement returns.
func (s *Store) findRelevantFirst(ctx context.Context, q search.PostQuery, window int) (hits []rankedHit, ok bool, err error) {
	want := q.Offset + q.Limit
	terms := queryTerms(q.Parsed)
	ranks, err := s.termCountRanks(ctx, q.Parsed, terms)
	if err != nil {
		return nil, false, err
	}
	var walked []string
	var full []map[string]bool // the documents of each walk that did not run out
	classes := walkClasses(q)
	otherFrom := 1 // the level the other languages' class starts at
	for i, c := range classes {
		level, levelWindow := 1, window
		if i == 1 && otherFrom > 1 {
			// Other languages' matches holding more terms than the
			// reader's worst hit: rare, found by the GIN index (the
			// window cost 10.8 ms a search for nothing).
			level, levelWindow = otherFrom, 0
		}
		for level <= len(terms) {
			var from walkFrom
			if level > 1 {
				if from, ok = levelFrom(q.Parsed, terms, level); !ok {
					return nil, false, nil
				}
			}
			limit := want + walkSlack
			rows, err := s.walkNewest(ctx, q, c, from, limit, levelWindow)
			if err != nil {
				return nil, false, err
			}
			ids := map[string]bool{}
			m := 0.0
			for j, r := range rows {
				walked = append(walked, r.PostID)
				ids[r.PostID] = true
				score := r.Score
				if r.Language == q.RankLanguage {
					score *= rankBoost // as markHits
				}
				if j == 0 || score < m {
					m = score
				}
			}
			if len(rows) < limit {
				break // the class's matches holding level terms are all walked
			}
			full = append(full, ids)
			next := leastFor(ranks, m, c.boost)
			if next <= level {
				return nil, false, nil // ranks that do not grow with the terms held
			}
			if i == 0 && level == 1 && len(classes) == 2 && ranks[next-1]*classes[1].boost < m {
				// The other languages' matches holding fewer than next
				// terms come after this walk's want hits.
				otherFrom = next
			}
			// The next level's matches are dense when many of this walk's
			// hold its terms ("queés ouriées": 'que', a function word's
			// stem, is in 7,891 of its 8,766 matches; through the GIN
			// index, 420 ms), so the window likely holds the walk; when
			// few do, they are rare and the GIN index reads few.
			holders := 0
			for _, r := range rows {
				if next < len(ranks) && r.Score >= ranks[next] {
					holders++
				}
			}
			levelWindow = 0
			if 4*holders >= limit {
				levelWindow = window
			}
			level = next
		}
	}
	if len(walked) == 0 {
		return nil, true, nil
	}
	limit := len(walked) + want
	rows, err := s.rankedWalked(ctx, q, walked, limit)
	if err != nil || len(rows) == limit {
		return nil, false, err
	}
	for _, ids := range full {
		passed := 0
		for _, r := range rows {
			if ids[r.Doc] {
				passed++
			}
		}
		if passed < want {
			return nil, false, nil
		}
	}
	return rows[:min(want, len(rows))], true, nil
}

// firstWindow is how many of the newest documents a walk reads through
// first (search_docs_pkey backwards, a bounded cost: 7–22 ms at load 11
// for 16,000 on the 1,000,000-post corpus) before it asks the GIN index
// for every match. The planner cannot choose between the two itself: it
// takes a match for a language's as rare as the language's share (a
// query's words are of one language, so its matches are too) and
// underestimates broad matches threefold, so it chose the bitmap of
// every match (4,000–8,000 rows read, 175–300 ms) where the newest
// 2,600 documents held the walk (bench/README.md section 7).
const firstWindow = 16000

// walkedDoc is a document a walk read.
type walkedDoc struct {
	PostID   string  `bun:"post_id"`
	Language string  `bun:"language"`
	Score    float64 `bun:"score"`
}

// walkFrom narrows a walk: to the documents holding the terms of the
// tsquery holding, and before the post before (a page's cursor). With
// alone, holding matches the query too and is tested without it (a
// level written word by word, search_level.go).
type walkFrom struct {
	holding, before string
	alone           bool
}

// walkNewest is the newest limit matches of q in class c (narrowed by
// from): those among the window newest documents when they are enough
// (read in two parts, below), then the older ones a span of time at a
// time (search_walk_rest.go); with window 0, all of them as the planner
// chooses (the GIN index, mostly). A window costs 7–22 ms at load 11 for
// 16,000 documents, wasted when it holds too few: matches holding more
// terms are often rare (then the GIN index reads a few, 2 ms), so
// findRelevantFirst walks a level through the window only when the level
// before suggests it is dense.
func (s *Store) walkNewest(ctx context.Context, q search.PostQuery, c walkClass, from walkFrom, limit, window int) ([]walkedDoc, error) {
	// scan is the newest n matches among docs before the post before.
	scan := func(docs *bun.SelectQuery, before string, n int, indexed bool) ([]walkedDoc, error) {
		var rows []walkedDoc
		if err := s.walkScan(q, c, from, docs, before, n, indexed).Scan(ctx, &rows); err != nil {
			return nil, dbErr("find posts: walk the matches", err)
		}
		return rows, nil
	}
	all := s.db.NewSelect().TableExpr("search_docs")
	if window == 0 {
		return scan(all, from.before, limit, true)
	}
	recent := func(before string, n int) *bun.SelectQuery {
		sel := s.db.NewSelect().TableExpr("search_docs").Column("post_id", "language", "tsv").
			OrderExpr("post_id DESC").Limit(int64(n))
		if before != "" {
			sel = sel.Where("post_id < ?", before)
		}
		return sel
	}
	// The window is read in two parts: the first eighth, then the rest
	// from where the first ended, unless the first's matches are too
	// sparse to fill the walk in half the window (then the rest would
	// likely be read for nothing). Broad queries fill a walk within the
	// first part: a 16,000-document window cost 8.4 ms a walk whatever
	// the query (bench/README.md section 7, fifth pass).
	first := max(1, window/8)
	rows, err := scan(recent(from.before, first), "", limit, false)
	if err != nil || len(rows) == limit {
		return rows, err
	}
	// The oldest document of the first part, matching or not (every
	// match newer than it is in rows), and the newest document: the time
	// between them says how dense the matches are, for the rest below.
	var edge []struct {
		PostID string `bun:"post_id"`
		Newest string `bun:"newest"`
	}
	newest := s.db.NewSelect().TableExpr("search_docs").ColumnExpr("max(post_id)")
	sel := s.db.NewSelect().TableExpr("search_docs").Column("post_id").
		OrderExpr("post_id DESC").Offset(int64(first - 1)).Limit(1)
	if from.before != "" {
		sel = sel.Where("post_id < ?", from.before)
		newest = newest.Where("post_id < ?", from.before)
	}
	if err := sel.ColumnExpr("(?) AS newest", newest).Scan(ctx, &edge); err != nil {
		return nil, dbErr("find posts: walk the matches", err)
	}
	if len(edge) == 0 {
		return rows, nil // the first part held every document: every match
	}
	before := edge[0].PostID
	if first < window && len(rows)*window >= 2*limit*first {
		more, err := scan(recent(before, window-first), "", limit-len(rows), false)
		if err != nil || len(rows)+len(more) == limit {
			return append(rows, more...), err
		}
		rows = append(rows, more...)
		if len(more) > 0 {
			// Every match newer than the oldest found is in rows: the
			// rest is older (the documents between it and the window's
			// end are read again, rarely: a walk that reaches here is
			// dense enough to fill in the window, mostly).
			before = more[len(more)-1].PostID
		}
	}
	// The rest of the matches, older than those walked: a span of time at
	// a time while the window's density says one should hold them, then
	// all of them (search_walk_rest.go). A level's matches holding more
	// terms go by spans only when the window found some: a span tests
	// the terms on each of its matches, which costs pages where they are
	// rare.
	var spans []string
	if from.holding == "" || len(rows) > 0 {
		spans = restSpans(edge[0].Newest, before, len(rows), limit)
	}
	until := ""
	for _, since := range spans {
		span := idSpan{since: since, until: until}
		more, err := scan(classMatches(s.db, q, c, from, span, before), before, limit-len(rows), false)
		if err != nil || len(rows)+len(more) == limit {
			return append(rows, more...), err
		}
		rows = append(rows, more...)
		until = since
	}
	more, err := scan(classMatches(s.db, q, c, from, idSpan{until: until}, before), before, limit-len(rows), false)
	return append(rows, more...), err
}

// walkScan selects the newest n matches of q in class c (narrowed by
// from's holding, not its before) among docs, before the post before:
// through the GIN index when docs is search_docs itself (indexed), else
// tested on each of docs' rows.
func (s *Store) walkScan(q search.PostQuery, c walkClass, from walkFrom, docs *bun.SelectQuery, before string, n int, indexed bool) *bun.SelectQuery {
	rank, args := rankExpr(true, q.Parsed)
	sel := s.db.NewSelect().TableExpr("(?) AS d", docs).ColumnExpr("d.post_id, d.language").
		ColumnExpr(rank+" AS score", args...)
	if !from.alone {
		sel = sel.Where("d.tsv @@ ?::tsquery", q.Parsed.TSQuery())
	}
	if holding := from.holding; holding != "" {
		if indexed && c.other {
			// A level of the other languages through the GIN index:
			// without the reader's language (search_terms_pg.go).
			holding = c.leaveOutLanguage(holding)
		}
		sel = sel.Where("d.tsv @@ ?::tsquery", holding)
	}
	sel = c.where(sel)
	if before != "" {
		sel = sel.Where("d.post_id < ?", before)
	}
	return sel.OrderExpr("d.post_id DESC").Limit(int64(n))
}

// leastFor is L for a class's worst hit m, raised at most by b: the
// least number of terms whose rank, so raised, is above m (ranks[c] the
// rank of c terms; len(ranks) when none is).
func leastFor(ranks []float64, m, b float64) int {
	least := 1
	for least < len(ranks) && ranks[least]*b <= m {
		least++
	}
	return least
}
