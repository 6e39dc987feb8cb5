package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
)

type inboxRow struct {
	bun.BaseModel `bun:"table:inbox_items"`
	ID            string     `bun:"id,pk"`
	ActivityID    string     `bun:"activity_id"`
	ActorURI      string     `bun:"actor_uri"`
	Body          []byte     `bun:"body"`
	ReceivedAt    time.Time  `bun:"received_at"`
	Attempts      int        `bun:"attempts"`
	NextAttemptAt time.Time  `bun:"next_attempt_at"`
	LeaseUntil    *time.Time `bun:"lease_until"` // set while a worker holds the item
	ProcessedAt   *time.Time `bun:"processed_at"`
	FailedAt      *time.Time `bun:"failed_at"`
	LastError     string     `bun:"last_error"`
}

func (r *inboxRow) toFederation() *federation.InboxItem {
	return &federation.InboxItem{ID: r.ID, ActivityID: r.ActivityID, ActorURI: r.ActorURI, Body: nilIfEmpty(r.Body),
		ReceivedAt: r.ReceivedAt.UTC(), Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt.UTC(),
		ProcessedAt: utcPtr(r.ProcessedAt), FailedAt: utcPtr(r.FailedAt), LastError: r.LastError}
}

// AddInboxItem stores a received activity; ErrConflict when its activity
// ID (or its ID) was seen before. A duplicate activity ID does not abort
// the caller's transaction (ON CONFLICT DO NOTHING, then a row count).
func (s *Store) AddInboxItem(ctx context.Context, it *federation.InboxItem) error {
	row := &inboxRow{ID: it.ID, ActivityID: it.ActivityID, ActorURI: it.ActorURI, Body: nonNil(it.Body),
		ReceivedAt: utc(it.ReceivedAt), Attempts: it.Attempts, NextAttemptAt: utc(it.NextAttemptAt),
		ProcessedAt: utcPtr(it.ProcessedAt), FailedAt: utcPtr(it.FailedAt), LastError: it.LastError}
	// Every accepted activity: prepared. Without bun's RETURNING NULL: bun
	// counted the rows it returned, the driver counts the rows changed,
	// which SQLite gives only once the statement is done (a RETURNING
	// statement's first step returns a row before).
	res, err := s.insertPreparedThen(ctx, "add inbox item", row, " ON CONFLICT (activity_id) DO NOTHING")
	if err != nil {
		return dbErr("add inbox item", err)
	}
	if err := affected("add inbox item", res); err != nil {
		return fmt.Errorf("add inbox item: activity %s seen before: %w", it.ActivityID, forum.ErrConflict)
	}
	return nil
}

// InboxItem returns a received activity by its item ID.
func (s *Store) InboxItem(ctx context.Context, id forum.ID) (*federation.InboxItem, error) {
	// The publisher reads every received post's item: prepared.
	var rows []inboxRow
	err := s.selectPrepared(ctx, "inbox item", &rows, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("id = ?", bun.Safe("?"))
	}, id)
	if err != nil {
		return nil, dbErr("inbox item", err)
	}
	if len(rows) == 0 {
		return nil, dbErr("inbox item", sql.ErrNoRows)
	}
	return rows[0].toFederation(), nil
}

// ClaimInboxItems leases up to limit items that are neither processed nor
// failed, due at now (NextAttemptAt <= now) and not leased (or whose lease
// has expired), by NextAttemptAt then ID. Their lease ends at now+lease: a
// worker that dies leaves them to be claimed again then.
func (s *Store) ClaimInboxItems(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*federation.InboxItem, error) {
	if limit <= 0 {
		return []*federation.InboxItem{}, nil
	}
	now = utc(now)
	until := now.Add(lease)
	var out []*federation.InboxItem
	err := s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		rows, err := tx.claimableInboxItems(ctx, now, limit)
		if err != nil {
			return err
		}
		out = make([]*federation.InboxItem, len(rows))
		if len(rows) == 0 {
			return nil
		}
		ids := make([]string, len(rows))
		for i := range rows {
			ids[i] = rows[i].ID
			out[i] = rows[i].toFederation()
		}
		_, err = tx.db.NewUpdate().Model((*inboxRow)(nil)).Set("lease_until = ?", until).
			Where("id IN (?)", bun.List(ids)).Exec(ctx)
		return dbErr("lease inbox items", err)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// claimableInboxItems reads, locked for the claim, up to limit items due
// at now and not leased. Every inbox batch starts here: prepared, one
// statement per batch size.
func (s *Store) claimableInboxItems(ctx context.Context, now time.Time, limit int) ([]inboxRow, error) {
	var rows []inboxRow
	err := s.selectPrepared(ctx, fmt.Sprintf("claim inbox items (limit %d)", limit), &rows, func(q *bun.SelectQuery) *bun.SelectQuery {
		return lockForClaim(q.Where("processed_at IS NULL").Where("failed_at IS NULL").
			Where("next_attempt_at <= ?", bun.Safe("?")).Where("(lease_until IS NULL OR lease_until < ?)", bun.Safe("?")).
			OrderExpr("next_attempt_at ASC, id ASC").Limit(int64(limit)))
	}, now, now)
	return rows, dbErr("claim inbox items", err)
}

func inboxItemsTable(db bun.IDB) bun.Query { return db.NewUpdate().Model((*inboxRow)(nil)) }

// FinishInboxItem marks an item processed at at and releases its lease.
func (s *Store) FinishInboxItem(ctx context.Context, id forum.ID, at time.Time) error {
	// Every received activity ends here: prepared.
	res, err := s.execPrepared(ctx, "finish inbox item", inboxItemsTable, func(db bun.IDB) string {
		return db.NewUpdate().Model((*inboxRow)(nil)).
			Set("processed_at = ?", bun.Safe("?")).Set("lease_until = NULL").Where("id = ?", bun.Safe("?")).String()
	}, utc(at), id)
	if err != nil {
		return dbErr("finish inbox item", err)
	}
	return affected("finish inbox item", res)
}

// FinishInboxItems marks items processed at at and releases their leases,
// in one statement: a batch of received activities records its items'
// outcomes with one round trip rather than one per item. ErrNotFound when
// any of them is not there.
func (s *Store) FinishInboxItems(ctx context.Context, ids []forum.ID, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	res, err := s.db.NewUpdate().Model((*inboxRow)(nil)).Set("processed_at = ?", utc(at)).Set("lease_until = NULL").
		Where("id IN (?)", bun.List(ids)).Exec(ctx)
	if err != nil {
		return dbErr("finish inbox items", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return dbErr("finish inbox items", err)
	}
	if int(n) != len(ids) {
		return fmt.Errorf("finish inbox items: %d of %d found: %w", n, len(ids), forum.ErrNotFound)
	}
	return nil
}

// RenewInboxLeases moves the leases of the given items, still held by a
// worker, to until. Items finished meanwhile are left alone.
func (s *Store) RenewInboxLeases(ctx context.Context, ids []forum.ID, until time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.db.NewUpdate().Model((*inboxRow)(nil)).Set("lease_until = ?", utc(until)).
		Where("id IN (?)", bun.List(ids)).Where("processed_at IS NULL").Where("failed_at IS NULL").Exec(ctx)
	return dbErr("renew inbox leases", err)
}

// ReleaseInboxItems ends the leases of the given items without counting an
// attempt.
func (s *Store) ReleaseInboxItems(ctx context.Context, ids []forum.ID) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.db.NewUpdate().Model((*inboxRow)(nil)).Set("lease_until = NULL").
		Where("id IN (?)", bun.List(ids)).Exec(ctx)
	return dbErr("release inbox items", err)
}

// RetryInboxItem counts a failed attempt, records errText, schedules the
// next attempt at next and releases the lease.
func (s *Store) RetryInboxItem(ctx context.Context, id forum.ID, next time.Time, errText string) error {
	res, err := s.db.NewUpdate().Model((*inboxRow)(nil)).
		Set("attempts = attempts + 1").Set("next_attempt_at = ?", utc(next)).Set("last_error = ?", errText).
		Set("lease_until = NULL").Where("id = ?", id).Exec(ctx)
	if err != nil {
		return dbErr("retry inbox item", err)
	}
	return affected("retry inbox item", res)
}

// FailInboxItem gives up on an item at at, keeping it with errText.
func (s *Store) FailInboxItem(ctx context.Context, id forum.ID, at time.Time, errText string) error {
	res, err := s.db.NewUpdate().Model((*inboxRow)(nil)).
		Set("failed_at = ?", utc(at)).Set("last_error = ?", errText).Set("lease_until = NULL").
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return dbErr("fail inbox item", err)
	}
	return affected("fail inbox item", res)
}

// CountInbox counts the items still to process (leased or not) and those
// given up.
func (s *Store) CountInbox(ctx context.Context) (pending, failed int, err error) {
	p, err := s.db.NewSelect().Model((*inboxRow)(nil)).
		Where("processed_at IS NULL").Where("failed_at IS NULL").Count(ctx)
	if err != nil {
		return 0, 0, dbErr("count inbox", err)
	}
	f, err := s.db.NewSelect().Model((*inboxRow)(nil)).Where("failed_at IS NOT NULL").Count(ctx)
	if err != nil {
		return 0, 0, dbErr("count inbox", err)
	}
	return int(p), int(f), nil
}

type outboxRow struct {
	bun.BaseModel `bun:"table:outbox_activities"`
	ID            string    `bun:"id,pk"`
	URI           string    `bun:"uri"`
	ActorURI      string    `bun:"actor_uri"`
	Type          string    `bun:"type"`
	ObjectURI     string    `bun:"object_uri"`
	Body          []byte    `bun:"body"`
	Public        bool      `bun:"public"`
	CreatedAt     time.Time `bun:"created_at"`
}

func (r *outboxRow) toFederation() *federation.OutboxActivity {
	return &federation.OutboxActivity{ID: r.ID, URI: r.URI, ActorURI: r.ActorURI, Type: r.Type,
		ObjectURI: r.ObjectURI, Body: nilIfEmpty(r.Body), Public: r.Public, CreatedAt: r.CreatedAt.UTC()}
}

// AddOutboxActivity stores a published activity; ErrConflict on a known
// URI or ID.
func (s *Store) AddOutboxActivity(ctx context.Context, a *federation.OutboxActivity) error {
	row := &outboxRow{ID: a.ID, URI: a.URI, ActorURI: a.ActorURI, Type: a.Type, ObjectURI: a.ObjectURI,
		Body: nonNil(a.Body), Public: a.Public, CreatedAt: utc(a.CreatedAt)}
	_, err := s.db.NewInsert().Model(row).Exec(ctx)
	return dbErr("add outbox activity", err)
}

// OutboxActivity returns a published activity by ID.
func (s *Store) OutboxActivity(ctx context.Context, id forum.ID) (*federation.OutboxActivity, error) {
	return s.oneOutbox(ctx, "outbox activity", "id = ?", id)
}

// OutboxActivityByURI returns a published activity by its ActivityPub id.
func (s *Store) OutboxActivityByURI(ctx context.Context, uri string) (*federation.OutboxActivity, error) {
	return s.oneOutbox(ctx, "outbox activity by uri", "uri = ?", uri)
}

// oneOutbox reads the activity where holds (what names the statement,
// prepared: the delivery runner reads one for every delivery it sends).
func (s *Store) oneOutbox(ctx context.Context, what, where string, arg any) (*federation.OutboxActivity, error) {
	var rows []outboxRow
	err := s.selectPrepared(ctx, what, &rows, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where(where, bun.Safe("?"))
	}, arg)
	if err != nil {
		return nil, dbErr(what, err)
	}
	if len(rows) == 0 {
		return nil, dbErr(what, sql.ErrNoRows)
	}
	return rows[0].toFederation(), nil
}

// ListOutbox lists actorURI's public activities newest first, before
// beforeID ("" for the newest).
func (s *Store) ListOutbox(ctx context.Context, actorURI string, beforeID forum.ID, limit int) ([]*federation.OutboxActivity, error) {
	var rows []outboxRow
	q := s.db.NewSelect().Model(&rows).Where("actor_uri = ?", actorURI).Where("public = ?", true).
		OrderExpr("id DESC").Limit(int64(limit))
	if beforeID != "" {
		q = q.Where("id < ?", beforeID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbErr("list outbox", err)
	}
	out := make([]*federation.OutboxActivity, len(rows))
	for i := range rows {
		out[i] = rows[i].toFederation()
	}
	return out, nil
}

// CountOutbox counts actorURI's public activities.
func (s *Store) CountOutbox(ctx context.Context, actorURI string) (int, error) {
	n, err := s.db.NewSelect().Model((*outboxRow)(nil)).
		Where("actor_uri = ?", actorURI).Where("public = ?", true).Count(ctx)
	return int(n), dbErr("count outbox", err)
}
