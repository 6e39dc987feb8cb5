package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
)

// TestMarkdownPreview: the Preview button of every post form shows the
// body rendered, server-side, with the form as typed; nothing is posted.
func TestMarkdownPreview(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	th, err := s.rig.Service.Ask(ctx, s.cast.Toronto, s.cast.Forum.ID, forum.Question{Title: "Kiosks for seniors?", Body: "Who teaches?", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	mine, err := s.rig.Service.Reply(ctx, s.cast.Barcelona, th.ID, "", forum.Answer{Body: "First draft", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	marta := s.signedIn("marta")
	body := "Seoul trains **8,000** seniors <script>alert(1)</script>"
	tests := []struct {
		name, path string
		form       url.Values
	}{
		{"ask", "/f/digitalisation/ask", url.Values{"title": {"Digital guides?"}, "body": {body}, "language": {"en"}, "preview": {"1"}}},
		{"answer", "/t/" + th.ID + "/reply", url.Values{"body": {body}, "language": {"en"}, "preview": {"1"}}},
		{"edit", "/p/" + mine.ID + "/edit", url.Values{"body": {body}, "language": {"en"}, "preview": {"1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := marta.post(tt.path, tt.form)
			if p.status != http.StatusOK {
				t.Fatalf("preview: %d\n%.400s", p.status, p.body)
			}
			mustContain(t, p, `<h2 id="preview-h">Preview: this is how it will show</h2>`, "<strong>8,000</strong>",
				"Seoul trains **8,000** seniors &lt;script&gt;alert(1)&lt;/script&gt;</textarea>")
			if strings.Contains(p.body, "<script>alert(1)</script>") {
				t.Error("the preview let a script through")
			}
		})
	}
	list, err := s.rig.Service.ListThreads(ctx, s.cast.Forum.ID, "")
	if err != nil || len(list.Threads.Items) != 1 {
		t.Fatalf("threads after previews: %d (%v), want the one asked", len(list.Threads.Items), err)
	}
	if p, _, err := s.rig.Service.PostInThread(ctx, mine.ID); err != nil || p.Source != "First draft" {
		t.Errorf("the edit preview changed the answer: %q (%v)", p.Source, err)
	}
	if got, err := s.rig.Service.Thread(ctx, th.ID); err != nil || got.ReplyCount != 1 {
		t.Errorf("the answer preview posted: %d answers (%v)", got.ReplyCount, err)
	}
	// An empty body says why, as posting would.
	p := marta.post("/t/"+th.ID+"/reply", url.Values{"body": {""}, "language": {"en"}, "preview": {"1"}})
	mustContain(t, p, `role="alert"`)
}
