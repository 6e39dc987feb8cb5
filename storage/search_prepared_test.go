package storage_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/storage"
)

// TestSearchPreparedRows: on PostgreSQL, the prepared statements that
// read the walked documents (ranked, and newest first) return every
// column of every row the bun statements they replaced return, for each
// filter, exact titles or none, limits below and above the matches, and
// ids that are not matches (another query's document, an unknown id,
// ids a text[] literal must quote).
func TestSearchPreparedRows(t *testing.T) {
	db := postgresDB(t)
	if db == nil {
		return
	}
	s := db.Store()
	f := newFixture(t, s)
	other := f.mobilityForum(t, s)
	blocked := f.blockedSpammer(t, s)
	lisboa := &forum.Member{ID: f.ids.New(), Username: "rui", Organisation: "Lisboa", Role: forum.RoleMember, CreatedAt: t0}
	wantErr(t, "CreateMember", s.CreateMember(ctx(t), lisboa), nil)

	var threads []*forum.Thread
	var posts []*forum.Post
	var ids []string
	at := t0
	for i := range 40 {
		at = at.Add(time.Hour)
		fo, author, lang := f.forum, f.member, []string{"en", "pt", "es"}[i%3]
		if i%4 == 1 {
			fo = other
		}
		if i%5 == 2 {
			author = lisboa
		}
		if i%9 == 8 {
			author = blocked
		}
		title, body := "Question", "participation portal"
		switch {
		case i%6 == 5:
			title = "Participation portal" // an exact title
		case i%10 == 3:
			body = "something else entirely" // walked by another query
		}
		id := f.ids.New()
		th := &forum.Thread{ID: id, ForumID: fo.ID, AuthorID: author.ID, RootPostID: id, Title: title,
			Language: lang, LastPostID: id, LastPostAt: at, CreatedAt: at}
		q := &forum.Post{ID: id, ThreadID: id, AuthorID: author.ID, BranchID: id, Language: lang,
			HTML: "<p>" + body + "</p>", CreatedAt: at}
		if !author.Local() {
			th.URI, q.URI = author.URI+"/t/"+id, author.URI+"/t/"+id
		}
		if i%7 == 0 {
			gp := at.Add(time.Minute)
			q.GoodPracticeAt = &gp
		}
		threads, posts, ids = append(threads, th), append(posts, q), append(ids, id)
		if i%3 == 0 {
			a := &forum.Post{ID: f.ids.New(), ThreadID: id, ParentID: id, AuthorID: f.member.ID, Language: lang,
				HTML: "<p>a portal for participation</p>", CreatedAt: at.Add(time.Minute)}
			a.BranchID = a.ID
			if !author.Local() {
				a.AuthorID = author.ID
				a.URI = author.URI + "/a/" + a.ID
			}
			posts, ids = append(posts, a), append(ids, a.ID)
		}
	}
	wantErr(t, "ImportPosts", s.ImportPosts(ctx(t), threads, posts), nil)
	gone := threads[len(threads)-2]
	gone.DeletedAt = &at
	wantErr(t, "UpdateThread", s.UpdateThread(ctx(t), gone), nil)
	walked := append(ids, f.ids.New(), `x"y\z`, "a,b", "{}")

	rows := 0
	for _, text := range []string{"participation portal", "portal", "something"} {
		for _, filter := range []search.PostQuery{
			{RankLanguage: "en"}, {RankLanguage: "pt"}, {},
			{Language: "pt", RankLanguage: "pt"}, {ForumID: other.ID, RankLanguage: "es"},
			{AuthorID: lisboa.ID}, {Organisation: "Lisboa"}, {GoodPractice: true}, {Questions: true},
			{Since: t0.Add(10 * time.Hour), Until: t0.Add(30 * time.Hour), RankLanguage: "en"},
			{Before: ids[len(ids)/2]},
		} {
			for _, limit := range []int{1, 5, 100} {
				for _, set := range [][]string{walked, walked[:7]} {
					q := filter
					q.Parsed, q.Limit = search.Parse(text), limit
					what := fmt.Sprintf("%q %+v limit %d, %d ids", text, filter, limit, len(set))
					got, want, err := storage.RankWalked(ctx(t), s, q, set, limit)
					wantErr(t, "RankWalked "+what, err, nil)
					same(t, "ranked "+what, got, want)
					got, want, err = storage.NewestWalked(ctx(t), s, q, set)
					wantErr(t, "NewestWalked "+what, err, nil)
					same(t, "newest "+what, got, want)
					rows += len(want)
				}
			}
		}
	}
	if rows == 0 {
		t.Error("no statement returned a row")
	}
}

// TestSearchPreparedPlan: on PostgreSQL, the walked documents' ranking
// statement reads them by their ids and tests the match on their rows,
// planned for its values or generic: ANDing the GIN index's bitmap of
// every match (which the planner did with the match as a plain
// condition) read thousands of index entries for a few dozen documents.
func TestSearchPreparedPlan(t *testing.T) {
	db := postgresDB(t)
	if db == nil {
		return
	}
	s := db.Store()
	f := newFixture(t, s)
	qs := questions{f: f}
	var ids []string
	at := t0
	for i := range 400 {
		at = at.Add(time.Minute)
		id := f.ids.New()
		body := "participation portal"
		if i%50 != 0 {
			body = fmt.Sprintf("word%d other%d", i, i%7)
		}
		qs.add(id, "en", "Question", "<p>"+body+"</p>", at)
		ids = append(ids, id)
	}
	qs.store(t, s)
	_, err := db.Bun().ExecContext(ctx(t), "ANALYZE")
	wantErr(t, "ANALYZE", err, nil)
	for _, q := range []search.PostQuery{
		{Parsed: search.Parse("participation portal"), RankLanguage: "en"},
		{Parsed: search.Parse("participation"), ForumID: f.forum.ID},
	} {
		plans, err := storage.WalkedPlans(ctx(t), s, q, ids[len(ids)-22:], 42)
		wantErr(t, "WalkedPlans", err, nil)
		for i, plan := range plans {
			if strings.Contains(plan, "search_docs_tsv_idx") || !strings.Contains(plan, "search_docs_pkey") {
				t.Errorf("%q, plan %d reads the GIN index, or not the ids:\n%s", q.Parsed.Words, i, plan)
			}
		}
	}
}
