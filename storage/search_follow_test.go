package storage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

// TestSearchFollowsPosts: what changes between a post's commit and the
// moment SQLite's indexer writes its document (search_follow.go) is in
// the document: a new title, a translation; an import does not skip the
// posts stored before it and not followed yet, and leaves none behind of
// its own. Each case ends with a search, which catches the index up; on
// PostgreSQL (documents in the post's transaction) the same searches
// find the same posts.
func TestSearchFollowsPosts(t *testing.T) {
	tests := []struct {
		name string
		// change runs after the fixture's question, before any search;
		// it returns the words to search and the ids each must find.
		change func(t *testing.T, f *fixture, s *storage.Store, th *forum.Thread, q *forum.Post) map[string][]string
	}{
		{"title changed before its document", func(t *testing.T, f *fixture, s *storage.Store, th *forum.Thread, q *forum.Post) map[string][]string {
			th.Title = "Quetzalcoatlus sightings"
			wantErr(t, "UpdateThread", s.UpdateThread(ctx(t), th), nil)
			return map[string][]string{"quetzalcoatlus": {q.ID}, "zanzibarite": {}}
		}},
		{"translated before its document", func(t *testing.T, f *fixture, s *storage.Store, th *forum.Thread, q *forum.Post) map[string][]string {
			a := f.answerWith(t, s, q, "yes")
			a.Translations = map[string]forum.Translation{"es": {HTML: "<p>xilófono</p>", Source: "xilófono"}}
			wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), a), nil)
			return map[string][]string{"xilofono": {a.ID}, "yes": {a.ID}}
		}},
		{"posts before an import are not skipped", func(t *testing.T, f *fixture, s *storage.Store, th *forum.Thread, q *forum.Post) map[string][]string {
			before := f.answerWith(t, s, q, "xylophonist")
			imported := f.importQuestion(t, s, "Narwhal census")
			return map[string][]string{"xylophonist": {before.ID}, "narwhal": {imported.ID}, "zanzibarite": {q.ID}}
		}},
	}
	tests = append(tests, struct {
		name   string
		change func(t *testing.T, f *fixture, s *storage.Store, th *forum.Thread, q *forum.Post) map[string][]string
	}{"a rolled-back post leaves no document, and its rowid's next owner is found", func(t *testing.T, f *fixture, s *storage.Store, th *forum.Thread, q *forum.Post) map[string][]string {
		boom := errors.New("boom")
		err := s.Atomic(ctx(t), func(ctx context.Context, tx forum.Store) error {
			p := &forum.Post{ID: f.ids.New(), ThreadID: q.ThreadID, AuthorID: f.member.ID, ParentID: q.ID,
				Language: "en", Source: "xylophonist", HTML: "<p>xylophonist</p>", CreatedAt: t0}
			p.BranchID = p.ID
			if err := tx.CreatePost(ctx, p); err != nil {
				return err
			}
			return boom
		})
		wantErr(t, "Atomic", err, boom)
		next := f.answerWith(t, s, q, "narwhal")
		return map[string][]string{"xylophonist": {}, "narwhal": {next.ID}}
	}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, url := range ftsBackends(t) {
				t.Run(name, func(t *testing.T) {
					db := openURL(t, url)
					s := db.Store()
					f := newFixture(t, s)
					th, q := f.newThread(t, s, "Zanzibarite procurement")
					for word, want := range tt.change(t, f, s, th, q) {
						same(t, "found "+word, found(t, s, word), append([]string{}, sorted(want)...))
					}
					wantIndexSound(t, db)
				})
			}
		})
	}
}

// TestImportLeavesNothingBehind: an import onto an index that was up to
// date writes its own documents and moves the SQLite indexer's cursor past
// its posts (the indexer does not read them again); Reindex, likewise,
// past the posts stored before it started.
func TestImportLeavesNothingBehind(t *testing.T) {
	db, f, q := indexedThread(t)
	s := db.Store()
	f.answerWith(t, s, q, "zanzibarite")
	_ = found(t, s, "procurement") // the index catches up
	imported := f.importQuestion(t, s, "Narwhal census")
	n, err := s.SearchPending(ctx(t))
	wantErr(t, "SearchPending", err, nil)
	if n != 0 {
		t.Errorf("after the import: %d pending, want 0", n)
	}
	same(t, "found", found(t, s, "narwhal"), []string{imported.ID})

	f.answerWith(t, s, q, "xylophonist")
	_, err = s.Reindex(ctx(t))
	wantErr(t, "Reindex", err, nil)
	n, err = s.SearchPending(ctx(t))
	wantErr(t, "SearchPending", err, nil)
	if n != 0 {
		t.Errorf("after Reindex: %d pending, want 0", n)
	}
	wantIndexSound(t, db)
}

// importQuestion imports a thread whose question's title is title.
func (f *fixture) importQuestion(t *testing.T, s *storage.Store, title string) *forum.Post {
	t.Helper()
	th := &forum.Thread{ID: f.ids.New(), ForumID: f.forum.ID, AuthorID: f.member.ID, Title: title,
		Language: "en", CreatedAt: t0, LastPostAt: t0}
	th.RootPostID, th.LastPostID = th.ID, th.ID
	root := &forum.Post{ID: th.ID, ThreadID: th.ID, AuthorID: f.member.ID, BranchID: th.ID, Language: "en",
		Source: "imported", HTML: "<p>imported</p>", CreatedAt: t0}
	wantErr(t, "ImportPosts", s.ImportPosts(ctx(t), []*forum.Thread{th}, []*forum.Post{root}), nil)
	return root
}

// TestNewDocsWrittenAfterChanges: SQLite's indexer reads and analyses new
// posts before it takes the write lock, and writes their documents under
// it; what changed in between (an edit, a deletion, a new title, a
// translation, another indexer following the same posts) is what the
// index holds in the end.
func TestNewDocsWrittenAfterChanges(t *testing.T) {
	tests := []struct {
		name string
		// between runs after the read; it returns the words to search
		// and the ids each must find.
		between func(t *testing.T, f *fixture, db *storage.DB, th *forum.Thread, q *forum.Post, a, b *forum.Post) map[string][]string
	}{
		{"an answer edited", func(t *testing.T, f *fixture, db *storage.DB, th *forum.Thread, q *forum.Post, a, b *forum.Post) map[string][]string {
			a.Source, a.HTML = "quetzalcoatlus", "<p>quetzalcoatlus</p>"
			wantErr(t, "UpdatePost", db.Store().UpdatePost(ctx(t), a), nil)
			return map[string][]string{"quetzalcoatlus": {a.ID}, "zanzibarite": {b.ID}}
		}},
		{"an answer deleted", func(t *testing.T, f *fixture, db *storage.DB, th *forum.Thread, q *forum.Post, a, b *forum.Post) map[string][]string {
			a.DeletedAt = ptr(t0)
			wantErr(t, "UpdatePost", db.Store().UpdatePost(ctx(t), a), nil)
			return map[string][]string{"zanzibarite": {b.ID}}
		}},
		{"the question's title changed", func(t *testing.T, f *fixture, db *storage.DB, th *forum.Thread, q *forum.Post, a, b *forum.Post) map[string][]string {
			th.Title = "Xylophonist procurement"
			wantErr(t, "UpdateThread", db.Store().UpdateThread(ctx(t), th), nil)
			return map[string][]string{"xylophonist": {q.ID}, "narwhal": {}, "procurement": {q.ID}}
		}},
		{"the question translated (its document written by the edit, without the title)", func(t *testing.T, f *fixture, db *storage.DB, th *forum.Thread, q *forum.Post, a, b *forum.Post) map[string][]string {
			q.Translations = map[string]forum.Translation{"es": {Title: "Compras", HTML: "<p>xilófono</p>", Source: "xilófono"}}
			wantErr(t, "UpdatePost", db.Store().UpdatePost(ctx(t), q), nil)
			return map[string][]string{"narwhal": {q.ID}, "xilofono": {q.ID}}
		}},
		{"another indexer followed the same posts", func(t *testing.T, f *fixture, db *storage.DB, th *forum.Thread, q *forum.Post, a, b *forum.Post) map[string][]string {
			other, err := storage.ReadNewPosts(ctx(t), db.Store())
			wantErr(t, "ReadNewPosts (other)", err, nil)
			ok, err := storage.WriteNewDocs(ctx(t), db.Store(), other)
			wantErr(t, "WriteNewDocs (other)", err, nil)
			if !ok {
				t.Fatal("the other indexer's batch was refused")
			}
			return map[string][]string{"zanzibarite": {a.ID, b.ID}, "narwhal": {q.ID}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openURL(t, ftsBackends(t)["sqlite"])
			s := db.Store()
			f := newFixture(t, s)
			th, q := f.newThread(t, s, "Narwhal procurement")
			a, b := f.answerWith(t, s, q, "zanzibarite"), f.answerWith(t, s, q, "zanzibarite")
			nd, err := storage.ReadNewPosts(ctx(t), s)
			wantErr(t, "ReadNewPosts", err, nil)
			want := tt.between(t, f, db, th, q, a, b)
			ok, err := storage.WriteNewDocs(ctx(t), s, nd)
			wantErr(t, "WriteNewDocs", err, nil)
			if moved := tt.name == "another indexer followed the same posts"; ok == moved {
				t.Errorf("WriteNewDocs wrote %v, want %v (the cursor moved: %v)", ok, !moved, moved)
			}
			for word, ids := range want {
				same(t, "found "+word, found(t, s, word), append([]string{}, sorted(ids)...))
			}
			// A deleted post has no document (searches leave it out
			// anyway: this is what the index holds).
			for _, p := range []*forum.Post{a, b} {
				if n, want := docCount(t, db, p.ID), map[bool]int{true: 0, false: 1}[p.DeletedAt != nil]; n != want {
					t.Errorf("post %s (deleted: %v) has %d documents, want %d", p.ID, p.DeletedAt != nil, n, want)
				}
			}
			wantIndexSound(t, db)
		})
	}
}

// TestSearchFollowsRenumberedPosts: a cursor past the last post's rowid
// (rows removed, or renumbered by a VACUUM) is not trusted: every post is
// followed again, and a post stored then is found.
func TestSearchFollowsRenumberedPosts(t *testing.T) {
	db, f, q := indexedThread(t)
	s := db.Store()
	wantErr(t, "SetCursor", s.SetCursor(ctx(t), "search.posts", "1000000"), nil)
	p := f.answerWith(t, s, q, "zanzibarite")
	same(t, "found after the cursor ran past the posts", found(t, s, "zanzibarite"), []string{p.ID})
	n, err := s.SearchPending(ctx(t))
	wantErr(t, "SearchPending", err, nil)
	if n != 0 {
		t.Errorf("%d pending after the search", n)
	}
	wantIndexSound(t, db)
}
