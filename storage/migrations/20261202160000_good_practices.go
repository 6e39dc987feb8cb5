package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Good practices: the good-practice pages list marked answers, newest mark
// first. A partial index holds only the marked posts (a handful among
// thousands), so those pages never scan the posts table.

var goodPracticesIndexes = []initIndex{
	{name: "posts_good_practice_idx", table: "posts", columns: []string{"good_practice_at", "id"},
		where: "good_practice_at IS NOT NULL"},
}

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return createTablesAndIndexes(ctx, tx, nil, goodPracticesIndexes)
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return dropTablesAndIndexes(ctx, tx, nil, goodPracticesIndexes)
		})
	})
}
