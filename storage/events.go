package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
)

type eventRow struct {
	bun.BaseModel `bun:"table:events"`
	ID            string    `bun:"id,pk"`
	Kind          string    `bun:"kind"`
	ActorID       string    `bun:"actor_id"`
	ForumID       string    `bun:"forum_id"`
	ThreadID      string    `bun:"thread_id"`
	PostID        string    `bun:"post_id"`
	MemberID      string    `bun:"member_id"`
	ReceivedID    string    `bun:"received_id"`
	ReportID      string    `bun:"report_id"`
	CreatedAt     time.Time `bun:"created_at"`
	// Set by the publisher when it parks the event (inserted empty).
	PublishRetryAt  *time.Time `bun:"publish_retry_at"`
	PublishAttempts int        `bun:"publish_attempts,notnull"`
	PublishError    string     `bun:"publish_error,notnull"`
}

// AppendEvent adds to the event log, in the caller's transaction when
// called on one; ErrConflict if the ID is taken.
func (s *Store) AppendEvent(ctx context.Context, e *forum.Event) error {
	row := &eventRow{ID: e.ID, Kind: string(e.Kind), ActorID: e.ActorID, ForumID: e.ForumID,
		ThreadID: e.ThreadID, PostID: e.PostID, MemberID: e.MemberID, ReceivedID: e.ReceivedID, ReportID: e.ReportID, CreatedAt: utc(e.CreatedAt)}
	_, err := s.insertPrepared(ctx, "insert event", row) // every change appends one: prepared
	return dbErr("append event", err)
}

// ListEvents lists events with ID > afterID ("" for the first), oldest
// first.
func (s *Store) ListEvents(ctx context.Context, afterID forum.ID, limit int) ([]*forum.Event, error) {
	// Read by the notification deriver for every event: prepared, one
	// statement per page size.
	var rows []eventRow
	err := s.selectPrepared(ctx, fmt.Sprintf("list events (limit %d)", limit), &rows, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("id > ?", bun.Safe("?")).OrderExpr("id ASC").Limit(int64(limit))
	}, afterID)
	if err != nil {
		return nil, dbErr("list events", err)
	}
	out := make([]*forum.Event, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out, nil
}

// ListEventIDs lists the IDs of the events with ID > afterID, in order
// (the primary key's index alone).
func (s *Store) ListEventIDs(ctx context.Context, afterID forum.ID, limit int) ([]forum.ID, error) {
	var ids []forum.ID
	err := s.db.NewSelect().Table("events").Column("id").Where("id > ?", afterID).OrderExpr("id ASC").
		Limit(int64(limit)).Scan(ctx, &ids)
	if err != nil {
		return nil, dbErr("list event ids", err)
	}
	return ids, nil
}

func (r *eventRow) event() *forum.Event {
	return &forum.Event{ID: r.ID, Kind: forum.EventKind(r.Kind), ActorID: r.ActorID, ForumID: r.ForumID,
		ThreadID: r.ThreadID, PostID: r.PostID, MemberID: r.MemberID, ReceivedID: r.ReceivedID, ReportID: r.ReportID, CreatedAt: r.CreatedAt.UTC()}
}

// UnpublishedEvents lists the events federation has not published yet,
// oldest first, but those it parked.
func (s *Store) UnpublishedEvents(ctx context.Context, limit int) ([]*forum.Event, error) {
	// The publisher's wake-up: prepared, one statement per batch size.
	var rows []eventRow
	err := s.selectPrepared(ctx, fmt.Sprintf("unpublished events (limit %d)", limit), &rows, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("published_at IS NULL").Where("publish_retry_at IS NULL").OrderExpr("id ASC").Limit(int64(limit))
	})
	if err != nil {
		return nil, dbErr("list unpublished events", err)
	}
	out := make([]*forum.Event, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out, nil
}

// MarkEventPublished records that federation has published an event, in
// the caller's transaction when called on one.
func (s *Store) MarkEventPublished(ctx context.Context, id forum.ID, at time.Time) error {
	// A parked event's last reason goes: publish_error stays only on
	// events given up.
	_, err := s.db.NewUpdate().Table("events").Set("published_at = ?", utc(at)).Set("publish_error = ''").
		Where("id = ?", id).Exec(ctx)
	return dbErr("mark event published", err)
}

// ParkedEvents lists the unpublished events the publisher parked, by id
// after afterID ("" for the first).
func (s *Store) ParkedEvents(ctx context.Context, afterID forum.ID, limit int) ([]*federation.ParkedEvent, error) {
	var rows []eventRow
	err := s.db.NewSelect().Model(&rows).Where("published_at IS NULL").Where("publish_retry_at IS NOT NULL").
		Where("id > ?", afterID).OrderExpr("id ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbErr("list parked events", err)
	}
	out := make([]*federation.ParkedEvent, len(rows))
	for i, r := range rows {
		out[i] = &federation.ParkedEvent{Event: r.event(), Attempts: r.PublishAttempts, Reason: r.PublishError}
		if r.PublishRetryAt != nil {
			out[i].RetryAt = r.PublishRetryAt.UTC()
		}
	}
	return out, nil
}

// ParkEvent sets an unpublished event aside until retryAt.
func (s *Store) ParkEvent(ctx context.Context, id forum.ID, retryAt time.Time, attempts int, reason string) error {
	_, err := s.db.NewUpdate().Table("events").Set("publish_retry_at = ?", utc(retryAt)).Set("publish_attempts = ?", attempts).
		Set("publish_error = ?", reason).Where("id = ?", id).Where("published_at IS NULL").Exec(ctx)
	return dbErr("park event", err)
}

// GiveUpEvent marks an event published without publishing it; reason
// stays on it.
func (s *Store) GiveUpEvent(ctx context.Context, id forum.ID, at time.Time, reason string) error {
	_, err := s.db.NewUpdate().Table("events").Set("published_at = ?", utc(at)).Set("publish_error = ?", reason).
		Where("id = ?", id).Exec(ctx)
	return dbErr("give up event", err)
}

// PublisherStats counts the events the publisher has parked (a recipient
// not resolved yet) and those it gave up, for the operator.
func (s *Store) PublisherStats(ctx context.Context) (parked, givenUp int, err error) {
	p, err := s.db.NewSelect().Table("events").Where("published_at IS NULL").Where("publish_retry_at IS NOT NULL").Count(ctx)
	if err != nil {
		return 0, 0, dbErr("count parked events", err)
	}
	g, err := s.db.NewSelect().Table("events").Where("published_at IS NOT NULL").Where("publish_error <> ''").Count(ctx)
	if err != nil {
		return 0, 0, dbErr("count events given up", err)
	}
	return int(p), int(g), nil
}
