package storage_test

import (
	"fmt"
	"slices"
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

// TestFindPostsManyMatches: a relevance search finds every match that
// passes its filters however many posts match, newest first among
// equal ranks. 1,031 posts say the same words (more than the 1,000
// matches PostgreSQL once ranked, taken in storage order, filtering
// after): the ones a filter keeps, the newest, and those in the
// reader's language were stored last; the exact title first; a blocked
// instance's posts, stored last too, never appear.
func TestFindPostsManyMatches(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		other := f.mobilityForum(t, s)
		blocked := f.blockedSpammer(t, s)

		var threads []*forum.Thread
		var posts []*forum.Post
		at := t0
		// Every post has the same words (the same rank on both
		// databases); its title is one word that is not searched.
		thread := func(fo *forum.Forum, author *forum.Member, lang, title string) forum.ID {
			at = at.Add(time.Minute)
			id := f.ids.New()
			th := &forum.Thread{ID: id, ForumID: fo.ID, AuthorID: author.ID, RootPostID: id, Title: title,
				Language: lang, LastPostID: id, LastPostAt: at, CreatedAt: at}
			p := &forum.Post{ID: id, ThreadID: id, AuthorID: author.ID, BranchID: id, Language: lang,
				HTML: "<p>open portal</p>", CreatedAt: at}
			if !author.Local() {
				th.URI, p.URI = author.URI+"/t/"+id, author.URI+"/t/"+id
			}
			threads, posts = append(threads, th), append(posts, p)
			return id
		}
		exact := thread(f.forum, f.member, "en", "Open portal") // stored first, the oldest
		var old, mobility, portuguese []forum.ID
		for range 1000 {
			old = append(old, thread(f.forum, f.member, "en", "Question"))
		}
		for range 12 {
			mobility = append(mobility, thread(other, f.member, "en", "Question"))
		}
		for range 8 {
			portuguese = append(portuguese, thread(f.forum, f.member, "pt", "Pergunta"))
		}
		for range 10 {
			thread(f.forum, blocked, "en", "Question")
		}
		wantErr(t, "ImportPosts", s.ImportPosts(ctx(t), threads, posts), nil)

		newest := func(ids ...[]forum.ID) []forum.ID { // the concatenation, newest first
			var out []forum.ID
			for _, l := range ids {
				out = append(out, l...)
			}
			slices.Reverse(out)
			return out
		}
		english := newest(old, mobility)
		all := append([]forum.ID{exact}, newest(old, mobility, portuguese)...)
		base := search.PostQuery{Parsed: search.Parse("open portal")}
		tests := []struct {
			name string
			q    func(q search.PostQuery) search.PostQuery
			want []forum.ID
		}{
			{"exact title, then the newest", func(q search.PostQuery) search.PostQuery { q.Limit = 10; return q }, all[:10]},
			{"second page", func(q search.PostQuery) search.PostQuery { q.Offset, q.Limit = 10, 10; return q }, all[10:20]},
			{"deep page", func(q search.PostQuery) search.PostQuery { q.Offset, q.Limit = 1015, 10; return q }, all[1015:1021]},
			{"forum filter", func(q search.PostQuery) search.PostQuery { q.ForumID, q.Limit = other.ID, 20; return q },
				newest(mobility)},
			{"language filter", func(q search.PostQuery) search.PostQuery {
				q.Language, q.RankLanguage, q.Limit = "pt", "pt", 20
				return q
			}, newest(portuguese)},
			{"reader's language first", func(q search.PostQuery) search.PostQuery {
				q.RankLanguage, q.Limit = "pt", 12
				return q
			}, append(append([]forum.ID{exact}, newest(portuguese)...), english[:3]...)},
			{"questions in a forum, paged", func(q search.PostQuery) search.PostQuery {
				q.ForumID, q.Questions, q.Offset, q.Limit = other.ID, true, 10, 5
				return q
			}, newest(mobility)[10:]},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				hits, err := s.FindPosts(ctx(t), tt.q(base))
				wantErr(t, "FindPosts", err, nil)
				var got []forum.ID
				for _, h := range hits {
					got = append(got, h.PostID)
				}
				same(t, "posts", got, tt.want)
			})
		}
	})
}

// TestTSRankWithoutPositions: what search_rank.go says of ts_rank over
// search_docs' tsvectors (no positions): every document holding one term
// of each of a query's words ranks the same, and only holding more of a
// word's alternatives ranks it higher; the title's weight is lost.
func TestTSRankWithoutPositions(t *testing.T) {
	pg := postgresDB(t)
	if pg == nil {
		return
	}
	db := pg.Bun()
	rank := func(title, body, query string) float64 {
		t.Helper()
		var r float64
		err := db.NewRaw(`SELECT ts_rank(setweight(array_to_tsvector(string_to_array(?, ' ')), 'A') ||
			setweight(array_to_tsvector(string_to_array(?, ' ')), 'D'), ?::tsquery)::float8`, title, body, query).
			Scan(ctx(t), &r)
		wantErr(t, "ts_rank", err, nil)
		return r
	}
	tests := []struct {
		name  string
		a, b  [2]string // title, body
		query string
		same  bool
	}{
		{"title or body", [2]string{"open portal", "x"}, [2]string{"x", "open portal"}, "open & portal", true},
		{"repeated words", [2]string{"z", "open portal"}, [2]string{"z", "open open portal portal portal"}, "open & portal", true},
		{"longer document", [2]string{"z", "open portal"}, [2]string{"z", "open portal" + strings.Repeat(" data", 50)},
			"(open | ope) & portal", true},
		{"more alternatives, two words", [2]string{"z", "open portal"}, [2]string{"z", "open ope portal"},
			"(open | ope) & portal", false},
		{"more alternatives, one word", [2]string{"z", "open"}, [2]string{"z", "open ope"}, "open | ope", false},
	}
	for _, tt := range tests {
		ra, rb := rank(tt.a[0], tt.a[1], tt.query), rank(tt.b[0], tt.b[1], tt.query)
		if (ra == rb) != tt.same || (!tt.same && rb <= ra) {
			t.Errorf("%s: ranks %g and %g; want equal %v", tt.name, ra, rb, tt.same)
		}
	}
}

// TestFindPostsRecentWindow: on PostgreSQL, a relevance page found among
// the newest documents (plus exact titles and the matches holding more
// of the query's terms) is the page of ranking every match, whenever it
// is found, for windows that hold it and windows too small.
func TestFindPostsRecentWindow(t *testing.T) {
	db := postgresDB(t)
	if db == nil {
		return
	}
	s := db.Store()
	f := newFixture(t, s)
	other := f.mobilityForum(t, s)
	var threads []*forum.Thread
	var posts []*forum.Post
	at := t0
	thread := func(fo *forum.Forum, lang, title, body string) {
		at = at.Add(time.Minute)
		id := f.ids.New()
		threads = append(threads, &forum.Thread{ID: id, ForumID: fo.ID, AuthorID: f.member.ID, RootPostID: id,
			Title: title, Language: lang, LastPostID: id, LastPostAt: at, CreatedAt: at})
		posts = append(posts, &forum.Post{ID: id, ThreadID: id, AuthorID: f.member.ID, BranchID: id,
			Language: lang, HTML: "<p>" + body + "</p>", CreatedAt: at})
	}
	thread(f.forum, "pt", "Participação portal", "portal")
	for i := range 400 {
		switch {
		case i%9 == 0: // Portuguese: "participação" is indexed under two of the word's alternatives
			thread(f.forum, "pt", "Pergunta", "participação no portal")
		case i%4 == 0:
			thread(other, "en", "Question", "participation portal")
		default:
			thread(f.forum, "en", "Question", "participation portal")
		}
	}
	wantErr(t, "ImportPosts", s.ImportPosts(ctx(t), threads, posts), nil)
	// As autovacuum would: with the statistics of empty tables, the
	// planner joins every post to every document (seconds).
	_, err := db.Bun().ExecContext(ctx(t), "ANALYZE")
	wantErr(t, "ANALYZE", err, nil)
	elevated, err := storage.HoldingMatches(ctx(t), s, search.Parse("participação portal"), 3)
	wantErr(t, "HoldingMatches", err, nil)
	if elevated == 0 {
		t.Fatal("no document holds two alternatives of a word: the corpus does not test them")
	}

	found, fellBack := 0, 0
	for _, text := range []string{"participação portal", "participation portal", "portal", "Participação portal"} {
		for _, filter := range []struct{ lang, rank, forum string }{
			{"", "en", ""}, {"", "pt", ""}, {"", "", ""}, {"pt", "pt", ""}, {"en", "pt", ""}, {"", "en", other.ID},
		} {
			for _, page := range [][2]int{{0, 10}, {200, 10}} {
				q := search.PostQuery{Parsed: search.Parse(text), Language: filter.lang, RankLanguage: filter.rank,
					ForumID: filter.forum, Offset: page[0], Limit: page[1]}
				want, err := storage.FindRelevantAll(ctx(t), s, q)
				wantErr(t, "FindRelevantAll", err, nil)
				for _, window := range []int{1, 40, 1000} {
					got, ok, err := storage.FindRelevantRecent(ctx(t), s, q, window)
					wantErr(t, "FindRelevantRecent", err, nil)
					if !ok {
						fellBack++
						continue
					}
					found++
					same(t, fmt.Sprintf("%q %+v page %v window %d", text, filter, page, window), got, want)
				}
			}
		}
	}
	t.Logf("the window found %d pages and fell back %d times", found, fellBack)
	if found == 0 || fellBack == 0 {
		t.Errorf("the window found %d pages and fell back %d times: want both ways tested", found, fellBack)
	}
}
