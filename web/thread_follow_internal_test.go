package web

import (
	"bytes"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
)

// "Follow this question from Mastodon" is a small disclosure right under
// the question, before the answers, and shows the whole address as text
// that wraps (a ULID in a fixed-size field was cut off).
func TestFollowDisclosureUnderQuestion(t *testing.T) {
	c, err := newCatalog("en")
	if err != nil {
		t.Fatal(err)
	}
	tr := c.translator("en")
	templates, err := parseTemplates(func(id string) string { return tr.T(id) })
	if err != nil {
		t.Fatal(err)
	}
	const handle = "@t-01m6dsg7e0eezt7vf08gg297xw@agora.example"
	d := &threadData{
		View: &forum.ThreadView{Thread: &forum.Thread{ID: "01m6dsg7e0eezt7vf08gg297xw", Title: "Open data portals", Language: "en"},
			Forum: &forum.Forum{Slug: "digitalisation"}},
		QuestionHTML: `<article id="question">`, FollowHandle: handle}
	var buf bytes.Buffer
	if err := templates["thread"].Execute(&buf, &view{translator: c.translator("en"), Data: d}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	question, follow, answers := strings.Index(page, `<article id="question">`),
		strings.Index(page, `<details class="follow"><summary>Follow this question from Mastodon</summary>`),
		strings.Index(page, `id="answers-h"`)
	if question < 0 || follow < 0 || answers < 0 {
		t.Fatalf("question %d, follow disclosure %d, answers %d in\n%s", question, follow, answers, page)
	}
	if !(question < follow && follow < answers) {
		t.Errorf("follow disclosure at %d, want between the question (%d) and the answers (%d)", follow, question, answers)
	}
	if !strings.Contains(page, `class="handle"`) || !strings.Contains(page, ">"+handle+"</code>") {
		t.Error("the address is not shown whole as wrapping text")
	}
	if strings.Contains(page, `readonly size=`) {
		t.Error("the address is still in a fixed-size field")
	}
	css, err := staticFiles.ReadFile("static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(css), ".handle { overflow-wrap: anywhere; }") {
		t.Error("style.css does not let the address wrap")
	}
}
