package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Inbox refusals: the activities an inbox accepted (202) and its worker
// then refused, with the host, type, a reason code and the error, so an
// admin can see what was dropped. A table of their own rather than columns
// on inbox_items: the list is bounded by deleting the oldest refusals, and
// inbox_items rows must stay (their unique activity_id is what makes a
// replayed activity a duplicate); the admin's filters by reason and host
// read a small table, not the table that holds every activity's body.
//
// Frozen copy of what this migration creates, as it shipped. Never edit it.

type refusalsInboxRefusal struct {
	bun.BaseModel `bun:"table:inbox_refusals"`
	ID            string    `bun:"id,pk,type:varchar(26)"`
	ItemID        string    `bun:"item_id,notnull,type:varchar(26)"`
	ActivityID    string    `bun:"activity_id,notnull,type:text"`
	ActorURI      string    `bun:"actor_uri,notnull,type:text"`
	Host          string    `bun:"host,notnull"`
	Type          string    `bun:"type,notnull"`
	Reason        string    `bun:"reason,notnull"`
	Detail        string    `bun:"detail,notnull,type:text"`
	RefusedAt     time.Time `bun:"refused_at,notnull"`
}

var refusalsTables = []initTable{{model: (*refusalsInboxRefusal)(nil)}}

var refusalsIndexes = []initIndex{
	// ListRefusals newest first, and the cut of the oldest.
	{name: "inbox_refusals_time_idx", table: "inbox_refusals", columns: []string{"refused_at", "id"}},
	// ListRefusals by reason or by host, newest first.
	{name: "inbox_refusals_reason_idx", table: "inbox_refusals", columns: []string{"reason", "refused_at", "id"}},
	{name: "inbox_refusals_host_idx", table: "inbox_refusals", columns: []string{"host", "refused_at", "id"}},
}

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return createTablesAndIndexes(ctx, tx, refusalsTables, refusalsIndexes)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return dropTablesAndIndexes(ctx, tx, refusalsTables, refusalsIndexes)
		})
	})
}
