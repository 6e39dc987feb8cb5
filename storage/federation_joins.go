package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
)

type joinJobRow struct {
	bun.BaseModel `bun:"table:join_jobs"`
	ID            string     `bun:"id,pk"`
	Target        string     `bun:"target"`
	RequestedBy   string     `bun:"requested_by"`
	State         string     `bun:"state"`
	ForumURI      string     `bun:"forum_uri"`
	ForumID       string     `bun:"forum_id"`
	Done          int        `bun:"done"`
	Total         int        `bun:"total"`
	Attempts      int        `bun:"attempts"`
	Error         string     `bun:"error"`
	Reason        string     `bun:"reason"`
	NextAttemptAt time.Time  `bun:"next_attempt_at"`
	LeaseHolder   string     `bun:"lease_holder"`
	LeaseUntil    *time.Time `bun:"lease_until"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
}

func joinJobRowOf(j *federation.JoinJob) *joinJobRow {
	return &joinJobRow{ID: j.ID, Target: j.Target, RequestedBy: j.RequestedBy, State: string(j.State), ForumURI: j.ForumURI,
		ForumID: j.ForumID, Done: j.Done, Total: j.Total, Attempts: j.Attempts, Error: j.Error, Reason: j.Reason,
		NextAttemptAt: utc(j.NextAttemptAt), LeaseHolder: j.LeaseHolder, LeaseUntil: utcPtr(j.LeaseUntil),
		CreatedAt: utc(j.CreatedAt), UpdatedAt: utc(j.UpdatedAt)}
}

func (r *joinJobRow) toFederation() *federation.JoinJob {
	return &federation.JoinJob{ID: r.ID, Target: r.Target, RequestedBy: r.RequestedBy, State: federation.JoinState(r.State),
		ForumURI: r.ForumURI, ForumID: r.ForumID, Done: r.Done, Total: r.Total, Attempts: r.Attempts, Error: r.Error, Reason: r.Reason,
		NextAttemptAt: r.NextAttemptAt.UTC(), LeaseHolder: r.LeaseHolder, LeaseUntil: utcPtr(r.LeaseUntil),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// AddJoinJob queues a join job.
func (s *Store) AddJoinJob(ctx context.Context, j *federation.JoinJob) error {
	_, err := s.db.NewInsert().Model(joinJobRowOf(j)).Exec(ctx)
	return dbErr("add join job", err)
}

// JoinJob returns a join job by ID.
func (s *Store) JoinJob(ctx context.Context, id forum.ID) (*federation.JoinJob, error) {
	var r joinJobRow
	if err := s.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, dbErr("join job", err)
	}
	return r.toFederation(), nil
}

// ListJoinJobs lists the latest join jobs, newest first.
func (s *Store) ListJoinJobs(ctx context.Context, limit int) ([]*federation.JoinJob, error) {
	var rows []joinJobRow
	err := s.db.NewSelect().Model(&rows).OrderExpr("created_at DESC, id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbErr("list join jobs", err)
	}
	out := make([]*federation.JoinJob, len(rows))
	for i := range rows {
		out[i] = rows[i].toFederation()
	}
	return out, nil
}

// activeJoinStates are the states a worker carries on from.
var activeJoinStates = bun.List([]string{string(federation.JoinQueued), string(federation.JoinResolving),
	string(federation.JoinFollowing), string(federation.JoinBackfilling)})

// ClaimJoinJob leases a due, active join job (id, or the oldest when id is
// "") to holder until now+lease. The lease is taken by one conditional
// UPDATE: of two claimers, one changes the row and the other none (the
// condition is checked again on the locked row on PostgreSQL; SQLite
// writes one at a time).
func (s *Store) ClaimJoinJob(ctx context.Context, id forum.ID, holder string, now time.Time, lease time.Duration) (*federation.JoinJob, error) {
	now = utc(now)
	for range 3 { // a candidate taken by another claimer meanwhile: look again
		var r joinJobRow
		q := s.db.NewSelect().Model(&r).Where("state IN (?)", activeJoinStates).Where("next_attempt_at <= ?", now).
			Where("(lease_until IS NULL OR lease_until < ?)", now).OrderExpr("created_at ASC, id ASC").Limit(1)
		if id != "" {
			q = q.Where("id = ?", id)
		}
		if err := q.Scan(ctx); err != nil {
			return nil, dbErr("find join job", err)
		}
		until := now.Add(lease)
		res, err := s.db.NewUpdate().Model((*joinJobRow)(nil)).Set("lease_holder = ?", holder).Set("lease_until = ?", until).
			Where("id = ?", r.ID).Where("(lease_until IS NULL OR lease_until < ?)", now).Exec(ctx)
		if err != nil {
			return nil, dbErr("claim join job", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			r.LeaseHolder, r.LeaseUntil = holder, &until
			return r.toFederation(), nil
		}
	}
	return nil, fmt.Errorf("claim join job: %w", forum.ErrNotFound)
}

// SaveJoinJob writes a job's progress (and its lease) while holder holds
// it; ErrConflict when it does not any more.
func (s *Store) SaveJoinJob(ctx context.Context, j *federation.JoinJob, holder string) error {
	row := joinJobRowOf(j)
	res, err := s.db.NewUpdate().Model(row).
		Column("state", "forum_uri", "forum_id", "done", "total", "attempts", "error", "reason", "next_attempt_at",
			"lease_holder", "lease_until", "updated_at").
		WherePK().Where("lease_holder = ?", holder).Exec(ctx)
	if err != nil {
		return dbErr("save join job", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("save join job %s: lease lost: %w", j.ID, forum.ErrConflict)
	}
	return nil
}

// RenewJoinJob extends holder's lease of a job; ErrConflict when it does
// not hold it any more.
func (s *Store) RenewJoinJob(ctx context.Context, id forum.ID, holder string, until time.Time) error {
	res, err := s.db.NewUpdate().Model((*joinJobRow)(nil)).Set("lease_until = ?", utc(until)).
		Where("id = ?", id).Where("lease_holder = ?", holder).Exec(ctx)
	if err != nil {
		return dbErr("renew join job", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("renew join job %s: lease lost: %w", id, forum.ErrConflict)
	}
	return nil
}

// RequeueJoinJob queues the waiting or done jobs of a forum again, and
// reports whether the forum has any job not failed.
func (s *Store) RequeueJoinJob(ctx context.Context, forumURI string, now time.Time) (bool, error) {
	now = utc(now)
	res, err := s.db.NewUpdate().Model((*joinJobRow)(nil)).Set("state = ?", string(federation.JoinQueued)).
		Set("next_attempt_at = ?", now).Set("attempts = 0").Set("error = ''").Set("updated_at = ?", now).
		Where("forum_uri = ?", forumURI).
		Where("state IN (?)", bun.List([]string{string(federation.JoinWaiting), string(federation.JoinDone)})).Exec(ctx)
	if err != nil {
		return false, dbErr("requeue join job", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return true, nil
	}
	n, err := s.db.NewSelect().Model((*joinJobRow)(nil)).Where("forum_uri = ?", forumURI).
		Where("state IN (?)", activeJoinStates).Count(ctx)
	if err != nil {
		return false, dbErr("join jobs of a forum", err)
	}
	return n > 0, nil
}

// SettleJoinJobs ends the jobs waiting for the forum's answer: done once
// the follow is accepted, failed when it is gone (rejected, or left).
func (s *Store) SettleJoinJobs(ctx context.Context, now time.Time) error {
	now = utc(now)
	accepted := s.db.NewSelect().Table("following").Column("object_uri").Where("state = ?", string(federation.FollowAccepted))
	if _, err := s.db.NewUpdate().Model((*joinJobRow)(nil)).Set("state = ?", string(federation.JoinDone)).Set("updated_at = ?", now).
		Where("state = ?", string(federation.JoinWaiting)).Where("forum_uri IN (?)", accepted).Exec(ctx); err != nil {
		return dbErr("settle accepted joins", err)
	}
	following := s.db.NewSelect().Table("following").Column("object_uri")
	if _, err := s.db.NewUpdate().Model((*joinJobRow)(nil)).Set("state = ?", string(federation.JoinFailed)).
		Set("error = ?", "the forum refused the follow request, or it was withdrawn").Set("updated_at = ?", now).
		Where("state = ?", string(federation.JoinWaiting)).Where("forum_uri NOT IN (?)", following).Exec(ctx); err != nil {
		return dbErr("settle refused joins", err)
	}
	return nil
}
