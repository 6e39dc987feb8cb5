package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
	"github.com/metropolis/agora/uris"
	"github.com/metropolis/agora/web"
)

// frozen is a write counter that never moves: pages stay cached.
type frozen struct{}

func (frozen) Version() uint64 { return 1 }

// TestPageCacheServesVisitors: with a counter that never moves, a visitor
// gets the cached page even after the thread changed, which shows the
// cache is used; a signed-in member always gets a fresh page.
func TestPageCacheServesVisitors(t *testing.T) {
	ctx := context.Background()
	s := newSiteWith(t, func(*testrig.Rig) web.Versioner { return frozen{} })
	th, err := s.rig.Service.Ask(ctx, s.cast.Barcelona, s.cast.Forum.ID, forum.Question{Title: "Open data portals: what worked?", Body: "Tell us.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	visitor := s.browser()
	mustContain(t, visitor.get(uris.ThreadPath(th.ID)), "Tell us.")
	if _, err := s.rig.Service.Reply(ctx, s.cast.Toronto, th.ID, "", forum.Answer{Body: "Budgets first.", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	if p := visitor.get(uris.ThreadPath(th.ID)); strings.Contains(p.body, "Budgets first.") {
		t.Fatal("the visitor's page was rendered again: no cache in use")
	}
	mustContain(t, s.signedIn("joao").get(uris.ThreadPath(th.ID)), "Budgets first.")
}

// TestPageCacheFollowsChanges: with the database's write counter (as
// nodes run), every change shows on a visitor's next page: a new answer,
// an edit, a delete, a renamed author, a new thread in the forum list.
func TestPageCacheFollowsChanges(t *testing.T) {
	ctx := context.Background()
	s := newSite(t)
	svc := s.rig.Service
	th, err := svc.Ask(ctx, s.cast.Barcelona, s.cast.Forum.ID, forum.Question{Title: "Open data portals: what worked?", Body: "Tell us.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	visitor := s.browser()
	path := uris.ThreadPath(th.ID)
	forumPath := uris.ForumPath(s.cast.Forum.Slug)
	mustContain(t, visitor.get(path), "Tell us.")
	mustContain(t, visitor.get(forumPath), "Open data portals: what worked?")

	a, err := svc.Reply(ctx, s.cast.Toronto, th.ID, "", forum.Answer{Body: "Budgets first.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, visitor.get(path), "Budgets first.")

	if _, err := svc.EditPost(ctx, s.cast.Toronto, a.ID, forum.Edit{Body: "Budgets and transport first.", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, visitor.get(path), "Budgets and transport first.")

	if _, err := svc.DeletePost(ctx, s.cast.Toronto, a.ID); err != nil {
		t.Fatal(err)
	}
	if p := visitor.get(path); strings.Contains(p.body, "Budgets and transport first.") {
		t.Fatal("a deleted answer is still shown to visitors")
	}

	if _, err := svc.UpdateProfile(ctx, s.cast.Barcelona, s.cast.Barcelona.ID, forum.Profile{DisplayName: "Marta Puig i Serra",
		Title: "Innovation Coordinator", Organisation: "Barcelona Metropolitan Area", Languages: []string{"ca", "es", "en"}}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, visitor.get(path), "Marta Puig i Serra")

	if _, err := svc.Ask(ctx, s.cast.BeloHz, s.cast.Forum.ID, forum.Question{Title: "Who owns city data?", Body: "Contracts?", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, visitor.get(forumPath), "Who owns city data?")
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// TestPageCacheKeepsEachVisitorsToken: a cached page carries each
// visitor's own CSRF token in its forms, and each language its own page.
func TestPageCacheKeepsEachVisitorsToken(t *testing.T) {
	s := newSite(t)
	path := uris.ForumPath(s.cast.Forum.Slug)
	for i := range 3 {
		b := s.browser()
		token := b.csrf()
		p := b.get(path)
		if p.status != http.StatusOK {
			t.Fatalf("visitor %d: status %d", i, p.status)
		}
		got := csrfInput.FindAllStringSubmatch(p.body, -1)
		if len(got) == 0 {
			t.Fatalf("visitor %d: no CSRF field in the page", i)
		}
		for _, m := range got {
			if m[1] != token {
				t.Fatalf("visitor %d: form token %q, want the visitor's own %q", i, m[1], token)
			}
		}
	}
	es := s.browser()
	es.lang = "es"
	mustContain(t, es.get(path), "Foro de aprendizaje sobre digitalización")
	mustContain(t, s.browser().get(path), "Learning forum on digitalisation")
}

// byThread is a write counter the test moves by hand, per thread (as
// storage.Changes versions threads apart).
type byThread struct {
	mu      sync.Mutex
	all     uint64
	threads map[string]uint64
}

func (c *byThread) Version() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.all
	for _, v := range c.threads {
		n += v
	}
	return n
}

func (c *byThread) ThreadVersion(id string) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.all + c.threads[id]
}

func (c *byThread) bump(thread string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if thread == "" {
		c.all++
		return
	}
	c.threads[thread]++
}

// TestPageCacheByThread: a write to thread A drops A's cached page and
// keeps thread B's (served from the cache: B's own new answer, written
// without moving B's version, does not show); a write of unknown scope
// drops every page.
func TestPageCacheByThread(t *testing.T) {
	ctx := context.Background()
	c := &byThread{threads: map[string]uint64{}}
	s := newSiteWith(t, func(*testrig.Rig) web.Versioner { return c })
	svc := s.rig.Service
	ask := func(title string) *forum.Thread {
		th, err := svc.Ask(ctx, s.cast.Barcelona, s.cast.Forum.ID, forum.Question{Title: title, Body: "Tell us.", Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		return th
	}
	reply := func(th *forum.Thread, body string) {
		if _, err := svc.Reply(ctx, s.cast.Toronto, th.ID, "", forum.Answer{Body: body, Language: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	a, b := ask("Open data portals: what worked?"), ask("Who owns city data?")
	visitor := s.browser()
	mustContain(t, visitor.get(uris.ThreadPath(a.ID)), "Tell us.")
	mustContain(t, visitor.get(uris.ThreadPath(b.ID)), "Tell us.")

	reply(a, "Budgets first.")
	reply(b, "Contracts first.") // B's version does not move: its page must come from the cache
	c.bump(a.ID)
	mustContain(t, visitor.get(uris.ThreadPath(a.ID)), "Budgets first.")
	if p := visitor.get(uris.ThreadPath(b.ID)); strings.Contains(p.body, "Contracts first.") {
		t.Fatal("a write to thread A dropped thread B's cached page")
	}

	c.bump("") // a write of unknown scope
	mustContain(t, visitor.get(uris.ThreadPath(b.ID)), "Contracts first.")
}
