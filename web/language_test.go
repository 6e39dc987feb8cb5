package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestLanguageSwitcher(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.lang = "es"
	mustContain(t, b.get("/"), `<html lang="es" dir="ltr">`, "Foros de aprendizaje", `value="es" lang="es" aria-current="true"`)
	p := b.post("/language", url.Values{"lang": {"fr"}, "next": {"/f/digitalisation"}})
	if p.status != http.StatusSeeOther || location(p) != "/f/digitalisation" {
		t.Fatalf("switch: %d %s", p.status, location(p))
	}
	mustContain(t, b.get("/f/digitalisation"), `<html lang="fr" dir="ltr">`, "Poser une question")
	if p := b.post("/language", url.Values{"lang": {"de"}}); p.status != http.StatusBadRequest {
		t.Fatalf("unsupported language: %d", p.status)
	}

	// A member's choice is saved in their profile and follows them.
	m := s.signedIn("priya")
	m.lang = "en"
	m.post("/language", url.Values{"lang": {"es"}, "next": {"/"}})
	other := s.signedIn("priya")
	other.lang = "fr"
	mustContain(t, other.get("/"), `<html lang="es" dir="ltr">`)
}

// TestPortugueseAndArabic: Belo Horizonte's browser gets Portuguese,
// Nouakchott's Arabic, and every page offers both, named in their own
// language.
func TestPortugueseAndArabic(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.lang = "pt-BR,pt;q=0.9"
	mustContain(t, b.get("/"), `<html lang="pt" dir="ltr">`, "Fóruns de aprendizagem",
		`value="pt" lang="pt" aria-current="true">Português</button>`, `value="ar" lang="ar">العربية</button>`)
	a := s.browser()
	a.lang = "ar-MR,fr;q=0.8"
	j := s.signedIn("joao")
	if p := j.post("/f/digitalisation/ask", url.Values{"title": {"Inclusão digital"}, "body": {"Como vocês fazem?"}, "language": {"pt"}}); p.status != http.StatusSeeOther {
		t.Fatalf("ask: %d", p.status)
	}
	// Dates shown alone carry the exact time, in the reader's language and
	// numerals, in their title.
	mustContain(t, a.get("/f/digitalisation"), `<html lang="ar" dir="rtl">`, "طرح سؤال", ` بالتوقيت العالمي">`, `" title="٢`)
	mustContain(t, b.get("/f/digitalisation"), ` UTC">`, `de 20`)

	// A member may keep Arabic as their interface language.
	m := s.signedIn("moderator")
	m.post("/language", url.Values{"lang": {"ar"}, "next": {"/"}})
	other := s.signedIn("moderator")
	other.lang = "fr"
	mustContain(t, other.get("/"), `<html lang="ar" dir="rtl">`, "منتديات التعلّم")
}

func TestPostsCarryTheirLanguage(t *testing.T) {
	s := newSite(t)
	m := s.signedIn("joao")
	p := m.post("/f/digitalisation/ask", url.Values{"title": {"Inclusão digital nas favelas"}, "body": {"Como vocês fazem?"}, "language": {"pt-br"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("ask: %d", p.status)
	}
	page := m.get(location(p))
	mustContain(t, page, `<h1 lang="pt-BR">Inclusão digital nas favelas</h1>`, `<div class="body" lang="pt-BR">`)
	// The scripts a plain page loads only enhance it: zone.js tells the
	// server the browser's time zone (times are in the site's zone
	// without it), reply.js opens reply forms inline (links to the form
	// page without it).
	rest := page.body
	for _, js := range []string{"zone.js", "reply.js"} {
		rest = strings.Replace(rest, `<script src="/static/`+js+`" defer></script>`, "", 1)
	}
	if strings.Contains(rest, "<script") {
		t.Error("pages must work without scripts")
	}
}

// TestPageWeight: no page is heavier than 50 KB before user content
// (HTML of a page with a little content, plus the stylesheet).
func TestPageWeight(t *testing.T) {
	s := newSite(t)
	m := s.signedIn("secretariat")
	p := m.post("/f/digitalisation/ask", url.Values{"title": {"Has Covid-19 been a turning point?"}, "body": {"Short."}, "language": {"en"}})
	thread := location(p)
	m.post(thread+"/reply", url.Values{"body": {"Yes."}, "language": {"en"}})
	s.signedIn("marta").post(thread+"/reply", url.Values{"body": {"No."}, "language": {"en"}})
	v, err := s.rig.Service.ReadThread(context.Background(), nil, strings.TrimPrefix(thread, "/t/"), "")
	if err != nil || len(v.Posts.Items) < 3 {
		t.Fatalf("thread: %v", err)
	}
	// The admin's own answer, and Marta's (one reports others' posts).
	answer, hers := "/p/"+v.Posts.Items[1].ID, "/p/"+v.Posts.Items[2].ID
	css := m.get("/static/style.css")
	if css.status != http.StatusOK || !strings.Contains(css.header.Get("Content-Type"), "text/css") {
		t.Fatalf("css: %d %s", css.status, css.header.Get("Content-Type"))
	}
	// Every page a member or an admin reaches, and the pages a visitor
	// sees, in every interface language (the catalogs' lengths differ).
	signedIn := []string{"/", "/f/digitalisation", thread, "/f/digitalisation/ask", "/u/secretariat", "/u/secretariat/edit",
		"/u/secretariat/avatar", answer + "/edit", answer + "/delete", answer + "/history", hers + "/report", answer + "/translate",
		"/good-practices", "/f/digitalisation/good-practices", "/cities", "/members", "/tags", "/search?q=covid",
		"/notifications", "/settings/notifications", "/moderation", "/welcome", "/f/digitalisation/events/new",
		"/admin", "/admin/members", "/admin/invitations", "/admin/forums", "/admin/log"}
	visitor := []string{"/", "/f/digitalisation", thread, "/login", "/password/forgot", "/good-practices", "/search?q=covid"}
	for _, lang := range []string{"en", "es", "fr", "pt", "ar"} {
		admin, anon := s.signedIn("secretariat"), s.browser()
		admin.lang, anon.lang = lang, lang
		for _, c := range []struct {
			b     *browser
			paths []string
		}{{admin, signedIn}, {anon, visitor}} {
			for _, path := range c.paths {
				page := c.b.get(path)
				if page.status != http.StatusOK {
					t.Errorf("%s %s: %d", lang, path, page.status)
					continue
				}
				weight := len(page.body) + len(css.body)
				if lang == "en" {
					t.Logf("%-40s %5d bytes HTML + %d bytes CSS = %d", path, len(page.body), len(css.body), weight)
				}
				if weight > 50*1024 {
					t.Errorf("%s %s weighs %d bytes, over 50 KB", lang, path, weight)
				}
			}
		}
	}
}
