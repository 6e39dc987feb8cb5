package storage

import (
	"context"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/search"
)

// The joined statements a PostgreSQL search runs after its walks (the
// walked documents ranked, or read newest first, with their posts,
// visibility and filters) are prepared, their values bound. pgdriver
// sends a bun statement as a simple query with its arguments written in,
// so PostgreSQL parsed and planned it anew each time: the ranking
// statement's seven tables and two anti-joins cost 1.2–3 ms of planning
// on a quiet machine, more than its execution (EXPLAIN ANALYZE,
// bench/README.md section 7). A prepared statement is planned for its
// values five times, then PostgreSQL keeps one generic plan when that
// is estimated to cost no more than theirs did, planning included: these
// statements select their documents by the walked ids (search_docs_pkey,
// a few dozen rows) whatever the query's words, and on the
// 1,000,000-post corpus the generic plan is chosen (0.1 ms of planning).
// TestSearchPreparedPlan checks that both plans read the ids.
//
// The walks themselves stay simple queries: their plan depends on the
// query's words (the window, the GIN index or search_docs_pkey
// backwards), which a generic plan cannot see.

// argFunc places a value in a statement: inline lets bun write it in,
// params.arg binds it to a numbered placeholder.
type argFunc func(v any) any

// inline is the value itself, for bun to write.
func inline(v any) any { return v }

// params are a prepared statement's values, in their placeholders' order.
type params struct{ args []any }

// arg binds v to the next placeholder ($1, $2…: PostgreSQL's, so the
// order of the clauses in the text does not matter).
func (p *params) arg(v any) any {
	p.args = append(p.args, v)
	return bun.Safe("$" + strconv.Itoa(len(p.args)))
}

// textArray is ids as a PostgreSQL text[] literal, for a bound
// ANY($n::text[]): one statement whatever the number of ids.
func textArray(ids []string) string {
	quote := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	var b strings.Builder
	b.WriteByte('{')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(quote.Replace(id))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// selectBound runs sel (its values bound by p) as a prepared read,
// scanning its rows into dest. The statement is named by its text: the
// filters q sets shape it, and each shape is prepared once per
// connection.
func (s *Store) selectBound(ctx context.Context, sel *bun.SelectQuery, p *params, dest any) error {
	text := sel.String()
	return s.queryPrepared(ctx, "search: "+text, func(bun.IDB) bun.Query { return sel },
		func(bun.IDB) string { return text }, dest, p.args...)
}

// walkedMatch is the match of a walked document, tested on its row
// only: written as a plain condition, the planner ANDed the GIN index's
// bitmap of every match with the ids' (4–5 ms for "compras lajoía"'s
// 1,715 matches, for 22 documents), with the query's words written in
// as with them bound.
const walkedMatch = "(d.tsv @@ ?::tsquery) IS TRUE"

// rankedWalked is rankedPage over the walked documents and q's exact
// titles, matching q, the first limit of them (q's offset ignored), as
// one prepared statement.
func (s *Store) rankedWalked(ctx context.Context, q search.PostQuery, walked []string, limit int) ([]rankedHit, error) {
	sel, p := rankedWalkedQuery(s.db, q, walked, limit)
	var rows []rankedHit
	if err := s.selectBound(ctx, sel, p, &rows); err != nil {
		return nil, dbErr("find posts: rank the walked", err)
	}
	q.Offset, q.Limit = 0, limit
	markHits(rows, q)
	sortHits(rows)
	return rows, nil
}

// rankedWalkedQuery is rankedWalked's statement and its values.
func rankedWalkedQuery(db bun.IDB, q search.PostQuery, walked []string, limit int) (*bun.SelectQuery, *params) {
	p := &params{}
	docs := db.NewSelect().TableExpr("search_docs AS d").Where(walkedMatch, p.arg(q.Parsed.TSQuery())).
		WhereGroup(" AND ", func(sel *bun.SelectQuery) *bun.SelectQuery {
			sel = sel.Where("d.post_id = ANY(?::text[])", p.arg(textArray(walked)))
			if q.Parsed.Key != "" {
				sel = sel.WhereOr("(d.title_key = ? AND d.title_key <> '')", p.arg(q.Parsed.Key))
			}
			return sel
		})
	q.Offset, q.Limit = 0, limit
	return rankedQuery(db, q, docs, p.arg), p
}
