package storage

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteTarget: the search indexer's hook finds the table a raw
// statement writes (Reindex and admin statements write search_docs
// without a model), and no other table's statement that merely reads
// search_docs (the indexer's own) is taken for one.
func TestWriteTarget(t *testing.T) {
	tests := []struct {
		query, want string
	}{
		{"INSERT INTO search_docs (post_id, title_key, title, body) VALUES (?, ?, ?, ?)", "search_docs"},
		{`INSERT INTO "search_docs" ("post_id") VALUES ('x')`, "search_docs"},
		{"INSERT OR REPLACE INTO search_docs(post_id) VALUES (1)", "search_docs"},
		{"UPDATE search_docs SET body = 'x' WHERE post_id = ?", "search_docs"},
		{"UPDATE OR IGNORE search_docs SET body = 'x'", "search_docs"},
		{"DELETE FROM search_docs WHERE post_id NOT IN (SELECT id FROM posts)", "search_docs"},
		{"INSERT INTO search_fts (rowid, title, body) SELECT d.id, d.title, d.body FROM search_docs AS d", "search_fts"},
		{"DELETE FROM search_fts_pending WHERE doc_id <= ?", "search_fts_pending"},
		{"UPDATE posts SET html = ? WHERE id IN (SELECT post_id FROM search_docs)", "posts"},
		{"INSERT", ""},
		{"", ""},
		{"CREATE TRIGGER t AFTER INSERT ON posts BEGIN INSERT INTO search_fts (rowid) VALUES (new.id); END", ""},
		{"REPLACE INTO search_docs (post_id) VALUES (1)", "search_docs"},
	}
	for _, tt := range tests {
		if got := writeTarget(tt.query); got != tt.want {
			t.Errorf("writeTarget(%q) = %q, want %q", tt.query, got, tt.want)
		}
	}
}

// TestFirstWord: the hooks read a statement's kind from its first word,
// whatever space ends it: a SELECT written over several lines is no write
// (taken for one, it dropped every cached page at each search).
func TestFirstWord(t *testing.T) {
	tests := []struct{ query, want string }{
		{"SELECT 1", "SELECT"},
		{"SELECT\n\t\tCOALESCE(1, 0)", "SELECT"},
		{"\n\tselect\t1", "SELECT"},
		{"COMMIT", "COMMIT"},
		{"insert\ninto posts", "INSERT"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := firstWord(tt.query); got != tt.want {
			t.Errorf("firstWord(%q) = %q, want %q", tt.query, got, tt.want)
		}
	}
}

// TestIndexPendingPlan: each step of a batch reads the pending rows by
// their rowid range and the documents by rowid, never walks search_docs
// (every document of the node: 100 ms a batch on 100,000 posts).
func TestIndexPendingPlan(t *testing.T) {
	db, err := Open(t.Context(), Options{DatabaseURL: "sqlite://" + filepath.Join(t.TempDir(), "forum.db")})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	for _, st := range indexPendingSteps {
		t.Run(st.what, func(t *testing.T) {
			plan := queryPlan(t, db.Store(), strings.ReplaceAll(st.sql, "?", "1000"))
			if !strings.HasPrefix(plan, "SEARCH search_fts_pending USING INTEGER PRIMARY KEY") &&
				!strings.HasPrefix(plan, "SEARCH p USING INTEGER PRIMARY KEY") || strings.Contains(plan, "SCAN") {
				t.Errorf("the pending rows are not read first, by rowid:\n%s", plan)
			}
		})
	}
}
