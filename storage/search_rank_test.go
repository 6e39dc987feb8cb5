package storage_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/storetest"
)

// TestFindPostsTopCandidates: a page of results ranked from the best
// candidates only is the same page as ranking every match, when the
// page's posts are among the candidates and when they are not (a post
// in the reader's language ranked lower than the candidates, raised
// above them by the boost; an exact title; a filter that keeps few).
func TestFindPostsTopCandidates(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		var threads []*forum.Thread
		var posts []*forum.Post
		at := t0
		add := func(lang, title, body string) {
			at = at.Add(time.Minute)
			id := f.ids.New()
			p := &forum.Post{ID: id, ThreadID: id, AuthorID: f.member.ID, BranchID: id, Language: lang,
				HTML: "<p>" + body + "</p>", CreatedAt: at}
			if title != "" {
				threads = append(threads, &forum.Thread{ID: id, ForumID: f.forum.ID, AuthorID: f.member.ID,
					RootPostID: id, Title: title, Language: lang, LastPostID: id, LastPostAt: at, CreatedAt: at})
			} else {
				p.ThreadID, p.ParentID = threads[len(threads)-1].ID, threads[len(threads)-1].ID
			}
			posts = append(posts, p)
		}
		// An exact title ("portal") on a long question where the word is
		// rare: it ranks first only because its title is the query.
		add("en", "Portal", "portal "+strings.Repeat("budget ", 300))
		// 300 English answers that say "portal" often (high ranks), 40
		// Portuguese ones that say it once (lower ranks, above them in
		// Portuguese only with the boost).
		for i := range 300 {
			add("en", "", strings.Repeat("portal ", 3+i%5)+fmt.Sprintf("open data %d", i))
		}
		for i := range 40 {
			add("pt", "", fmt.Sprintf("portal de dados abertos da cidade número %d", i))
		}
		wantErr(t, "ImportPosts", s.ImportPosts(ctx(t), threads, posts), nil)

		ids := func(q search.PostQuery) []forum.ID {
			t.Helper()
			hits, err := s.FindPosts(ctx(t), q)
			wantErr(t, "FindPosts", err, nil)
			var out []forum.ID
			for _, h := range hits {
				out = append(out, h.PostID)
			}
			return out
		}
		for _, lang := range []string{"en", "pt", ""} {
			for _, filter := range []string{"", "pt"} {
				q := search.PostQuery{Parsed: search.Parse("portal"), RankLanguage: lang, Language: filter, Limit: 1000}
				all := ids(q)
				if filter == "" {
					same(t, "every match", len(all), len(posts))
					same(t, "exact title first", all[0], posts[0].ID)
				}
				for _, off := range []int{0, 5, 38, 120, 338} {
					q.Offset, q.Limit = off, 5
					var want []forum.ID // nil, as ids gives for no hits
					if off < len(all) {
						want = all[off:min(off+5, len(all))]
					}
					same(t, fmt.Sprintf("rank %q, language %q, offset %d", lang, filter, off), ids(q), want)
				}
			}
		}
	})
}

// TestTitleKeyIndex: the lookup of exact titles (titledHits; the UNION of findRelevant on PostgreSQL) reads the
// partial index of titles, not every document.
func TestTitleKeyIndex(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t).Bun()
			if b.Name == "postgres" {
				// A plan on empty tables says nothing: check the index
				// is there, partial, as the lookup's WHERE needs it.
				var def string
				err := db.NewRaw("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_docs_title_key_idx'").Scan(ctx(t), &def)
				wantErr(t, "index definition", err, nil)
				same(t, "partial", strings.Contains(def, "WHERE (title_key <> ''::text)"), true)
				return
			}
			rows, err := db.QueryContext(ctx(t), "EXPLAIN QUERY PLAN SELECT id FROM search_docs WHERE title_key = ? AND title_key <> ''", "portal")
			wantErr(t, "EXPLAIN", err, nil)
			defer func() { _ = rows.Close() }()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				wantErr(t, "scan plan", rows.Scan(&id, &parent, &unused, &detail), nil)
				plan = append(plan, detail)
			}
			wantErr(t, "plan rows", rows.Err(), nil)
			if !strings.Contains(strings.Join(plan, "\n"), "search_docs_title_key_idx") {
				t.Errorf("the title lookup does not use search_docs_title_key_idx: %q", plan)
			}
		})
	}
}

// TestFindPostsRankBound: PostgreSQL ranks at most a bound of matches.
// Under the bound the page is that of ranking every match; over it, the
// page holds matches only, at most the bound of them, with the exact
// title first even when the bound left its document out. SQLite has no
// bound: the same page either way.
func TestFindPostsRankBound(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		var threads []*forum.Thread
		var posts []*forum.Post
		at := t0
		thread := func(title, body string) {
			at = at.Add(time.Minute)
			id := f.ids.New()
			threads = append(threads, &forum.Thread{ID: id, ForumID: f.forum.ID, AuthorID: f.member.ID,
				RootPostID: id, Title: title, Language: "en", LastPostID: id, LastPostAt: at, CreatedAt: at})
			posts = append(posts, &forum.Post{ID: id, ThreadID: id, AuthorID: f.member.ID, BranchID: id,
				Language: "en", HTML: "<p>" + body + "</p>", CreatedAt: at})
		}
		for i := range 60 {
			thread(fmt.Sprintf("Question %d", i), strings.Repeat("open portal ", 1+i%4))
		}
		thread("Open portal", "Written last: stored after the others.")
		wantErr(t, "ImportPosts", s.ImportPosts(ctx(t), threads, posts), nil)
		exactTitle := posts[len(posts)-1].ID
		matches := map[string]bool{}
		for _, p := range posts {
			matches[p.ID] = true
		}

		q := search.PostQuery{Parsed: search.Parse("open portal"), RankLanguage: "en", Limit: 100}
		all, err := s.FindPosts(ctx(t), q)
		wantErr(t, "FindPosts", err, nil)
		var want []string
		for _, h := range all {
			want = append(want, h.PostID)
		}
		same(t, "every match", len(want), len(posts))
		got, err := storage.FindRelevantBounded(ctx(t), s, q, 1000)
		wantErr(t, "under the bound", err, nil)
		same(t, "under the bound", got, want)

		got, err = storage.FindRelevantBounded(ctx(t), s, q, 10)
		wantErr(t, "over the bound", err, nil)
		if strings.HasSuffix(t.Name(), "sqlite") {
			same(t, "SQLite has no bound", got, want)
			return
		}
		if len(got) == 0 || len(got) > 11 || got[0] != exactTitle {
			t.Fatalf("over the bound: %d hits, first %v; want at most 11, the exact title %s first", len(got), got[:min(1, len(got))], exactTitle)
		}
		for _, id := range got {
			if !matches[id] {
				t.Errorf("over the bound: %s is not a match", id)
			}
		}
	})
}
