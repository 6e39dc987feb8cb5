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

// FindRelevantBounded is FindPosts by relevance with PostgreSQL ranking
// at most bound matches (search_rank.go; SQLite ignores it).
func FindRelevantBounded(ctx context.Context, s *Store, q search.PostQuery, bound int) ([]string, error) {
	hits, err := s.findRelevant(ctx, q, bound)
	var ids []string
	for _, h := range hits[min(q.Offset, len(hits)):min(q.Offset+q.Limit, len(hits))] {
		ids = append(ids, h.ID)
	}
	return ids, err
}
