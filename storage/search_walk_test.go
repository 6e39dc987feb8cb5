package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/storage"
)

// TestFindPostsWalk: on PostgreSQL, a relevance page found by walking
// the matches newest first, per class of the reader's language, is the
// page of ranking every match, for walks of one chunk and of many, and
// walks that give up. The corpus has older Portuguese posts holding two
// alternatives of a word (they outrank the newer ones: found only by the
// matches holding more terms), a blocked instance's posts and a deleted
// thread among the newest (the walk must read past them), and a second
// forum (a filter the walk does not apply before reading).
func TestFindPostsWalk(t *testing.T) {
	db := postgresDB(t)
	if db == nil {
		return
	}
	s := db.Store()
	f := newFixture(t, s)
	other := f.mobilityForum(t, s)
	blocked := f.blockedSpammer(t, s)
	var threads []*forum.Thread
	var posts []*forum.Post
	at := t0
	thread := func(fo *forum.Forum, author *forum.Member, lang, title, body string) *forum.Thread {
		at = at.Add(time.Minute)
		id := f.ids.New()
		th := &forum.Thread{ID: id, ForumID: fo.ID, AuthorID: author.ID, RootPostID: id,
			Title: title, Language: lang, LastPostID: id, LastPostAt: at, CreatedAt: at}
		p := &forum.Post{ID: id, ThreadID: id, AuthorID: author.ID, BranchID: id,
			Language: lang, HTML: "<p>" + body + "</p>", CreatedAt: at}
		if !author.Local() {
			th.URI, p.URI = author.URI+"/t/"+id, author.URI+"/t/"+id
		}
		threads, posts = append(threads, th), append(posts, p)
		return th
	}
	thread(f.forum, f.member, "pt", "Participação portal", "portal")
	var deleted *forum.Thread
	for i := range 300 {
		switch {
		case i < 40 && i%4 == 0: // old, and holding a third term: they outrank the newer ones
			thread(f.forum, f.member, "pt", "Pergunta", "participação no portal")
		case i%7 == 0:
			thread(f.forum, f.member, "pt", "Pergunta", "participation portal")
		case i%11 == 0:
			thread(f.forum, f.member, "es", "Pregunta", "participation portal")
		case i%5 == 0:
			thread(other, f.member, "en", "Question", "participation portal")
		case i >= 280 && i%2 == 0:
			thread(f.forum, blocked, "en", "Question", "participation portal")
		case i == 283:
			deleted = thread(f.forum, f.member, "en", "Question", "participation portal")
		default:
			thread(f.forum, f.member, "en", "Question", "participation portal")
		}
	}
	wantErr(t, "ImportPosts", s.ImportPosts(ctx(t), threads, posts), nil)
	at = at.Add(time.Minute)
	deleted.DeletedAt = &at
	wantErr(t, "UpdateThread", s.UpdateThread(ctx(t), deleted), nil)
	_, err := db.Bun().ExecContext(ctx(t), "ANALYZE")
	wantErr(t, "ANALYZE", err, nil)

	found, gaveUp, first, firstFell := 0, 0, 0, 0
	for _, text := range []string{"participação portal", "participation portal", "portal", "Participação portal"} {
		for _, filter := range []struct{ lang, rank, forum string }{
			{"", "en", ""}, {"", "pt", ""}, {"", "es", ""}, {"", "", ""}, {"pt", "pt", ""}, {"en", "pt", ""},
			{"", "en", other.ID}, {"", "pt", other.ID},
		} {
			for _, page := range [][2]int{{0, 10}, {0, 3}, {20, 10}, {150, 10}} {
				q := search.PostQuery{Parsed: search.Parse(text), Language: filter.lang, RankLanguage: filter.rank,
					ForumID: filter.forum, Offset: page[0], Limit: page[1]}
				want, err := storage.FindRelevantAll(ctx(t), s, q)
				wantErr(t, "FindRelevantAll", err, nil)
				for _, size := range [][2]int{{1, 2}, {1, 8}, {2, 64}, {100, 100}} {
					got, ok, err := storage.FindRelevantWalk(ctx(t), s, q, size[0], size[1])
					wantErr(t, "FindRelevantWalk", err, nil)
					if !ok {
						gaveUp++
						continue
					}
					found++
					same(t, fmt.Sprintf("%q %+v page %v walk %v", text, filter, page, size), got, want)
				}
				for _, window := range []int{5, 24, 60, 120, 16000} {
					got, ok, err := storage.FindRelevantFirst(ctx(t), s, q, window)
					wantErr(t, "FindRelevantFirst", err, nil)
					if ok {
						first++
						same(t, fmt.Sprintf("first %q %+v page %v window %d", text, filter, page, window), got, want)
					} else {
						firstFell++
					}
				}
				hits, err := s.FindPosts(ctx(t), q)
				wantErr(t, "FindPosts", err, nil)
				var got []string
				for _, h := range hits {
					got = append(got, h.PostID)
				}
				same(t, fmt.Sprintf("FindPosts %q %+v page %v", text, filter, page), got, want)
			}
		}
	}
	// Newest first: the walk reads past the hidden posts and the other
	// forum's, or joins every match.
	for _, text := range []string{"participation portal", "portal"} {
		for _, filter := range []struct{ lang, forum string }{{"", ""}, {"pt", ""}, {"", other.ID}, {"en", other.ID}} {
			for _, limit := range []int{1, 3, 10} {
				q := search.PostQuery{Parsed: search.Parse(text), Language: filter.lang, ForumID: filter.forum,
					Sort: search.Newest, Limit: limit}
				want, err := storage.FindNewestPG(ctx(t), s, q, 0)
				wantErr(t, "FindNewestPG, joined", err, nil)
				if len(want) != limit {
					t.Fatalf("%q %+v: %d posts newest first, want %d", text, filter, len(want), limit)
				}
				for _, window := range []int{5, 24, 120, 16000} {
					got, err := storage.FindNewestPG(ctx(t), s, q, window)
					wantErr(t, "FindNewestPG", err, nil)
					same(t, fmt.Sprintf("newest %q %+v limit %d window %d", text, filter, limit, window), got, want)
				}
			}
		}
	}
	t.Logf("the walks found %d pages and gave up %d times; the first walks %d and %d", found, gaveUp, first, firstFell)
	if first == 0 || firstFell == 0 {
		t.Errorf("the first walks found %d pages and fell short %d times: want both ways tested", first, firstFell)
	}
	if found == 0 || gaveUp == 0 {
		t.Errorf("the walks found %d pages and gave up %d times: want both ways tested", found, gaveUp)
	}
}

// TestSearchDocLanguage: every write of a document keeps its language
// column the post's (a relevance search on PostgreSQL filters and splits
// matches by it): a new thread and answer, an answer whose language is
// edited, an import, and a reindex after the column was lost.
func TestSearchDocLanguage(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		_, q := f.newThread(t, s, "Procurement of sensors")
		a := f.reply(t, s, q)
		edited := f.reply(t, s, q)
		edited.Language, edited.HTML, edited.Source = "fr", "<p>oui</p>", "oui"
		wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), edited), nil)
		relabelled := f.reply(t, s, q)
		relabelled.Language = "es" // same words: only the language changes
		wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), relabelled), nil)
		id := f.ids.New()
		th := &forum.Thread{ID: id, ForumID: f.forum.ID, AuthorID: f.member.ID, RootPostID: id, Title: "Importado",
			Language: "pt", LastPostID: id, LastPostAt: t0, CreatedAt: t0}
		imported := &forum.Post{ID: id, ThreadID: id, AuthorID: f.member.ID, BranchID: id, Language: "pt",
			HTML: "<p>sim</p>", CreatedAt: t0}
		wantErr(t, "ImportPosts", s.ImportPosts(ctx(t), []*forum.Thread{th}, []*forum.Post{imported}), nil)
		want := map[string]string{q.ID: "en", a.ID: "en", edited.ID: "fr", relabelled.ID: "es", imported.ID: "pt"}

		got, err := storage.SearchDocLanguages(ctx(t), s)
		wantErr(t, "SearchDocLanguages", err, nil)
		same(t, "languages after the writes", got, want)

		wantErr(t, "clear the column", storage.ExecForTest(ctx(t), s, "UPDATE search_docs SET language = ''"), nil)
		_, err = s.Reindex(ctx(t))
		wantErr(t, "Reindex", err, nil)
		got, err = storage.SearchDocLanguages(ctx(t), s)
		wantErr(t, "SearchDocLanguages", err, nil)
		same(t, "languages after a reindex", got, want)
	})
}

// TestFindPostsWalkTermCounts: a one-word query of four alternatives,
// where holding one more of them ranks a document only a third to a half
// higher, less than the reader's language raises it: the older documents
// holding more terms must still come first, found by the terms they hold
// with the walk's worst hit raised as its class allows. The documents'
// terms are written directly (an analysed text gives few alternatives).
func TestFindPostsWalkTermCounts(t *testing.T) {
	db := postgresDB(t)
	if db == nil {
		return
	}
	s := db.Store()
	f := newFixture(t, s)
	qs := questions{f: f}
	bodies := map[string]string{}
	at := t0
	doc := func(lang, terms string) {
		at = at.Add(time.Minute)
		id := f.ids.New()
		qs.add(id, lang, "Q", "<p>x</p>", at)
		bodies[id] = terms
	}
	for i := range 3 {
		doc("en", "wa wb wc")                                // the oldest: three terms
		doc("pt", "wa wb wc wd")                             // four terms, not the reader's language
		doc("es", []string{"wa wb", "wa wb wc", "wa wd"}[i]) // other language
	}
	for range 60 {
		doc("en", "wa wb") // the newest: two terms
	}
	qs.store(t, s)
	for id, body := range bodies {
		wantErr(t, "set the terms", storage.ExecForTest(ctx(t), s,
			fmt.Sprintf("UPDATE search_docs SET body = '%s', title = '' WHERE post_id = '%s'", body, id)), nil)
	}
	found := 0
	for _, rank := range []string{"en", "pt", "es", ""} {
		for _, page := range [][2]int{{0, 5}, {0, 10}, {8, 10}} {
			q := search.PostQuery{Parsed: search.Parsed{Groups: [][]string{{"wa", "wb", "wc", "wd"}}, Key: "zz"},
				RankLanguage: rank, Offset: page[0], Limit: page[1]}
			want, err := storage.FindRelevantAll(ctx(t), s, q)
			wantErr(t, "FindRelevantAll", err, nil)
			for _, size := range [][2]int{{1, 4}, {2, 64}} {
				got, ok, err := storage.FindRelevantWalk(ctx(t), s, q, size[0], size[1])
				wantErr(t, "FindRelevantWalk", err, nil)
				if ok {
					found++
					same(t, fmt.Sprintf("reader %q page %v walk %v", rank, page, size), got, want)
				}
			}
			for _, window := range []int{5, 24, 120, 16000} {
				got, ok, err := storage.FindRelevantFirst(ctx(t), s, q, window)
				wantErr(t, "FindRelevantFirst", err, nil)
				if ok {
					found++
					same(t, fmt.Sprintf("first, reader %q page %v window %d", rank, page, window), got, want)
				}
			}
		}
	}
	if found == 0 {
		t.Error("the walks found no page")
	}
}
