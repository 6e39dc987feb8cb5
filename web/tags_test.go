package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/testrig"
)

// TestTagPage: a hashtag's page lists the live threads whose posts carry
// it (not a longer tag that starts the same), and nothing else.
func TestTagPage(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	tagged, err := s.rig.Service.Ask(ctx, s.cast.Barcelona, s.cast.Forum.ID,
		forum.Question{Title: "Digital ID for residents?", Body: "Pros and cons.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.rig.Service.Reply(ctx, s.cast.Barcelona, tagged.ID, "", forum.Answer{Body: "See #DigitalID pilots.", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.rig.Service.Ask(ctx, s.cast.Barcelona, s.cast.Forum.ID,
		forum.Question{Title: "Longer tag only", Body: "About #DigitalIDs and `#digitalid` in code.", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	link := `<a href="` + testrig.BaseURL + `/tags/digitalid" class="mention hashtag" rel="tag nofollow noreferrer">#<span>DigitalID</span></a>`
	if p := b.get("/t/" + tagged.ID); !strings.Contains(p.body, link) {
		t.Fatalf("thread page has no hashtag link %s:\n%s", link, p.body)
	}
	p := b.get("/tags/digitalid")
	if p.status != http.StatusOK || !strings.Contains(p.body, "Digital ID for residents?") || strings.Contains(p.body, "Longer tag only") {
		t.Fatalf("tag page: %d\n%s", p.status, p.body)
	}
	// Case is ignored beyond ASCII, on every database.
	if _, err := s.rig.Service.Ask(ctx, s.cast.Barcelona, s.cast.Forum.ID,
		forum.Question{Title: "Birds in parks", Body: "Seen a #Ñandú?", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, b.get("/tags/"+url.PathEscape("ñandú")), "Birds in parks")
	if p := b.get("/tags/nothing"); p.status != http.StatusOK || !strings.Contains(p.body, "No question carries this tag yet.") {
		t.Fatalf("empty tag page: %d\n%s", p.status, p.body)
	}
	if p := b.get("/tags/not-a-tag"); p.status != http.StatusNotFound {
		t.Fatalf("invalid tag: %d", p.status)
	}
}

// TestTagPagePaged: a tag's page lists forum.TaggedThreadsLimit threads
// and links the next page, which lists the rest: none repeated, none
// missed, the thread with the newest post carrying the tag first. A
// later page says it is one (title and heading) and links back to the
// newest; a cursor no page gave is refused in the reader's language, as
// on every paged list.
func TestTagPagePaged(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	var want []string // thread IDs, newest tagged post first
	for i := range forum.TaggedThreadsLimit + 3 {
		th, err := s.rig.Service.Ask(ctx, s.cast.Barcelona, s.cast.Forum.ID,
			forum.Question{Title: fmt.Sprintf("Kiosk %d", i), Body: "Do you run #Kiosks?", Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		want = append([]string{th.ID}, want...)
	}
	// An answer carrying the tag brings the oldest thread to the top.
	oldest := want[len(want)-1]
	if _, err := s.rig.Service.Reply(ctx, s.cast.Toronto, oldest, "", forum.Answer{Body: "Ours too: #kiosks.", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	want = append([]string{oldest}, want[:len(want)-1]...)

	thread := regexp.MustCompile(`<h2 lang="en"><a href="/t/([^"]+)">`)
	next := regexp.MustCompile(`<a rel="next" href="([^"]+)">Older questions</a>`)
	b := s.browser()
	var got []string
	var pages []page
	for path := "/tags/kiosks"; path != ""; {
		if len(pages) > 3 {
			t.Fatalf("more than 3 pages: %v", pages)
		}
		p := b.get(path)
		if p.status != http.StatusOK {
			t.Fatalf("%s: %d\n%s", path, p.status, p.body)
		}
		pages = append(pages, p)
		for _, m := range thread.FindAllStringSubmatch(p.body, -1) {
			got = append(got, m[1])
		}
		path = ""
		if m := next.FindStringSubmatch(p.body); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	if len(pages) != 2 || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("%d pages listing\n%v\nwant 2 listing\n%v", len(pages), got, want)
	}
	mustContain(t, pages[0], "<title>Tagged #kiosks · agora</title>")
	mustContain(t, pages[1], "<title>Tagged #kiosks: older questions · agora</title>", "<h1>Tagged #kiosks: older questions</h1>",
		`<nav aria-label="Pages">`, `<a rel="first" href="/tags/kiosks">Newest questions</a>`)
	if strings.Contains(pages[0].body, `rel="first"`) {
		t.Error("the first page links itself as the first")
	}

	es := s.browser()
	es.lang = "es"
	for _, cursor := range []string{"junk", "01JUNK", "%00"} {
		p := b.get("/tags/kiosks?before=" + cursor)
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, "Page: is not a valid page") {
			t.Errorf("cursor %q: %d\n%s", cursor, p.status, p.body)
		}
	}
	if p := es.get("/tags/kiosks?before=junk"); p.status != http.StatusBadRequest || !strings.Contains(p.body, "Página: no es una página válida") {
		t.Errorf("cursor in Spanish: %d\n%s", p.status, p.body)
	}
}

// TestTagsHideWhatNobodyMayRead: a tag carried by a member of a blocked
// instance, by a deleted answer or in a deleted thread is neither counted
// on /tags nor lists its thread on the tag's page (blocking takes effect
// at once, on posts received before).
func TestTagsHideWhatNobodyMayRead(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	ask := func(by *forum.Member, title, body string) *forum.Thread {
		t.Helper()
		th, err := s.rig.Service.Ask(ctx, by, s.cast.Forum.ID, forum.Question{Title: title, Body: body, Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		return th
	}
	ask(s.cast.Barcelona, "Kiosks in libraries", "Do you run #Kiosks?")
	quiet := ask(s.cast.Barcelona, "Opening hours", "No tag here.")
	spammer, err := s.rig.Service.SaveRemoteMember(ctx, forum.RemoteProfile{URI: "https://social.spam.example/u/deals",
		Domain: "social.spam.example", Username: "deals", DisplayName: "Deals"})
	if err != nil {
		t.Fatal(err)
	}
	root, err := s.rig.Service.Post(ctx, quiet.RootPostID)
	if err != nil {
		t.Fatal(err)
	}
	hashtag := func(tag string) string {
		return `<a href="https://social.spam.example/tags/` + strings.ToLower(tag) + `" class="mention hashtag" rel="tag">#<span>` + tag + `</span></a>`
	}
	if _, err := s.rig.Service.ReceiveAnswer(ctx, quiet, root, forum.RemotePost{URI: "https://social.spam.example/p/1",
		Author: spammer, HTML: "<p>Buy " + hashtag("Kiosks") + " " + hashtag("CheapDeals") + "</p>", Language: "en",
		Published: s.rig.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	gone := ask(s.cast.Toronto, "A question deleted", "About #Kiosks and #GoneTag.")
	if _, err := s.rig.Service.DeleteThread(ctx, s.cast.Moderator, gone.ID); err != nil {
		t.Fatal(err)
	}
	answer, err := s.rig.Service.Reply(ctx, s.cast.Toronto, quiet.ID, "", forum.Answer{Body: "#Kiosks, #GoneTag.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.rig.Service.DeletePost(ctx, s.cast.Toronto, answer.ID); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	// Before the block: the spammer's post carries its tags.
	mustContain(t, b.get("/tags"), `#kiosks</a> (2 posts)`, `#cheapdeals</a> (1 post)`)
	mustContain(t, b.get("/tags/kiosks"), "Kiosks in libraries", "Opening hours")

	if err := s.rig.DB.Store().BlockDomain(ctx, &federation.DomainBlock{Domain: "spam.example", CreatedAt: s.rig.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	tags := b.get("/tags")
	mustContain(t, tags, `href="/tags/kiosks">#kiosks</a> (1 post)`)
	kiosks := b.get("/tags/kiosks")
	mustContain(t, kiosks, "Kiosks in libraries")
	for _, not := range []struct {
		p    page
		what string
	}{{tags, "cheapdeals"}, {tags, "gonetag"}, {kiosks, "Opening hours"}, {kiosks, "A question deleted"}} {
		if strings.Contains(not.p.body, not.what) {
			t.Errorf("%q shown:\n%s", not.what, not.p.body)
		}
	}
	for _, tag := range []string{"cheapdeals", "gonetag"} {
		mustContain(t, b.get("/tags/"+tag), "No question carries this tag yet.")
	}
}

// TestTagsIndexPaged: /tags lists search.TagsPageSize tags by name and
// links the next page (?after= the last tag), which lists the rest.
func TestTagsIndexPaged(t *testing.T) {
	s := newSite(t)
	var body strings.Builder
	var want []string
	for i := range search.TagsPageSize + 2 {
		tag := fmt.Sprintf("tag%03d", i)
		fmt.Fprintf(&body, "#%s ", tag)
		want = append(want, tag)
	}
	if _, err := s.rig.Service.Ask(context.Background(), s.cast.Barcelona, s.cast.Forum.ID,
		forum.Question{Title: "Many tags", Body: body.String(), Language: "en"}); err != nil {
		t.Fatal(err)
	}
	tag := regexp.MustCompile(`<li><a href="/tags/([^"]+)">#`)
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">More tags</a>`)
	b := s.browser()
	var got []string
	pages := 0
	for path := "/tags"; path != ""; pages++ {
		if pages > 3 {
			t.Fatal("more than 3 pages")
		}
		p := b.get(path)
		if p.status != http.StatusOK {
			t.Fatalf("%s: %d", path, p.status)
		}
		for _, m := range tag.FindAllStringSubmatch(p.body, -1) {
			got = append(got, m[1])
		}
		path = ""
		if m := next.FindStringSubmatch(p.body); m != nil {
			path = html.UnescapeString(m[1])
		}
		if pages == 0 && path != "/tags?after="+want[search.TagsPageSize-1] {
			t.Errorf("next page %q", path)
		}
	}
	if pages != 2 || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("%d pages listing %v, want 2 listing %v", pages, got, want)
	}
}
