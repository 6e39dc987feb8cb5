package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
)

// TestGoodPracticePages: a forum's good-practice page and the node's list
// the marked answers with their question, author, role, city, language and
// date; the filters narrow them; the forum page says which questions have
// good practices; every page stays small and labelled.
func TestGoodPracticePages(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	svc, c := s.rig.Service, s.cast
	covid, err := svc.Ask(ctx, c.Admin, c.Forum.ID, forum.Question{Title: "Has Covid-19 been a turning point?", Body: "Tell us.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	equity, err := svc.Ask(ctx, c.Admin, c.Forum.ID, forum.Question{Title: "Digitisation for equity", Body: "How?", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	answer := func(by *forum.Member, th *forum.Thread, body, lang string, mark bool) *forum.Post {
		s.rig.Clock.Advance(time.Minute)
		p, err := svc.Reply(ctx, by, th.ID, "", forum.Answer{Body: body, Language: lang})
		if err != nil {
			t.Fatal(err)
		}
		if mark {
			if _, err := svc.SetGoodPractice(ctx, c.Moderator, p.ID, true); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	answer(c.BeloHz, covid, "Cinquenta telecentros com computadores recondicionados #inclusao", "pt", true)
	answer(c.Barcelona, covid, "Portátiles para estudiantes", "es", true)
	answer(c.Toronto, equity, "Open data portal #opendata", "en", true)
	answer(c.Toronto, equity, "Not a good practice", "en", false)

	b := s.browser()
	base := "/f/digitalisation/good-practices"
	for _, tc := range []struct {
		name    string
		path    string
		want    []string
		notWant []string
	}{
		{"forum page", base, []string{"3 good practices", "Cinquenta telecentros", "Portátiles para estudiantes", "Open data portal",
			`João Silva</a>, Digital Inclusion Lead · Belo Horizonte`, "Português", `<time datetime=`,
			`Has Covid-19 been a turning point?</a></h3>`, `<label for="gp-city">City</label>`, `<label for="gp-theme">Theme</label>`,
			`<option value="` + covid.ID + `" lang="en">Has Covid-19 been a turning point?</option>`},
			[]string{"Not a good practice"}},
		{"by question", base + "?question=" + covid.ID, []string{"2 good practices", "Cinquenta telecentros", "Portátiles"}, []string{"Open data portal"}},
		{"by city", base + "?city=" + url.QueryEscape("Belo Horizonte"), []string{"1 good practice", "Cinquenta telecentros", `<option selected>Belo Horizonte</option>`}, []string{"Portátiles", "Open data portal"}},
		{"by language", base + "?language=es", []string{"1 good practice", "Portátiles"}, []string{"Cinquenta", "Open data portal"}},
		{"by theme", base + "?theme=opendata", []string{"1 good practice", "Open data portal"}, []string{"Cinquenta", "Portátiles"}},
		{"nothing matches", base + "?language=ar", []string{"0 good practices", "No good practice matches these filters."}, []string{"Cinquenta"}},
		{"node page", "/good-practices", []string{"3 good practices", "Cinquenta telecentros", `href="/f/digitalisation">Learning forum on digitalisation</a>`}, nil},
		{"forum list", "/f/digitalisation", []string{`<span class="tag good">2 good practices</span>`, `<span class="tag good">1 good practice</span>`, `href="/f/digitalisation/good-practices"`}, nil},
	} {
		p := b.get(tc.path)
		if p.status != http.StatusOK {
			t.Fatalf("%s: GET %s = %d", tc.name, tc.path, p.status)
		}
		mustContain(t, p, tc.want...)
		for _, no := range tc.notWant {
			if strings.Contains(p.body, no) {
				t.Errorf("%s: page shows %q", tc.name, no)
			}
		}
		if len(p.body) > 20<<10 {
			t.Errorf("%s: page is %d bytes, over 20 KB", tc.name, len(p.body))
		}
		mustContain(t, p, `<main id="main"`, "<h1")
	}
	// The reader's language.
	es := s.browser()
	es.lang = "es"
	mustContain(t, es.get(base), "Buenas prácticas: ", "3 buenas prácticas", `<label for="gp-city">Ciudad</label>`)
	// An unknown forum is a 404.
	if p := b.get("/f/nowhere/good-practices"); p.status != http.StatusNotFound {
		t.Errorf("unknown forum: %d", p.status)
	}
}
