package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// SQLite: a post's search document is no longer written in the post's
// transaction; the search indexer follows the posts table in rowid order
// and writes the documents of the posts stored since it last looked
// (storage/search_follow.go). The cursor "search.posts" is the highest
// rowid it has followed. Every post stored before this migration has its
// document (the posts' own transactions wrote them), so it starts at the
// highest rowid there is ("WHERE true": SQLite would read ON CONFLICT as
// a join's ON after FROM). PostgreSQL: nothing (documents stay in the
// post's transaction there).
//
// Frozen as shipped: never edit.

const searchFollowUp = `INSERT INTO cursors (name, value)
	SELECT 'search.posts', CAST(COALESCE(MAX(rowid), 0) AS TEXT) FROM posts WHERE true
	ON CONFLICT (name) DO UPDATE SET value = excluded.value`

// searchFollowDown drops the cursor. Posts stored since the indexer last
// looked have no document then (the analysis is Go's, not SQL's): run
// `agora admin reindex` after going back.
const searchFollowDown = `DELETE FROM cursors WHERE name = 'search.posts'`

func init() {
	run := func(stmt string) func(context.Context, *bun.DB) error {
		return func(ctx context.Context, db *bun.DB) error {
			if db.Dialect().Name() == dialect.PG {
				return nil
			}
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("search follows posts: %w", err)
			}
			return nil
		}
	}
	Migrations.MustRegister(run(searchFollowUp), run(searchFollowDown))
}
