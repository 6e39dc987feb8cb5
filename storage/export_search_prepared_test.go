package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/search"
)

// The bun statements the prepared search reads replaced
// (search_rank_prepared.go), kept here so that TestSearchPreparedRows
// compares what each returns.

// RankWalked is the walked documents ids and q's exact titles, ranked,
// the first limit of them (every column), by the prepared statement and
// by the bun statement it replaced.
func RankWalked(ctx context.Context, s *Store, q search.PostQuery, ids []string, limit int) (prepared, unprepared []string, err error) {
	hits, err := s.rankedWalked(ctx, q, ids, limit)
	if err != nil {
		return nil, nil, err
	}
	docs := s.db.NewSelect().TableExpr("search_docs AS d").Where("d.tsv @@ ?::tsquery", q.Parsed.TSQuery()).
		WhereGroup(" AND ", func(sel *bun.SelectQuery) *bun.SelectQuery {
			sel = sel.Where("d.post_id IN (?)", bun.List(ids))
			if q.Parsed.Key != "" {
				sel = sel.WhereOr("(d.title_key = ? AND d.title_key <> '')", q.Parsed.Key)
			}
			return sel
		})
	all := q
	all.Offset, all.Limit = 0, limit
	old, err := bunRankedPage(ctx, s, all, docs)
	return hitRows(hits), hitRows(old), err
}

// bunRankedPage is rankedPage as it was before rankedQuery: every value
// written in by bun.
func bunRankedPage(ctx context.Context, s *Store, q search.PostQuery, docs *bun.SelectQuery) ([]rankedHit, error) {
	rank, args := rankExpr(true, q.Parsed)
	matches := docs.ColumnExpr("d.post_id AS doc, d.title_key, p.id, p.language, "+rank+" AS score", args...).
		Join("JOIN posts AS p ON p.id = d.post_id")
	matches = postFilters(visiblePosts(matches, "JOIN"), q, inline)
	top := s.db.NewSelect().TableExpr("(? OFFSET 0) AS m", matches).ColumnExpr("m.doc, m.title_key, m.id, m.score").
		OrderExpr("(m.title_key = ? AND m.title_key <> '') DESC", q.Parsed.Key).
		OrderExpr("m.score * (CASE WHEN m.language = ? THEN ?::float8 ELSE 1 END) DESC", q.RankLanguage, rankBoost).
		OrderExpr("m.id DESC").Limit(int64(q.Offset + q.Limit))
	sel := s.db.NewSelect().TableExpr("(?) AS top", top).ColumnExpr(hitColumns).
		ColumnExpr("top.title_key, top.doc, top.score").
		Join("JOIN posts AS p ON p.id = top.id").Join("JOIN threads AS t ON t.id = p.thread_id")
	var rows []rankedHit
	if err := sel.Scan(ctx, &rows); err != nil {
		return nil, err
	}
	markHits(rows, q)
	sortHits(rows)
	return rows, nil
}

func hitRows(hits []rankedHit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, fmt.Sprintf("%s doc %s title %q score %g titled %v", rowText(h.searchHitRow), h.Doc, h.TitleKey, h.Score, h.titled))
	}
	return out
}

// NewestWalked is the first q.Limit of the walked documents ids, newest
// first (every column), by the prepared statement and by the bun
// statement it replaced.
func NewestWalked(ctx context.Context, s *Store, q search.PostQuery, ids []string) (prepared, unprepared []string, err error) {
	rows, err := s.newestWalked(ctx, q, ids)
	if err != nil {
		return nil, nil, err
	}
	// newestJoined's statement, as findNewestPG ran it on the walked ids.
	sel := s.db.NewSelect().TableExpr("search_docs AS d").Where("d.tsv @@ ?::tsquery", q.Parsed.TSQuery()).
		Where("d.post_id IN (?)", bun.List(ids)).
		ColumnExpr("p.id, p.thread_id, t.forum_id, p.author_id, t.title, p.language, p.html, p.parent_id").
		ColumnExpr("p.good_practice_at, p.created_at").
		Join("JOIN posts AS p ON p.id = d.post_id")
	sel = postFilters(visiblePosts(sel, "JOIN"), q, inline)
	if q.Before != "" {
		sel = sel.Where("p.id < ?", q.Before)
	}
	var old []searchHitRow
	err = sel.OrderExpr("p.id DESC").Limit(int64(q.Limit)).Scan(ctx, &old)
	for _, r := range rows {
		prepared = append(prepared, rowText(r))
	}
	for _, r := range old {
		unprepared = append(unprepared, rowText(r))
	}
	return prepared, unprepared, err
}

// rowText is every column of r (the good practice's time, not its
// pointer).
func rowText(r searchHitRow) string {
	gp := "none"
	if r.GoodPracticeAt != nil {
		gp = r.GoodPracticeAt.UTC().String()
	}
	at := r.CreatedAt
	r.GoodPracticeAt, r.CreatedAt = nil, time.Time{}
	return fmt.Sprintf("%+v good practice %s created %s", r, gp, at.UTC())
}

// WalkedPlans are PostgreSQL's plans of rankedWalked's statement for q,
// ids and limit, planned for its values (custom) and for any (generic),
// with sequential scans off (as on a large table: a test's tables are
// small enough to be read whole).
func WalkedPlans(ctx context.Context, s *Store, q search.PostQuery, ids []string, limit int) (plans []string, err error) {
	sel, p := rankedWalkedQuery(s.db, q, ids, limit)
	args := make([]any, len(p.args))
	marks := make([]string, len(p.args))
	for i, a := range p.args {
		if args[i], err = encodeArg(a); err != nil {
			return nil, err
		}
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	conn, err := s.root.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, "PREPARE walked_plan AS "+sel.String()); err != nil {
		return nil, err
	}
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), "DEALLOCATE walked_plan") }()
	for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		plan, err := explainWalked(ctx, tx, mode, strings.Join(marks, ", "), args)
		_ = tx.Rollback()
		if err != nil {
			return nil, err
		}
		plans = append(plans, plan)
	}
	return plans, nil
}

// explainWalked is the plan of walked_plan in mode (in tx, rolled back
// by the caller: its settings go with it).
func explainWalked(ctx context.Context, tx *sql.Tx, mode, marks string, args []any) (string, error) {
	if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off; SET LOCAL plan_cache_mode = "+mode); err != nil {
		return "", err
	}
	rows, err := tx.QueryContext(ctx, "EXPLAIN EXECUTE walked_plan("+marks+")", args...)
	if err != nil {
		return "", err
	}
	defer func() { _ = rows.Close() }()
	var lines []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return "", err
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n"), rows.Err()
}
