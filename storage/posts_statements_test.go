package storage_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/storetest"
)

// countingHook counts the statements run while it is on.
type countingHook struct {
	on atomic.Bool
	n  atomic.Int64
}

func (h *countingHook) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}
func (h *countingHook) AfterQuery(context.Context, *bun.QueryEvent) {
	if h.on.Load() {
		h.n.Add(1)
	}
}

// statements runs fn and returns how many statements it ran.
func (h *countingHook) statements(fn func()) int64 {
	h.n.Store(0)
	h.on.Store(true)
	fn()
	h.on.Store(false)
	return h.n.Load()
}

// Reading a post reads its translations only when it has some: most posts
// have none, and every received reply reads several posts.
func TestPostReadsLoadTranslationsOnlyWhenThereAreSome(t *testing.T) {
	eachHookedBackend(t, func() *countingHook { return &countingHook{} }, func(t *testing.T, db *storage.DB, hook *countingHook) {
		s := db.Store()
		f := newFixture(t, s)
		_, q := f.newThread(t, s, "question")
		plain := f.reply(t, s, q)
		translated := f.reply(t, s, q)
		translated.Translations = map[string]forum.Translation{"fr": {HTML: "<p>une réponse</p>"}, "es": {HTML: "<p>una respuesta</p>"}}
		wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), translated), nil)

		tests := []struct {
			name  string
			post  *forum.Post
			stmts int64
		}{
			{"without translations: one statement", plain, 1},
			{"with translations: the post, then its translations", translated, 2},
		}
		for _, tt := range tests {
			var got *forum.Post
			var err error
			n := hook.statements(func() {
				got, err = s.PostByID(ctx(t), tt.post.ID)
			})
			wantErr(t, tt.name, err, nil)
			same(t, tt.name, got, tt.post)
			if n != tt.stmts {
				t.Errorf("%s: %d statements, want %d", tt.name, n, tt.stmts)
			}
		}
		list, err := s.ListPosts(ctx(t), q.ThreadID, forum.PostCursor{}, 10)
		wantErr(t, "ListPosts", err, nil)
		same(t, "ListPosts", list, []*forum.Post{q, plain, translated})
	})
}

// eachHookedBackend runs fn on a new migrated database of each backend
// (SQLite, and PostgreSQL when AGORA_TEST_DATABASE_URL is set) whose
// statements the hook made by newHook sees after the write counter's.
func eachHookedBackend[H bun.QueryHook](t *testing.T, newHook func() H, fn func(t *testing.T, db *storage.DB, hook H)) {
	t.Helper()
	eachDatabaseURL(t, func(t *testing.T, url string) {
		hook := newHook()
		fn(t, openURL(t, url, hook), hook)
	})
}

// eachDatabaseURL runs fn with the URL of a new empty database of each
// backend (SQLite, and PostgreSQL when AGORA_TEST_DATABASE_URL is set),
// dropped afterwards: tests that open it twice, as two processes would.
func eachDatabaseURL(t *testing.T, fn func(t *testing.T, url string)) {
	t.Helper()
	backends := map[string]string{"sqlite": ""}
	if u := storetest.EmptyPostgres(t); u != "" {
		backends["postgres"] = u
	}
	for name, url := range backends {
		t.Run(name, func(t *testing.T) {
			if url == "" {
				url = "sqlite://" + filepath.Join(t.TempDir(), "forum.db")
			}
			fn(t, url)
		})
	}
}

// openURL opens and migrates the database at url with hooks, closed in
// t.Cleanup (before the database is dropped: cleanups run last first).
func openURL(t *testing.T, url string, hooks ...bun.QueryHook) *storage.DB {
	t.Helper()
	db, err := storage.Open(ctx(t), storage.Options{DatabaseURL: url, QueryHooks: hooks})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx(t)); err != nil {
		t.Fatal(err)
	}
	return db
}
