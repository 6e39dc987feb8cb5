package storage_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/storetest"
)

// Tests of SQLite's batched full-text index (search_fts_pending.go); each
// runs on PostgreSQL too where what it checks (a search finds what was
// committed, and nothing else) means something there.

// ftsBackends names the URL of an empty database per backend: SQLite in
// a file, so that it can be reopened, or opened twice.
func ftsBackends(t *testing.T) map[string]string {
	t.Helper()
	b := map[string]string{"sqlite": "sqlite://" + filepath.Join(t.TempDir(), "forum.db")}
	if u := storetest.EmptyPostgres(t); u != "" {
		b["postgres"] = u
	}
	return b
}

// answerWith stores an answer to q whose text is word.
func (f *fixture) answerWith(t *testing.T, s *storage.Store, q *forum.Post, word string) *forum.Post {
	t.Helper()
	p := &forum.Post{ID: f.ids.New(), ThreadID: q.ThreadID, AuthorID: f.member.ID, ParentID: q.ID,
		Language: "en", Source: word, HTML: "<p>" + word + "</p>", CreatedAt: t0}
	p.BranchID = p.ID
	wantErr(t, "CreatePost", s.CreatePost(ctx(t), p), nil)
	return p
}

// found is the ids of the posts a search for word finds.
func found(t *testing.T, s *storage.Store, word string) []string {
	t.Helper()
	hits, err := s.FindPosts(ctx(t), search.PostQuery{Parsed: search.Parse(word), Limit: 50})
	wantErr(t, "FindPosts "+word, err, nil)
	ids := []string{}
	for _, h := range hits {
		ids = append(ids, h.PostID)
	}
	slices.Sort(ids)
	return ids
}

// ftsRowids is what SQLite's full-text table itself holds for word,
// whether or not a search caught it up.
func ftsRowids(t *testing.T, db *storage.DB, word string) []int64 {
	t.Helper()
	var ids []int64
	err := db.Bun().NewSelect().TableExpr("search_fts").ColumnExpr("rowid").
		Where("search_fts MATCH ?", search.Parse(word).FTS5()).Scan(ctx(t), &ids)
	wantErr(t, "match "+word, err, nil)
	return ids
}

// docRowid is the rowid of post id's document on SQLite.
func docRowid(t *testing.T, db *storage.DB, id string) int64 {
	t.Helper()
	var rowid int64
	err := db.Bun().NewSelect().TableExpr("search_docs").Column("id").Where("post_id = ?", id).Scan(ctx(t), &rowid)
	wantErr(t, "rowid of "+id, err, nil)
	return rowid
}

// docCount is how many documents search_docs holds for post id, or in
// all when id is "".
func docCount(t *testing.T, db *storage.DB, id string) int {
	t.Helper()
	sel := db.Bun().NewSelect().TableExpr("search_docs").ColumnExpr("COUNT(*)")
	if id != "" {
		sel = sel.Where("post_id = ?", id)
	}
	var n int
	wantErr(t, "count documents", sel.Scan(ctx(t), &n), nil)
	return n
}

// indexedThread opens an empty SQLite database in a file with a thread
// asked ("Procurement") and indexed (a search caught the index up).
func indexedThread(t *testing.T) (*storage.DB, *fixture, *forum.Post) {
	t.Helper()
	db := openURL(t, ftsBackends(t)["sqlite"])
	f := newFixture(t, db.Store())
	_, q := f.newThread(t, db.Store(), "Procurement")
	_ = found(t, db.Store(), "procurement")
	return db, f, q
}

// wantIndexSound fails unless no document is pending and SQLite's
// full-text index holds exactly search_docs ('integrity-check' with 1
// compares the index with its external content: a document indexed
// twice, a stale term or a missing one fails it).
func wantIndexSound(t *testing.T, db *storage.DB) {
	t.Helper()
	if db.Dialect() != storage.DialectSQLite {
		return
	}
	n, err := db.Store().SearchPending(ctx(t))
	wantErr(t, "SearchPending", err, nil)
	if n != 0 {
		t.Errorf("%d documents still pending", n)
	}
	_, err = db.Bun().ExecContext(ctx(t), "INSERT INTO search_fts (search_fts, rank) VALUES ('integrity-check', 1)")
	wantErr(t, "integrity-check", err, nil)
}

// waitIndexed waits (a few seconds at most) until no document is pending.
func waitIndexed(t *testing.T, s *storage.Store) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, err := s.SearchPending(ctx(t))
		wantErr(t, "SearchPending", err, nil)
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d documents still pending after 5 s", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestSearchIndexDeferred: on SQLite a post's transaction writes no
// search document: the indexer that follows the posts writes it, and the
// full-text table, once it caught up; a search right after the post
// catches it up first and finds it, without dropping cached pages (the
// caches' version does not move). On PostgreSQL the post is found at
// once.
func TestSearchIndexDeferred(t *testing.T) {
	for name, url := range ftsBackends(t) {
		t.Run(name, func(t *testing.T) {
			db := openURL(t, url)
			s := db.Store()
			f := newFixture(t, s)
			_, q := f.newThread(t, s, "Procurement")
			p := f.answerWith(t, s, q, "zanzibarite")
			if name == "sqlite" {
				n, err := s.SearchPending(ctx(t))
				wantErr(t, "SearchPending", err, nil)
				if got := ftsRowids(t, db, "zanzibarite"); n != 2 || len(got) != 0 {
					t.Errorf("after the post: %d pending, full-text table holds %v; want 2 pending (question and answer), nothing indexed", n, got)
				}
				if docs := docCount(t, db, ""); docs != 0 {
					t.Errorf("after the post: %d documents in search_docs, want none (the post's transaction writes none)", docs)
				}
			}
			v := db.Changes().Version()
			same(t, "found right after the post", found(t, s, "zanzibarite"), []string{p.ID})
			if got := db.Changes().Version(); got != v {
				t.Errorf("indexing the post moved the caches' version from %d to %d: every cached page dropped", v, got)
			}
			if name == "sqlite" {
				same(t, "full-text table after the search", ftsRowids(t, db, "zanzibarite"), []int64{docRowid(t, db, p.ID)})
			}
			wantIndexSound(t, db)
		})
	}
}

// TestSearchIndexAfterCrash: a post committed and never indexed (the
// process died before its indexer ran) is indexed by the indexer of the
// next start, without any search asking, and found.
func TestSearchIndexAfterCrash(t *testing.T) {
	for name, url := range ftsBackends(t) {
		t.Run(name, func(t *testing.T) {
			db := openURL(t, url)
			s := db.Store()
			f := newFixture(t, s)
			_, q := f.newThread(t, s, "Procurement")
			p := f.answerWith(t, s, q, "quetzalcoatlus")
			wantErr(t, "Close", db.Close(), nil)

			db = openURL(t, url)
			s = db.Store()
			if name == "sqlite" {
				if got := ftsRowids(t, db, "quetzalcoatlus"); len(got) != 0 {
					t.Fatalf("indexed before the indexer ran: %v", got)
				}
			}
			c, cancel := context.WithCancel(ctx(t))
			done := make(chan struct{})
			go func() { db.RunSearchIndexer(c, storage.SearchIndexing{Poll: time.Hour}); close(done) }()
			waitIndexed(t, s)
			if name == "sqlite" {
				same(t, "indexed by the next start", ftsRowids(t, db, "quetzalcoatlus"), []int64{docRowid(t, db, p.ID)})
			}
			cancel()
			<-done
			same(t, "found", found(t, s, "quetzalcoatlus"), []string{p.ID})
			wantIndexSound(t, db)
		})
	}
}

// TestSearchIndexerWakes: the indexer indexes a post soon after its
// commit (its poll is an hour away: the commit woke it), and after a
// write to search_docs made outside a transaction by a raw statement.
func TestSearchIndexerWakes(t *testing.T) {
	db, f, q := indexedThread(t) // the question indexed before the indexer starts
	s := db.Store()
	c, cancel := context.WithCancel(ctx(t))
	done := make(chan struct{})
	go func() {
		db.RunSearchIndexer(c, storage.SearchIndexing{Delay: time.Millisecond, Poll: time.Hour})
		close(done)
	}()
	defer func() { cancel(); <-done }()
	time.Sleep(20 * time.Millisecond) // the indexer is waiting
	p := f.answerWith(t, s, q, "xylophonist")
	waitIndexed(t, s)
	same(t, "indexed after the commit", ftsRowids(t, db, "xylophonist"), []int64{docRowid(t, db, p.ID)})
	_, err := db.Bun().ExecContext(ctx(t), "UPDATE search_docs SET body = 'zanzibarite' WHERE post_id = ?", p.ID)
	wantErr(t, "raw update", err, nil)
	waitIndexed(t, s)
	same(t, "indexed after the raw update", ftsRowids(t, db, "zanzibarite"), []int64{docRowid(t, db, p.ID)})
	same(t, "the old text left the index", ftsRowids(t, db, "xylophonist"), []int64(nil))
	wantIndexSound(t, db)
}

// TestSearchIndexEdits: edits and deletions before and after a post is
// indexed, and a deleted document's rowid reused by the next (SQLite's
// INTEGER PRIMARY KEY without AUTOINCREMENT), leave the index holding the
// posts' last text only.
func TestSearchIndexEdits(t *testing.T) {
	type step struct {
		op   string // "post" (and its document), "new" (the post alone), "edit", "delete", "search" (catches up), "reused" (post's rowid is the one of word's post)
		post string
		word string
	}
	tests := []struct {
		name  string
		steps []step
		want  map[string][]string // word: the posts found
	}{
		{"edited before its document", []step{{"new", "a", "zanzibarite"}, {"edit", "a", "quetzalcoatlus"}},
			map[string][]string{"zanzibarite": {}, "quetzalcoatlus": {"a"}}},
		{"edited before its document, then indexed", []step{{"new", "a", "zanzibarite"}, {"edit", "a", "quetzalcoatlus"},
			{"search", "", ""}, {"edit", "a", "xylophonist"}},
			map[string][]string{"zanzibarite": {}, "quetzalcoatlus": {}, "xylophonist": {"a"}}},
		{"deleted before its document", []step{{"new", "a", "zanzibarite"}, {"new", "b", "zanzibarite"}, {"delete", "a", ""}},
			map[string][]string{"zanzibarite": {"b"}}},
		{"edited before indexing", []step{{"post", "a", "zanzibarite"}, {"edit", "a", "quetzalcoatlus"}},
			map[string][]string{"zanzibarite": {}, "quetzalcoatlus": {"a"}}},
		{"edited after indexing", []step{{"post", "a", "zanzibarite"}, {"search", "", ""}, {"edit", "a", "quetzalcoatlus"}},
			map[string][]string{"zanzibarite": {}, "quetzalcoatlus": {"a"}}},
		{"indexed, edited twice, indexed", []step{{"post", "a", "zanzibarite"}, {"search", "", ""},
			{"edit", "a", "quetzalcoatlus"}, {"edit", "a", "xylophonist"}},
			map[string][]string{"zanzibarite": {}, "quetzalcoatlus": {}, "xylophonist": {"a"}}},
		{"deleted before indexing", []step{{"post", "a", "zanzibarite"}, {"post", "b", "zanzibarite"}, {"delete", "a", ""}},
			map[string][]string{"zanzibarite": {"b"}}},
		{"deleted after indexing", []step{{"post", "a", "zanzibarite"}, {"post", "b", "zanzibarite"}, {"search", "", ""},
			{"delete", "a", ""}},
			map[string][]string{"zanzibarite": {"b"}}},
		{"rowid reused after indexing", []step{{"post", "a", "zanzibarite"}, {"search", "", ""}, {"delete", "a", ""},
			{"post", "b", "quetzalcoatlus"}, {"reused", "b", "a"}},
			map[string][]string{"zanzibarite": {}, "quetzalcoatlus": {"b"}}},
		{"rowid reused before indexing", []step{{"post", "a", "zanzibarite"}, {"delete", "a", ""},
			{"post", "b", "quetzalcoatlus"}, {"reused", "b", "a"}},
			map[string][]string{"zanzibarite": {}, "quetzalcoatlus": {"b"}}},
		{"rowid reused, then edited, indexed once", []step{{"post", "a", "zanzibarite"}, {"search", "", ""},
			{"delete", "a", ""}, {"post", "b", "quetzalcoatlus"}, {"reused", "b", "a"}, {"edit", "b", "xylophonist"}},
			map[string][]string{"zanzibarite": {}, "quetzalcoatlus": {}, "xylophonist": {"b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, url := range ftsBackends(t) {
				t.Run(name, func(t *testing.T) {
					db := openURL(t, url)
					s := db.Store()
					f := newFixture(t, s)
					_, q := f.newThread(t, s, "Procurement")
					posts := map[string]*forum.Post{}
					rowids := map[string]int64{}
					for _, st := range tt.steps {
						p := posts[st.post]
						switch st.op {
						case "new":
							posts[st.post] = f.answerWith(t, s, q, st.word)
						case "post":
							posts[st.post] = f.answerWith(t, s, q, st.word)
							if name == "sqlite" {
								wantErr(t, "FollowPosts", storage.FollowPosts(ctx(t), s), nil)
								rowids[st.post] = docRowid(t, db, posts[st.post].ID)
							}
						case "edit":
							p.Source, p.HTML = st.word, "<p>"+st.word+"</p>"
							wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), p), nil)
						case "delete":
							p.DeletedAt = ptr(t0)
							wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), p), nil)
						case "search":
							_ = found(t, s, "procurement")
						case "reused":
							if name == "sqlite" && rowids[st.post] != rowids[st.word] {
								t.Fatalf("rowid %d, not the deleted document's %d: nothing reused", rowids[st.post], rowids[st.word])
							}
						}
					}
					for word, names := range tt.want {
						want := []string{}
						for _, n := range names {
							want = append(want, posts[n].ID)
						}
						slices.Sort(want)
						same(t, "found "+word, found(t, s, word), want)
					}
					wantIndexSound(t, db)
				})
			}
		})
	}
}

// TestSearchIndexConcurrent: two processes (two handles on one database,
// each with its indexer) post and search at once; every search finds the
// posts committed before it started, and at the end the index holds each
// document once.
func TestSearchIndexConcurrent(t *testing.T) {
	const writers, perWriter = 4, 15
	for name, url := range ftsBackends(t) {
		t.Run(name, func(t *testing.T) {
			dbs := []*storage.DB{openURL(t, url), openURL(t, url)}
			f := newFixture(t, dbs[0].Store())
			_, q := f.newThread(t, dbs[0].Store(), "Procurement")
			c, cancel := context.WithCancel(ctx(t))
			indexers := make(chan struct{}, len(dbs))
			for _, db := range dbs {
				go func() {
					db.RunSearchIndexer(c, storage.SearchIndexing{Delay: 2 * time.Millisecond, Commits: 3})
					indexers <- struct{}{}
				}()
			}
			ids := make([][]string, writers)
			for w := range ids {
				for range perWriter {
					ids[w] = append(ids[w], f.ids.New())
				}
			}
			errs := make(chan error, writers)
			for w := range writers {
				s := dbs[w%len(dbs)].Store()
				go func() {
					errs <- func() error {
						for i := range perWriter {
							word := fmt.Sprintf("zanzibarite%dx%d", w, i)
							p := &forum.Post{ID: ids[w][i], ThreadID: q.ThreadID,
								AuthorID: f.member.ID, ParentID: q.ID, Language: "en", Source: word,
								HTML: "<p>" + word + "</p>", CreatedAt: t0}
							p.BranchID = p.ID
							if err := s.CreatePost(c, p); err != nil {
								return fmt.Errorf("post %s: %w", word, err)
							}
							// The other process searches for it at once.
							other := dbs[(w+1)%len(dbs)].Store()
							hits, err := other.FindPosts(c, search.PostQuery{Parsed: search.Parse(word), Limit: 5})
							if err != nil {
								return fmt.Errorf("search %s: %w", word, err)
							}
							if len(hits) != 1 || hits[0].PostID != p.ID {
								return fmt.Errorf("search for %s right after its commit found %d posts, want %s", word, len(hits), p.ID)
							}
						}
						return nil
					}()
				}()
			}
			for range writers {
				if err := <-errs; err != nil {
					t.Error(err)
				}
			}
			waitIndexed(t, dbs[0].Store())
			cancel()
			for range dbs {
				<-indexers
			}
			for w := range writers {
				for i := range perWriter {
					word := fmt.Sprintf("zanzibarite%dx%d", w, i)
					if got := found(t, dbs[1].Store(), word); len(got) != 1 {
						t.Errorf("%s found %d times, want once", word, len(got))
					}
				}
			}
			wantIndexSound(t, dbs[0])
		})
	}
}

// TestReindexAndImportIndex: Reindex and ImportPosts leave nothing
// pending: the full-text index is complete when they return, before any
// search, and holds a document Reindex rewrote with its new text only.
func TestReindexAndImportIndex(t *testing.T) {
	for name, url := range ftsBackends(t) {
		t.Run(name, func(t *testing.T) {
			db := openURL(t, url)
			s := db.Store()
			f := newFixture(t, s)
			_, q := f.newThread(t, s, "Procurement")
			p := f.answerWith(t, s, q, "zanzibarite")
			// A document written by an older analysis: Reindex rewrites it.
			_, err := db.Bun().ExecContext(ctx(t), "UPDATE search_docs SET body = 'quetzalcoatlus' WHERE post_id = ?", p.ID)
			wantErr(t, "stale document", err, nil)
			_, err = s.Reindex(ctx(t))
			wantErr(t, "Reindex", err, nil)
			if name == "sqlite" {
				n, err := s.SearchPending(ctx(t))
				wantErr(t, "SearchPending", err, nil)
				if n != 0 {
					t.Errorf("%d documents pending after Reindex", n)
				}
				same(t, "indexed by Reindex", ftsRowids(t, db, "zanzibarite"), []int64{docRowid(t, db, p.ID)})
				same(t, "the stale text", ftsRowids(t, db, "quetzalcoatlus"), []int64(nil))
			}
			th := &forum.Thread{ID: f.ids.New(), ForumID: f.forum.ID, AuthorID: f.member.ID, Title: "Xylophonist",
				Language: "en", CreatedAt: t0, LastPostAt: t0}
			th.RootPostID, th.LastPostID = th.ID, th.ID
			root := &forum.Post{ID: th.ID, ThreadID: th.ID, AuthorID: f.member.ID, BranchID: th.ID, Language: "en",
				Source: "imported", HTML: "<p>imported</p>", CreatedAt: t0}
			wantErr(t, "ImportPosts", s.ImportPosts(ctx(t), []*forum.Thread{th}, []*forum.Post{root}), nil)
			if name == "sqlite" {
				same(t, "indexed by ImportPosts", ftsRowids(t, db, "xylophonist"), []int64{docRowid(t, db, root.ID)})
			}
			same(t, "found after the import", found(t, s, "xylophonist"), []string{root.ID})
			wantIndexSound(t, db)
		})
	}
}
