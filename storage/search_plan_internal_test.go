package storage

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/metropolis/agora/search"
)

// TestRankStreamPlan: SQLite reads a relevance search's matches in
// FTS5's rank order through the joins and filters, and stops at the
// LIMIT: no sort of every joined match (a "TEMP B-TREE" in the plan),
// which would join and filter every match as the search did before.
func TestRankStreamPlan(t *testing.T) {
	db, err := Open(t.Context(), Options{DatabaseURL: "sqlite://" + filepath.Join(t.TempDir(), "forum.db")})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	s := db.Store()
	base := search.PostQuery{Parsed: search.Parse("open data"), Sort: search.Relevance, Limit: 21}
	tests := []struct {
		name string
		q    func(q search.PostQuery) search.PostQuery
	}{
		{"no filter", func(q search.PostQuery) search.PostQuery { return q }},
		{"language filter", func(q search.PostQuery) search.PostQuery { q.Language = "en"; return q }},
		{"forum filter", func(q search.PostQuery) search.PostQuery { q.ForumID = "01hzzzzzzzzzzzzzzzzzzzzzzz"; return q }},
		{"reader's language", func(q search.PostQuery) search.PostQuery { q.RankLanguage = "pt"; return q }},
		{"every filter", func(q search.PostQuery) search.PostQuery {
			q.AuthorID, q.Organisation, q.GoodPractice, q.Questions = "01hzzzzzzzzzzzzzzzzzzzzzzz", "Lisboa", true, true
			return q
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := queryPlan(t, s, s.rankStreamQuery(tt.q(base), 52).String())
			if strings.Contains(plan, "TEMP B-TREE") || !strings.HasPrefix(plan, "SCAN search_fts VIRTUAL TABLE") {
				t.Errorf("the matches are not read in rank order from search_fts first:\n%s", plan)
			}
			q := tt.q(base)
			q.Sort, q.Before = search.Newest, "01hzzzzzzzzzzzzzzzzzzzzzzz"
			plan = queryPlan(t, s, s.newestScanQuery(q).String())
			if strings.Contains(plan, "TEMP B-TREE") ||
				!strings.HasPrefix(plan, "SEARCH d USING COVERING INDEX sqlite_autoindex_search_docs_1") {
				t.Errorf("newest first does not walk the documents' post_id index:\n%s", plan)
			}
		})
	}
}

// queryPlan is SQLite's EXPLAIN QUERY PLAN of query, one step a line.
func queryPlan(t *testing.T, s *Store, query string) string {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query)
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", query, err)
	}
	defer func() { _ = rows.Close() }()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatalf("scan plan: %v", err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("plan rows: %v", err)
	}
	return strings.Join(plan, "\n")
}
