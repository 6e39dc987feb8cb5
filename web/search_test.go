package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
)

// searchSite is a site with questions and answers in several languages.
type searchSite struct {
	*site
	question *forum.Thread
	answer   *forum.Post
}

func newSearchSite(t *testing.T) *searchSite {
	t.Helper()
	s := newSite(t)
	ctx := context.Background()
	q, err := s.rig.Service.Ask(ctx, s.cast.Barcelona, s.cast.Forum.ID,
		forum.Question{Title: "¿Cómo va la digitalización de trámites?", Body: "En Barcelona empezamos en 2020.", Language: "es"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.rig.Service.Reply(ctx, s.cast.BeloHz, q.ID, "", forum.Answer{
		Body: "Em Belo Horizonte a digitalização dos serviços foi rápida desde 2020. #GovDigital", Language: "pt"})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := s.rig.Service.Reply(ctx, s.cast.Toronto, q.ID, "", forum.Answer{Body: "Digitalization, deleted later.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.rig.Service.DeletePost(ctx, s.cast.Toronto, gone.ID); err != nil {
		t.Fatal(err)
	}
	return &searchSite{site: s, question: q, answer: a}
}

// TestSearchPage: the search page finds questions and answers across
// languages and accents, highlights the words, leaves deleted posts out,
// filters, and names a filter it could not use while keeping what was
// typed.
func TestSearchPage(t *testing.T) {
	s := newSearchSite(t)
	if _, err := s.rig.Service.SetGoodPractice(context.Background(), s.cast.Moderator, s.answer.ID, true); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	home := b.get("/")
	mustContain(t, home, `action="/search"`, `role="search"`)
	for _, tc := range []struct {
		name, query string
		want, not   []string
	}{
		{"Spanish accents typed without them", "q=digitalizacion",
			[]string{`<h3 lang="es"`, "¿Cómo va la <mark>digitalización</mark> de trámites?"}, []string{"deleted later", `<h3 lang="pt"`}},
		{"Portuguese accents typed without them", "q=DIGITALIZACAO",
			[]string{`<h3 lang="pt"`, "<mark>digitalização</mark>", "Belo Horizonte"}, []string{`<h3 lang="es"`}},
		{"both", "q=2020", []string{`<h3 lang="es"`, `<h3 lang="pt"`, "<mark>2020</mark>"}, []string{"deleted later"}},
		{"language filter", "q=2020&lang=pt", []string{`<h3 lang="pt"`}, []string{`<h3 lang="es"`}},
		{"good practices", "q=2020&gp=1", []string{`<h3 lang="pt"`}, []string{`<h3 lang="es"`}},
		{"questions", "q=2020&questions=1", []string{`<h3 lang="es"`}, []string{`<h3 lang="pt"`}},
		{"author", "q=2020&author=marta", []string{`<h3 lang="es"`}, []string{`<h3 lang="pt"`}},
		{"organisation", "q=2020&org=Belo+Horizonte", []string{`<h3 lang="pt"`}, []string{`<h3 lang="es"`}},
		{"forum", "q=2020&forum=digitalisation", []string{`<h3 lang="es"`, `<h3 lang="pt"`}, nil},
		{"newest first", "q=2020&sort=newest", []string{`<h3 lang="pt"`}, nil},
		{"unknown forum", "q=2020&forum=nope", []string{"There is no such forum", `<h3 lang="es"`}, nil},
		{"unknown author", "q=2020&author=nobody", []string{"No member is called “nobody”", `value="nobody"`}, []string{`<h3 lang="es"`}},
		{"bad date kept", "q=2020&from=31%2F12%2F2020", []string{"is not a date", `value="31/12/2020"`, `<h3 lang="es"`}, nil},
		{"date range", "q=2020&from=2000-01-01&to=2000-12-31", []string{"Nothing found"}, []string{`<h3 lang="es"`}},
		{"members and forums", "q=puig", []string{"Marta Puig"}, nil},
		{"forums", "q=learning", []string{"Learning forum on digitalisation"}, nil},
		{"tags", "q=govdigital", []string{`href="/tags/govdigital"`}, nil},
		{"empty", "q=", []string{`id="search-q"`}, []string{"Nothing found"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := b.get("/search?" + tc.query)
			if p.status != http.StatusOK {
				t.Fatalf("status %d\n%s", p.status, p.body)
			}
			for _, w := range tc.want {
				if !strings.Contains(p.body, w) {
					t.Errorf("missing %q", w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(p.body, n) {
					t.Errorf("has %q", n)
				}
			}
			if len(p.body) > 20<<10 {
				t.Errorf("page is %d bytes, want < 20 KB", len(p.body))
			}
		})
	}
}

// TestSearchBadInput: whatever is typed, the answer is a page.
func TestSearchBadInput(t *testing.T) {
	s := newSearchSite(t)
	b := s.browser()
	for _, q := range []string{"", " ", `"`, `"unclosed`, "*", "NEAR", "NEAR(a b)", ":", "title:x", "a:*",
		"'; DROP TABLE posts; --", "1 OR 1=1", `\`, "(((", "&|!", strings.Repeat("x", 10000),
		strings.Repeat("digitalización ", 700), "\u202e", "%00"} {
		for _, extra := range []string{"", "&sort=newest", "&cursor=%%%", "&cursor=bjAx", "&cursor=cjk5OTk5"} {
			p := b.get("/search?q=" + url.QueryEscape(q) + extra)
			if p.status != http.StatusOK {
				t.Errorf("q=%.30q%s: status %d", q, extra, p.status)
			}
		}
	}
}

// TestSearchPaging: results come a page at a time, each page's "more"
// link leading to the next, none repeated, none lost.
func TestSearchPaging(t *testing.T) {
	s := newSearchSite(t)
	ctx := context.Background()
	for i := range 27 {
		if _, err := s.rig.Service.Reply(ctx, s.cast.Toronto, s.question.ID, "",
			forum.Answer{Body: fmt.Sprintf("Broadband note %d.", i), Language: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	note := regexp.MustCompile(`Broadband</mark> note (\d+)`)
	for _, sort := range []string{"relevance", "newest"} {
		b := s.browser()
		seen := map[string]bool{}
		path := "/search?q=broadband&sort=" + sort
		pages := 0
		for path != "" {
			p := b.get(path)
			pages++
			for _, m := range note.FindAllStringSubmatch(p.body, -1) {
				if seen[m[1]] {
					t.Errorf("%s: note %s twice", sort, m[1])
				}
				seen[m[1]] = true
			}
			path = ""
			if m := next.FindStringSubmatch(p.body); m != nil {
				path = strings.ReplaceAll(m[1], "&amp;", "&")
			}
		}
		if len(seen) != 27 || pages != 2 {
			t.Errorf("%s: %d notes in %d pages, want 27 in 2", sort, len(seen), pages)
		}
	}
}

// TestAskSimilar: "was this asked before?" on the ask form: without
// JavaScript the button brings the form back as typed, with the
// questions like its title, and asks nothing; the script's JSON lists the
// same.
func TestAskSimilar(t *testing.T) {
	s := newSearchSite(t)
	b := s.signedIn("priya")
	form := b.get("/f/digitalisation/ask")
	mustContain(t, form, `name="similar"`, "Was this asked before?", `src="/static/similar.js"`)
	p := b.post("/f/digitalisation/ask", url.Values{"title": {"Digitalizacion de tramites municipales"},
		"body": {"What I typed stays."}, "language": {"es"}, "similar": {"1"}})
	if p.status != http.StatusOK {
		t.Fatalf("similar: status %d\n%s", p.status, p.body)
	}
	mustContain(t, p, "Questions like yours", `href="/t/`+s.question.ID+`"`, "What I typed stays.",
		`value="Digitalizacion de tramites municipales"`)
	if forumPage := b.get("/f/digitalisation"); strings.Contains(forumPage.body, "tramites municipales") {
		t.Fatal("checking for similar questions asked the question")
	}
	none := b.post("/f/digitalisation/ask", url.Values{"title": {"Zebra crossings"}, "body": {""}, "similar": {"1"}})
	mustContain(t, none, "No question like this one yet.")
	j := b.get("/search/similar?title=" + url.QueryEscape("trámites digitales"))
	if j.status != http.StatusOK || !strings.Contains(j.body, `"url":"/t/`+s.question.ID+`"`) {
		t.Fatalf("similar JSON: %d %s", j.status, j.body)
	}
	// A title sharing only function words ("de", "la") with the question
	// is not like it; one of function words only is looked for as typed.
	if j := b.get("/search/similar?title=" + url.QueryEscape("Parking de la playa")); j.status != http.StatusOK || strings.TrimSpace(j.body) != "[]" {
		t.Fatalf("similar JSON for a title sharing only function words: %d %s", j.status, j.body)
	}
	if j := b.get("/search/similar?title=" + url.QueryEscape("de la")); j.status != http.StatusOK || !strings.Contains(j.body, `"url":"/t/`+s.question.ID+`"`) {
		t.Fatalf("similar JSON for function words only: %d %s", j.status, j.body)
	}
	if j := b.get("/search/similar?title=" + url.QueryEscape(`"*NEAR:`)); j.status != http.StatusOK || strings.TrimSpace(j.body) != "[]" {
		t.Fatalf("similar JSON for operators: %d %s", j.status, j.body)
	}
}

// TestTagsIndex: /tags lists the tags of posts that stand, with counts.
func TestTagsIndex(t *testing.T) {
	s := newSearchSite(t)
	ctx := context.Background()
	if _, err := s.rig.Service.Reply(ctx, s.cast.Toronto, s.question.ID, "", forum.Answer{Body: "Also #GovDigital and #Zoning.", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	gone, err := s.rig.Service.Reply(ctx, s.cast.Toronto, s.question.ID, "", forum.Answer{Body: "#Deleted tag.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.rig.Service.DeletePost(ctx, s.cast.Toronto, gone.ID); err != nil {
		t.Fatal(err)
	}
	p := s.browser().get("/tags")
	if p.status != http.StatusOK {
		t.Fatalf("status %d", p.status)
	}
	mustContain(t, p, `href="/tags/govdigital">#govdigital</a> (2 posts)`, `href="/tags/zoning">#zoning</a> (1 post)`)
	if strings.Contains(p.body, "deleted") {
		t.Errorf("a deleted post's tag is listed:\n%s", p.body)
	}
}

// TestSearchTranslatedTitles: a thread whose question has an English
// version is listed under its English title to a reader in English, for
// the question and for its answers (marked as the English it is), and
// under its original title to a reader in Spanish or with no version in
// their language.
func TestSearchTranslatedTitles(t *testing.T) {
	s := newSearchSite(t)
	if _, err := s.rig.Service.TranslatePost(context.Background(), s.cast.Toronto, s.question.RootPostID, forum.TranslationInput{
		Language: "en", Title: "How is the digitalisation of procedures going?", Body: "In Barcelona we started in 2020."}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang      string
		want, not []string
	}{
		{"en", []string{`<h3 lang="en"><a href="/t/` + s.question.ID + `">How is the digitalisation of procedures going?</a>`,
			`<h3 lang="en"><a href="/t/` + s.question.ID + `#p-` + s.answer.ID + `">How is the digitalisation of procedures going?</a>`},
			[]string{"¿Cómo va la digitalización de trámites?</a>"}},
		{"es", []string{`<h3 lang="es"><a href="/t/` + s.question.ID + `">¿Cómo va la digitalización de trámites?</a>`},
			[]string{"How is the digitalisation"}},
		{"fr", []string{"¿Cómo va la digitalización de trámites?</a>"}, []string{"How is the digitalisation"}},
	} {
		b := s.browser()
		b.lang = c.lang
		p := b.get("/search?q=2020")
		mustContain(t, p, c.want...)
		for _, n := range c.not {
			if strings.Contains(p.body, n) {
				t.Errorf("%s reader: the page holds %q", c.lang, n)
			}
		}
	}
}
