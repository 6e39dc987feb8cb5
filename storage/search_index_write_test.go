package storage_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/storage"
)

// indexWrites records the statements that write search_docs (INSERT or
// UPDATE).
type indexWrites struct {
	mu     sync.Mutex
	events []bun.QueryEvent
}

func (h *indexWrites) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }
func (h *indexWrites) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	q := strings.TrimSpace(e.Query)
	if (strings.HasPrefix(q, "INSERT INTO") || strings.HasPrefix(q, "UPDATE")) && strings.Contains(q, "search_docs") {
		h.mu.Lock()
		h.events = append(h.events, *e)
		h.mu.Unlock()
	}
}

func (h *indexWrites) take() []bun.QueryEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.events
	h.events = nil
	return out
}

// TestIndexNewPostPrepared: on PostgreSQL a new post's document is
// written in its transaction by a prepared statement (its values passed
// as arguments, not written into the SQL text), shown to the query hooks
// as a write to search_docs; on SQLite the post's transaction writes none
// (the indexer follows the posts: search_follow.go). On both the post is
// found as soon as CreatePost returns.
func TestIndexNewPostPrepared(t *testing.T) {
	eachHookedBackend(t, func() *indexWrites { return &indexWrites{} }, func(t *testing.T, db *storage.DB, hook *indexWrites) {
		s := db.Store()
		f := newFixture(t, s)
		_, q := f.newThread(t, s, "Procurement of sensors")
		tests := []struct {
			name, word, lang string
			uri              string
		}{
			{"a local answer", "zanzibarite", "en", ""},
			{"a received answer", "quetzalcoatlus", "es", "https://bh.example/notes/1"},
			{"a second local answer (the statement reused)", "xylophonist", "fr", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				hook.take()
				p := &forum.Post{ID: f.ids.New(), ThreadID: q.ThreadID, AuthorID: f.member.ID, ParentID: q.ID,
					Language: tt.lang, URI: tt.uri, Source: tt.word, HTML: "<p>" + tt.word + "</p>", CreatedAt: t0}
				p.BranchID = p.ID
				wantErr(t, "CreatePost", s.CreatePost(ctx(t), p), nil)
				writes := hook.take()
				want := 1
				if db.Dialect() == storage.DialectSQLite {
					want = 0
				}
				if len(writes) != want {
					t.Fatalf("%d writes to search_docs in the post's transaction, want %d: %+v", len(writes), want, writes)
				}
				for _, w := range writes {
					if len(w.QueryArgs) == 0 || strings.Contains(w.Query, p.ID) {
						t.Errorf("the document was written with its values in the SQL text (not prepared): %s", w.Query)
					}
					if w.IQuery == nil || w.IQuery.GetTableName() != "search_docs" {
						t.Errorf("the hooks were not told the write is to search_docs: %v", w.IQuery)
					}
				}
				hits, err := s.FindPosts(ctx(t), search.PostQuery{Parsed: search.Parse(tt.word), Limit: 10})
				wantErr(t, "FindPosts", err, nil)
				if len(hits) != 1 || hits[0].PostID != p.ID {
					t.Errorf("search for %q right after CreatePost found %+v, want the post %s", tt.word, hits, p.ID)
				}
			})
		}
	})
}

// TestReindexTitlePrepared: UpdateThread (run on every local answer)
// rewrites the question's title in the index with a prepared statement,
// and a new title is found at once, the old one no longer.
func TestReindexTitlePrepared(t *testing.T) {
	eachHookedBackend(t, func() *indexWrites { return &indexWrites{} }, func(t *testing.T, db *storage.DB, hook *indexWrites) {
		s := db.Store()
		f := newFixture(t, s)
		th, _ := f.newThread(t, s, "Zanzibarite procurement")
		tests := []struct {
			name, title     string
			found, notFound string
		}{
			{"the same title (an answer counted)", "Zanzibarite procurement", "zanzibarite", ""},
			{"a new title", "Quetzalcoatlus procurement", "quetzalcoatlus", "zanzibarite"},
			{"the new title again", "Quetzalcoatlus procurement", "quetzalcoatlus", "zanzibarite"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				hook.take()
				th.Title = tt.title
				wantErr(t, "UpdateThread", s.UpdateThread(ctx(t), th), nil)
				writes := hook.take()
				if len(writes) != 1 {
					t.Fatalf("%d writes to search_docs, want 1: %+v", len(writes), writes)
				}
				if w := writes[0]; len(w.QueryArgs) == 0 || strings.Contains(w.Query, th.RootPostID) {
					t.Errorf("the title was written with its values in the SQL text (not prepared): %s", w.Query)
				}
				for word, want := range map[string]int{tt.found: 1, tt.notFound: 0} {
					if word == "" {
						continue
					}
					hits, err := s.FindPosts(ctx(t), search.PostQuery{Parsed: search.Parse(word), Limit: 10})
					wantErr(t, "FindPosts", err, nil)
					if len(hits) != want || (want == 1 && hits[0].PostID != th.RootPostID) {
						t.Errorf("search for %q after UpdateThread found %+v, want %d (the question %s)", word, hits, want, th.RootPostID)
					}
				}
			})
		}
	})
}
