package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// TestCachedThreadPageIsTheUncachedPage: a member's thread page built
// from the thread cache (a cached read of the thread, cached post
// fragments, the member's marks in one query) is, byte for byte, the
// page a server without the cache renders for the same member at the
// same moment: for the author, another member with a helpful mark, a
// moderator, a visitor, on the first page of 50 answers and the next.
func TestCachedThreadPageIsTheUncachedPage(t *testing.T) {
	ctx := context.Background()
	s := newSite(t)
	svc := s.rig.Service
	th, err := svc.Ask(ctx, s.cast.Barcelona, s.cast.Forum.ID, forum.Question{Title: "Open data portals: what worked?",
		Body: "Tell us **what** worked.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	var answers []*forum.Post
	for i := range 55 {
		author := []*forum.Member{s.cast.BeloHz, s.cast.Toronto, s.cast.Moderator}[i%3]
		a, err := svc.Reply(ctx, author, th.ID, "", forum.Answer{Body: fmt.Sprintf("Answer %d: budgets first.", i), Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		answers = append(answers, a)
	}
	if _, err := svc.Reply(ctx, s.cast.Barcelona, th.ID, answers[1].ID, forum.Answer{Body: "Which budgets?", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	twin, err := s.web.UncachedTwin()
	if err != nil {
		t.Fatal(err)
	}
	uncached := httptest.NewServer(twin)
	t.Cleanup(uncached.Close)

	marta, joao, mod := s.signedIn("marta"), s.signedIn("joao"), s.signedIn("moderator")
	if p := marta.post(uris.PostPath(answers[2].ID)+"/helpful", url.Values{"on": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("helpful: %d", p.status)
	}
	if p := joao.post("/watch", url.Values{"target": {"thread"}, "id": {th.ID}, "on": {"0"}}); p.status != http.StatusSeeOther {
		t.Fatalf("unwatch: %d", p.status)
	}
	first := uris.ThreadPath(th.ID)
	cursor := nextLink.FindStringSubmatch(marta.get(first).body)
	if cursor == nil {
		t.Fatal("the first page links no next page")
	}
	paths := []string{first, first + "?after=" + html.UnescapeString(cursor[1])}
	for _, tc := range []struct {
		name string
		b    *browser
	}{{"author of the question", marta}, {"author of answers", joao}, {"moderator", mod}, {"visitor", s.browser()}} {
		for _, path := range paths {
			t.Run(tc.name+" "+path, func(t *testing.T) {
				tc.b.get(path) // moves the read position: later pages are alike
				cached := tc.b.get(path)
				if cached.status != http.StatusOK {
					t.Fatalf("cached page: status %d", cached.status)
				}
				req, _ := http.NewRequest(http.MethodGet, uncached.URL+path, nil)
				plain := tc.b.do(req)
				again := tc.b.get(path)
				if plain.status != http.StatusOK {
					t.Fatalf("uncached page: status %d", plain.status)
				}
				if cached.body != plain.body || again.body != plain.body {
					t.Errorf("the cached page differs from the uncached one:\n%s", firstDiff(cached.body, plain.body))
				}
			})
		}
	}
}

// nextLink finds the cursor of a thread page's link to the next.
var nextLink = regexp.MustCompile(`rel="next" href="[^"?]*\?after=([^"]+)"`)

// firstDiff shows where a and b part, with some context.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-120)
	return fmt.Sprintf("cached:   …%s…\nuncached: …%s…", a[lo:min(len(a), i+120)], b[lo:min(len(b), i+120)])
}
