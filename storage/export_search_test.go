package storage

import (
	"context"

	"github.com/metropolis/agora/search"
)

// FindPostsPlain is FindPosts in one query, on every database: what
// SQLite's ranked search must equal.
func (s *Store) FindPostsPlain(ctx context.Context, q search.PostQuery) ([]search.PostHit, error) {
	return s.findPlain(ctx, q)
}
