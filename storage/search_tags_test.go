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

// tagCorpus is what a tag's page and /tags are read from: tagged posts
// anyone may read, and tagged posts nobody may (deleted, in a deleted
// thread, by a member or in a forum of a blocked instance), each of the
// latter stored after the ones that stand, where a missing filter would
// put it first.
type tagCorpus struct {
	f *fixture
	// visible are the threads #civic lists, in the order it lists them.
	visible []*forum.Thread
	names   map[forum.ID]string
}

// tagged is a post's HTML carrying the tags, as our renderer links them.
func tagged(tags ...string) string {
	var b strings.Builder
	b.WriteString("<p>About")
	for _, t := range tags {
		fmt.Fprintf(&b, ` <a href="https://agora.test/tags/%s" class="mention hashtag" rel="tag">#<span>%s</span></a>`,
			strings.ToLower(t), t)
	}
	b.WriteString(".</p>")
	return b.String()
}

func newTagCorpus(t *testing.T, s *storage.Store) *tagCorpus {
	t.Helper()
	f := newFixture(t, s)
	c := &tagCorpus{f: f, names: map[forum.ID]string{}}
	remote := &forum.Member{ID: f.ids.New(), Username: "rui", Domain: "bh.example", URI: "https://bh.example/u/rui",
		Role: forum.RoleMember, CreatedAt: t0}
	wantErr(t, "CreateMember", s.CreateMember(ctx(t), remote), nil)
	spammer := f.blockedSpammer(t, s) // blocks spam.example
	spamForum := &forum.Forum{ID: f.ids.New(), Slug: "deals@forums.spam.example", Language: "en",
		URI: "https://forums.spam.example/f/deals", Domain: "forums.spam.example", CreatedAt: t0,
		Texts: map[string]forum.ForumText{"en": {Title: "Deals"}}}
	wantErr(t, "CreateForum", s.CreateForum(ctx(t), spamForum), nil)

	at := t0
	thread := func(name string, fo *forum.Forum, author *forum.Member, html string) *forum.Thread {
		at = at.Add(time.Minute)
		id := f.ids.New()
		th := &forum.Thread{ID: id, ForumID: fo.ID, AuthorID: author.ID, RootPostID: id, Title: name,
			Language: "en", LastPostID: id, LastPostAt: at, CreatedAt: at}
		q := &forum.Post{ID: id, ThreadID: id, AuthorID: author.ID, BranchID: id, Language: "en", HTML: html, CreatedAt: at}
		if !author.Local() || !fo.Local() {
			th.URI, q.URI = "https://"+author.Domain+fo.Domain+"/t/"+id, "https://"+author.Domain+fo.Domain+"/t/"+id
		}
		wantErr(t, "CreateThread "+name, s.CreateThread(ctx(t), th, q), nil)
		c.names[id] = name
		return th
	}
	answer := func(th *forum.Thread, author *forum.Member, html string) *forum.Post {
		at = at.Add(time.Minute)
		p := &forum.Post{ID: f.ids.New(), ThreadID: th.ID, AuthorID: author.ID, ParentID: th.RootPostID,
			Language: "en", HTML: html, CreatedAt: at}
		p.BranchID = p.ID
		if !author.Local() {
			p.URI = author.URI + "/p/" + p.ID
		}
		wantErr(t, "CreatePost", s.CreatePost(ctx(t), p), nil)
		return p
	}
	ana := f.member
	first := thread("first", f.forum, ana, tagged("Civic", "Zoning"))
	second := thread("second", f.forum, ana, tagged("civic"))
	// An answer from another instance, newer than "second": "first"
	// comes first, by its newest post carrying the tag.
	answer(first, remote, tagged("CIVIC"))
	c.visible = []*forum.Thread{first, second}

	// What nobody may read, stored last.
	thread("spam", f.forum, spammer, tagged("Civic", "SpamTag"))
	answer(second, spammer, tagged("civic", "SpamTag")) // would put "second" first
	thread("spam forum", spamForum, ana, tagged("civic", "SpamTag"))
	gone := answer(second, ana, tagged("civic", "GoneTag"))
	gone.DeletedAt = ptr(at)
	wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), gone), nil)
	goneThread := thread("gone thread", f.forum, ana, tagged("civic", "GoneTag"))
	goneThread.DeletedAt = ptr(at)
	wantErr(t, "UpdateThread", s.UpdateThread(ctx(t), goneThread), nil)
	return c
}

// TestFindTags: /tags and the search page's tags count only the posts
// anyone may read: not deleted, in a thread that is not, by a member and
// in a forum of no blocked instance; a tag only those carry is no tag.
func TestFindTags(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		newTagCorpus(t, s)
		for _, tc := range []struct {
			name          string
			prefix, after string
			limit         int
			want          []search.TagCount
		}{
			{"every tag", "", "", 10, []search.TagCount{{Tag: "civic", Count: 3}, {Tag: "zoning", Count: 1}}},
			{"a page", "", "", 1, []search.TagCount{{Tag: "civic", Count: 3}}},
			{"the next page", "", "civic", 10, []search.TagCount{{Tag: "zoning", Count: 1}}},
			{"a prefix", "ZON", "", 10, []search.TagCount{{Tag: "zoning", Count: 1}}},
			{"a tag only hidden posts carry", "spam", "", 10, []search.TagCount{}},
			{"a tag only deleted posts carry", "gone", "", 10, []search.TagCount{}},
		} {
			got, err := s.FindTags(ctx(t), tc.prefix, tc.after, tc.limit)
			wantErr(t, "FindTags "+tc.name, err, nil)
			same(t, tc.name, got, tc.want)
		}
	})
}

// TestListTaggedThreads: a tag's threads, by the newest post anyone may
// read that carries the tag, paged by that post's ID: every page after
// the one before, none repeated, none missed; the hidden posts neither
// list a thread nor move one up.
func TestListTaggedThreads(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		c := newTagCorpus(t, s)
		// More threads than a page, each tagged once, newer than the
		// corpus's: they come first, newest first.
		want := []string{}
		for i := range 7 {
			th, q := c.f.newThread(t, s, fmt.Sprintf("more %d", i))
			q.HTML = tagged("Civic")
			wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), q), nil)
			c.names[th.ID] = th.Title
			want = append([]string{th.Title}, want...)
		}
		for _, th := range c.visible {
			want = append(want, c.names[th.ID])
		}
		for _, limit := range []int{3, 9, 20} {
			var got []string
			before := forum.ID("")
			for page := 0; ; page++ {
				if page > 10 {
					t.Fatalf("limit %d: more than 10 pages", limit)
				}
				list, err := s.ListTaggedThreads(ctx(t), "civic", before, limit)
				wantErr(t, "ListTaggedThreads", err, nil)
				for _, tt := range list {
					got = append(got, c.names[tt.Thread.ID])
					before = tt.PostID
				}
				if len(list) < limit {
					break
				}
			}
			same(t, fmt.Sprintf("limit %d", limit), got, want)
		}
		for _, tag := range []string{"spamtag", "gonetag", "nothing"} {
			list, err := s.ListTaggedThreads(ctx(t), tag, "", 10)
			wantErr(t, "ListTaggedThreads "+tag, err, nil)
			same(t, tag, len(list), 0)
		}
	})
}
