package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/federation"
)

type refusalRow struct {
	bun.BaseModel `bun:"table:inbox_refusals"`
	ID            string    `bun:"id,pk"`
	ItemID        string    `bun:"item_id"`
	ActivityID    string    `bun:"activity_id"`
	ActorURI      string    `bun:"actor_uri"`
	Host          string    `bun:"host"`
	Type          string    `bun:"type"`
	Reason        string    `bun:"reason"`
	Detail        string    `bun:"detail"`
	RefusedAt     time.Time `bun:"refused_at"`
}

func (r *refusalRow) toFederation() *federation.Refusal {
	return &federation.Refusal{ID: r.ID, ItemID: r.ItemID, ActivityID: r.ActivityID, ActorURI: r.ActorURI, Host: r.Host,
		Type: r.Type, Reason: r.Reason, Detail: r.Detail, RefusedAt: r.RefusedAt.UTC()}
}

// RefuseInboxItem fails the inbox item r.ItemID at r.RefusedAt (its
// last_error is r.Detail), records the refusal and drops all but the
// newest keep refusals, in one transaction. keep <= 0 keeps them all.
func (s *Store) RefuseInboxItem(ctx context.Context, r *federation.Refusal, keep int) error {
	at := utc(r.RefusedAt)
	row := &refusalRow{ID: r.ID, ItemID: r.ItemID, ActivityID: r.ActivityID, ActorURI: r.ActorURI, Host: r.Host,
		Type: r.Type, Reason: r.Reason, Detail: r.Detail, RefusedAt: at}
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.FailInboxItem(ctx, r.ItemID, at, r.Detail); err != nil {
			return fmt.Errorf("refuse inbox item: %w", err)
		}
		if _, err := tx.db.NewInsert().Model(row).Exec(ctx); err != nil {
			return dbErr("add inbox refusal", err)
		}
		if keep <= 0 {
			return nil
		}
		// The newest refusal past the bound: it and everything older go.
		// One row read through inbox_refusals_time_idx, whatever the size.
		var cut refusalRow
		err := tx.db.NewSelect().Model(&cut).Column("id", "refused_at").
			OrderExpr("refused_at DESC, id DESC").Offset(int64(keep)).Limit(1).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // within the bound
		} else if err != nil {
			return dbErr("find oldest inbox refusals", err)
		}
		_, err = tx.db.NewDelete().Model((*refusalRow)(nil)).
			Where("refused_at < ? OR (refused_at = ? AND id <= ?)", cut.RefusedAt, cut.RefusedAt, cut.ID).Exec(ctx)
		return dbErr("drop oldest inbox refusals", err)
	})
}

// ListRefusals lists the refusals q selects, newest first.
func (s *Store) ListRefusals(ctx context.Context, q federation.RefusalQuery) ([]*federation.Refusal, error) {
	var rows []refusalRow
	sel := refusalWhere(s.db.NewSelect().Model(&rows), q).OrderExpr("refused_at DESC, id DESC")
	if q.Limit > 0 {
		sel = sel.Limit(int64(q.Limit))
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, dbErr("list inbox refusals", err)
	}
	out := make([]*federation.Refusal, len(rows))
	for i := range rows {
		out[i] = rows[i].toFederation()
	}
	return out, nil
}

// CountRefusals counts the refusals q selects by reason.
func (s *Store) CountRefusals(ctx context.Context, q federation.RefusalQuery) (map[string]int, error) {
	var counts []struct {
		Reason string `bun:"reason"`
		N      int    `bun:"n"`
	}
	err := refusalWhere(s.db.NewSelect().Model((*refusalRow)(nil)), q).
		Column("reason").ColumnExpr("COUNT(*) AS n").Group("reason").Scan(ctx, &counts)
	if err != nil {
		return nil, dbErr("count inbox refusals", err)
	}
	out := make(map[string]int, len(counts))
	for _, c := range counts {
		out[c.Reason] = c.N
	}
	return out, nil
}

func refusalWhere(q *bun.SelectQuery, rq federation.RefusalQuery) *bun.SelectQuery {
	if rq.Reason != "" {
		q = q.Where("reason = ?", rq.Reason)
	}
	if rq.Host != "" {
		q = q.Where("host = ?", strings.ToLower(rq.Host))
	}
	return q
}
