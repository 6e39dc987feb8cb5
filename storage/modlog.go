package storage

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
)

// ListModerationEvents lists events of kinds before beforeID ("" for the
// newest), newest first. A deletion whose actor wrote the post (a member
// removing their own answer or question) is not moderation and is left out.
func (s *Store) ListModerationEvents(ctx context.Context, kinds []forum.EventKind, beforeID forum.ID, limit int) ([]*forum.Event, error) {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	var rows []eventRow
	q := s.db.NewSelect().Model(&rows).
		Join("LEFT JOIN posts AS p ON p.id = event_row.post_id").
		Where("event_row.kind IN (?)", bun.List(names)).
		Where("(event_row.kind NOT IN (?, ?) OR p.author_id IS NULL OR p.author_id <> event_row.actor_id)",
			string(forum.EventPostDeleted), string(forum.EventThreadDeleted)).
		OrderExpr("event_row.id DESC").Limit(int64(limit))
	if beforeID != "" {
		q = q.Where("event_row.id < ?", beforeID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbErr("list moderation events", err)
	}
	out := make([]*forum.Event, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out, nil
}
