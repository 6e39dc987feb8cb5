package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
)

// TestTranslatePost: a member who writes Spanish adds the question's
// Spanish version; a translation into the post's own language is refused
// with a message that names the language, keeping what was typed. Spanish
// readers then see the Spanish title and text, with the original behind
// "Original en inglés · ver el original" (a details element: no script);
// English readers see the original alone.
func TestTranslatePost(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	c := s.cast
	q, err := s.rig.Service.Ask(ctx, c.Admin, c.Forum.ID, forum.Question{Title: "Has Covid-19 been a turning point?",
		Body: "Tell us what your city did.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	b.signIn("marta")
	path := "/p/" + q.ID + "/translate"
	if p := b.get(path); p.status != http.StatusOK {
		t.Fatalf("GET %s = %d", path, p.status)
	} else {
		mustContain(t, p, "Original, in English", "Tell us what your city did.", `name="title"`, `name="body"`)
		if len(p.body) > 20<<10 {
			t.Errorf("translate form is %d bytes, over 20 KB", len(p.body))
		}
	}

	typed := url.Values{"language": {"en"}, "title": {"Un título escrito con cuidado"}, "body": {"Un texto que no debe perderse."}}
	p := b.post(path, typed)
	if p.status != http.StatusBadRequest {
		t.Fatalf("translation into the post's language: %d, want 400", p.status)
	}
	mustContain(t, p, "This post is already in English: choose another language for the translation.",
		`value="Un título escrito con cuidado"`, "Un texto que no debe perderse.</textarea>")

	p = b.post(path, url.Values{"language": {"es"}, "title": {"¿Ha sido la Covid-19 un punto de inflexión?"},
		"body": {"Cuéntenos qué hizo su ciudad."}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("translation: %d, want 303\n%s", p.status, p.body)
	}

	es := s.browser()
	es.lang = "es"
	p = es.get("/t/" + q.ID)
	mustContain(t, p, `<h1 lang="es">¿Ha sido la Covid-19 un punto de inflexión?</h1>`,
		`<div class="body" lang="es"><p>Cuéntenos qué hizo su ciudad.</p>`,
		`<summary>Original en inglés · ver el original</summary>`,
		`<div class="body" lang="en"><p>Tell us what your city did.</p>`)
	if len(p.body) > 20<<10 {
		t.Errorf("thread page is %d bytes, over 20 KB", len(p.body))
	}
	en := s.browser()
	en.lang = "en"
	p = en.get("/t/" + q.ID)
	mustContain(t, p, `<h1 lang="en">Has Covid-19 been a turning point?</h1>`)
	if strings.Contains(p.body, "Cuéntenos") || strings.Contains(p.body, "<details class=\"original\"") {
		t.Errorf("an English reader is shown the Spanish version:\n%s", p.body)
	}
}
