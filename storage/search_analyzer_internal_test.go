package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestStoresShareAnalyzer: every Store of a DB, inside a transaction
// too, analyzes through the DB's one search.Analyzer, so its cache is
// shared. A Store left without it would still index the same terms (a
// nil Analyzer analyzes without a cache), only slower: no other test
// would see it.
func TestStoresShareAnalyzer(t *testing.T) {
	urls := map[string]string{"sqlite": "sqlite://" + filepath.Join(t.TempDir(), "forum.db")}
	if u := os.Getenv("AGORA_TEST_DATABASE_URL"); u != "" {
		urls["postgres"] = u
	}
	for name, u := range urls {
		t.Run(name, func(t *testing.T) {
			db, err := Open(t.Context(), Options{DatabaseURL: u})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			t.Cleanup(func() { _ = db.Close() })
			s := db.Store()
			if db.analyzer == nil || s.analyzer != db.analyzer {
				t.Fatalf("the store's analyzer is %p, the database's %p", s.analyzer, db.analyzer)
			}
			err = s.atomic(t.Context(), func(_ context.Context, tx *Store) error {
				if tx.analyzer != db.analyzer {
					return errors.New("a transaction's store has another analyzer")
				}
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
}
