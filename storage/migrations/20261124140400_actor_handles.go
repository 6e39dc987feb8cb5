package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Actor handles: what WebFinger answered for @name@host, so a mention in a
// member's post is resolved once, not at every publication or GET.
//
// Frozen copy of what this migration creates, as it shipped. Never edit it.

type handlesActorHandle struct {
	bun.BaseModel `bun:"table:actor_handles"`
	Acct          string    `bun:"acct,pk"`
	ActorURI      string    `bun:"actor_uri,notnull"`
	ResolvedAt    time.Time `bun:"resolved_at,notnull"`
}

var handlesTables = []initTable{{model: (*handlesActorHandle)(nil)}}

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return createTablesAndIndexes(ctx, tx, handlesTables, nil)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return dropTablesAndIndexes(ctx, tx, handlesTables, nil)
		})
	})
}
