package main

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
)

// TestAdminReindex: a database whose index was lost (restored without it)
// finds its posts again after `agora admin reindex`.
func TestAdminReindex(t *testing.T) {
	data := t.TempDir()
	mustRun(t, data, "admin", "create-forum", "digitalisation", "--title", "Digitalisation")
	ctx := t.Context()
	db, err := openStorage(ctx, Config{DataDir: data}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	st := db.Store()
	f, err := st.ForumBySlug(ctx, "digitalisation")
	if err != nil {
		t.Fatal(err)
	}
	m := &forum.Member{ID: "01MEMBER000000000000000000", Username: "ana", DisplayName: "Ana", Role: forum.RoleMember, CreatedAt: time.Now()}
	id := forum.ID("01THREAD000000000000000000")
	th := &forum.Thread{ID: id, ForumID: f.ID, AuthorID: m.ID, RootPostID: id, Title: "Digitalización de trámites",
		Language: "es", LastPostID: id, LastPostAt: time.Now(), CreatedAt: time.Now()}
	q := &forum.Post{ID: id, ThreadID: id, AuthorID: m.ID, BranchID: id, Language: "es", HTML: "<p>¿Cómo?</p>", CreatedAt: time.Now()}
	if err := st.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateThread(ctx, th, q); err != nil {
		t.Fatal(err)
	}
	find := func() int {
		t.Helper()
		hits, err := st.FindPosts(ctx, search.PostQuery{Parsed: search.Parse("digitalizacion"), Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return len(hits)
	}
	if n := find(); n != 1 {
		t.Fatalf("before losing the index: %d found", n)
	}
	if _, err := db.Bun().ExecContext(ctx, "DELETE FROM search_docs"); err != nil {
		t.Fatal(err)
	}
	if n := find(); n != 0 {
		t.Fatalf("after losing the index: %d found", n)
	}
	wantLine(t, mustRun(t, data, "admin", "reindex"), "Indexed", "1", "posts")
	if n := find(); n != 1 {
		t.Fatalf("after reindex: %d found, want 1", n)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}
