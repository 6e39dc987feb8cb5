package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Join jobs: joining a remote forum (WebFinger, the actor's fetch, the
// Follow, the backfill) is queued by the admin's request and carried out
// by a worker, which leases the job while it works (lease_holder,
// lease_until) so a restarted or another process takes it over. state,
// done/total (threads backfilled) and error are what the admin sees.
//
// Frozen copy of what this migration creates, as it shipped. Never edit it.

type joinJobsJob struct {
	bun.BaseModel `bun:"table:join_jobs"`
	ID            string     `bun:"id,pk"`
	Target        string     `bun:"target,notnull"`
	RequestedBy   string     `bun:"requested_by,notnull"`
	State         string     `bun:"state,notnull"`
	ForumURI      string     `bun:"forum_uri,notnull"`
	ForumID       string     `bun:"forum_id,notnull"`
	Done          int        `bun:"done,notnull"`
	Total         int        `bun:"total,notnull"`
	Attempts      int        `bun:"attempts,notnull"`
	Error         string     `bun:"error,notnull"`
	NextAttemptAt time.Time  `bun:"next_attempt_at,notnull"`
	LeaseHolder   string     `bun:"lease_holder,notnull"`
	LeaseUntil    *time.Time `bun:"lease_until"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	UpdatedAt     time.Time  `bun:"updated_at,notnull"`
}

var (
	joinJobsTables  = []initTable{{model: (*joinJobsJob)(nil)}}
	joinJobsIndexes = []initIndex{
		{name: "join_jobs_state_idx", table: "join_jobs", columns: []string{"state", "next_attempt_at"}},
		{name: "join_jobs_created_idx", table: "join_jobs", columns: []string{"created_at"}},
	}
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return createTablesAndIndexes(ctx, tx, joinJobsTables, joinJobsIndexes)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return dropTablesAndIndexes(ctx, tx, joinJobsTables, joinJobsIndexes)
		})
	})
}
