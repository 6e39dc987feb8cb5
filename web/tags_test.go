package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
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
	if p := b.get("/tags/nothing"); p.status != http.StatusOK || !strings.Contains(p.body, "No question carries this tag yet.") {
		t.Fatalf("empty tag page: %d\n%s", p.status, p.body)
	}
	if p := b.get("/tags/not-a-tag"); p.status != http.StatusNotFound {
		t.Fatalf("invalid tag: %d", p.status)
	}
}
