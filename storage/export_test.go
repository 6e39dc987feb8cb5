package storage

import (
	"context"

	"github.com/metropolis/agora/search"
)

// FindNewestFTS5 is FindPosts newest first on SQLite with the threshold
// between its two ways given (search_newest_fts5.go): tests run both on
// the same corpus.
func FindNewestFTS5(ctx context.Context, s *Store, q search.PostQuery, scanAbove int) ([]string, error) {
	rows, err := s.findNewestFTS5(ctx, q, scanAbove)
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return ids, err
}
