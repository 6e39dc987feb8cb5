package storage

import (
	"strings"

	"github.com/oklog/ulid/v2"
	"github.com/uptrace/bun"

	"github.com/metropolis/agora/search"
)

// The rest of a walk on PostgreSQL: the matches older than the window of
// newest documents a walk read first (walkNewest), when the window held
// fewer than it wants. Two ways read them, and both cost far more than
// the few rows wanted. search_docs_pkey backwards tests every document
// until enough match: 31,576 of them (109 ms) for 11 rows of a query
// matching 633 of 1,000,000 documents, the planner's choice (it takes
// the matches for evenly spread and the test for cheap). The GIN index
// finds every match, and each is read from its own heap page, out of
// order: 2,596 pages (100–130 ms with the pages out of memory) for 18
// rows of a query matching 2,596 (bench/README.md section 7, eighth
// pass).
//
// So the rest is read a span of time at a time, newest first: the
// matches in the span, found by the GIN index and the BRIN index on the
// ids' time (migration 20261209100000) together, the planner ANDing
// their bitmaps, so only the pages of the span's matches are read. A
// post's id is a ULID (forum/ids.go) whose first 10 characters are its
// time, and search documents are mostly stored in that order, so the
// table's pages are too and a span of time is a run of pages. (A post
// stored long after its time, received late or imported, widens its page
// range's bounds: the range is read for more spans, which costs pages,
// never rows.) A span is bounded by the ids' time prefix, the BRIN
// index's expression, on both ends: the spans partition the older
// matches whatever the database's collation makes of an id's other
// characters.
//
// The window measures the density: found matches since its newest
// document, over the time back to the oldest it read. The first span is
// the time that density needs for twice the matches still wanted, each
// next one reaches four times as far back; past the last, every older
// match is read through the GIN index alone, sparse by then.

// idTimeLen is how many characters of a ULID hold its time (48 bits).
const idTimeLen = 10

// idTimeExpr is the time prefix of a search document's id (d), as the
// BRIN index's expression is written (migration 20261209100000): the
// planner uses the index for this expression only.
const idTimeExpr = "left(d.post_id, 10)"

// restSpanCount is how many spans a walk's rest is read in before all
// that is left.
const restSpanCount = 3

// restSpans are the lower bounds of the spans of time the rest of a
// walk is read in, newest first, as id time prefixes: the window found
// found matches (of limit wanted) between the documents newest and
// oldest. A window that found none is taken for one that found one (the
// densest it can be): matches as sparse as that were read all at once,
// 100 to 3,400 pages (median 212, up to 43 ms) for 23 rows. None when
// the ids hold no time to go by.
func restSpans(newest, oldest string, found, limit int) []string {
	if found >= limit {
		return nil
	}
	tNew, ok := idMillis(newest)
	if !ok {
		return nil
	}
	tOld, ok := idMillis(oldest)
	if !ok || tNew <= tOld {
		return nil
	}
	unit := float64(tNew-tOld) * float64(limit-found) / float64(max(found, 1))
	var since []string
	// The spans reach 2, 8 and 32 units back from the window's oldest.
	for g := 2.0; len(since) < restSpanCount; g *= 4 {
		at := float64(tOld) - g*unit
		if at < 1 {
			break // before the ids' first millisecond: the rest is all
		}
		since = append(since, idTimePrefix(uint64(at)))
	}
	return since
}

// idMillis is the time in id, a lowercase ULID, in milliseconds since
// 1970.
func idMillis(id string) (uint64, bool) {
	u, err := ulid.ParseStrict(strings.ToUpper(id))
	if err != nil {
		return 0, false
	}
	return u.Time(), true
}

// idTimePrefix is the first idTimeLen characters of the ids of the time
// ms (before ULID's last millisecond, as ms is here: earlier than an id).
func idTimePrefix(ms uint64) string {
	var u ulid.ULID
	_ = u.SetTime(min(ms, ulid.MaxTime()))
	return strings.ToLower(u.String()[:idTimeLen])
}

// idSpan bounds a read of the rest by the ids' time prefix: at or after
// since, before until ("" for no bound).
type idSpan struct{ since, until string }

// classMatches are the matches of class c (holding the terms of from's
// tsquery holding, if any) in span and before the post before, for the
// rest of a walk. Behind OFFSET 0, the walk's ORDER BY and LIMIT do not
// reach them, so the planner does not walk search_docs_pkey backwards
// testing each document: it reads the matches through the GIN index (and
// the BRIN index on the ids' time, for a span), then sorts them. Walking
// the key, it expected the language's share of the matches to come soon;
// when the words are of another language than the class's (a Spanish
// reader searching English words) few or none do, and that read the
// whole table: 1.2–2.2 s (bench/README.md section 7, sixth pass).
func classMatches(db bun.IDB, q search.PostQuery, c walkClass, from walkFrom, span idSpan, before string) *bun.SelectQuery {
	sel := c.where(db.NewSelect().TableExpr("search_docs AS d").Column("d.post_id", "d.language", "d.tsv"))
	holding := from.holding
	switch {
	case holding != "" && span.since != "":
		// The query's terms find the span's matches (with the BRIN
		// index); the level's are tested on them.
		sel = sel.Where("d.tsv @@ ?::tsquery", q.Parsed.TSQuery())
		// Tested on the span's matches, not through the GIN index: the
		// planner takes such a tsquery's matches for a few and then does
		// not AND the BRIN index, reading the pages of every match
		// holding the terms (1,853 pages, 87 ms, for 20 rows). A level
		// is read in spans when its window found it dense.
		sel = sel.Where("(d.tsv @@ ?::tsquery) IS TRUE", holding)
	case holding != "" && from.alone:
		sel = sel.Where("d.tsv @@ ?::tsquery", holding)
	case holding != "":
		sel = sel.Where("d.tsv @@ ?::tsquery", q.Parsed.TSQuery()).Where("d.tsv @@ ?::tsquery", holding)
	default:
		sel = sel.Where("d.tsv @@ ?::tsquery", q.Parsed.TSQuery())
	}
	if span.since != "" {
		sel = sel.Where(idTimeExpr+" >= ?", span.since)
	}
	if span.until != "" {
		sel = sel.Where(idTimeExpr+" < ?", span.until)
	}
	if before != "" {
		sel = sel.Where("d.post_id < ?", before)
	}
	return db.NewSelect().TableExpr("(? OFFSET 0) AS m", sel).ColumnExpr("m.*")
}
