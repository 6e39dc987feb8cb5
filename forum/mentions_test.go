package forum_test

import (
	"testing"

	"github.com/metropolis/agora/forum"
)

// TestLinkMentions: the HTML with mentions linked replaces the stored one
// while the source is unchanged, is sanitized, and is dropped once the
// post was edited or deleted.
func TestLinkMentions(t *testing.T) {
	w := newWorld(t)
	th := w.ask(t, w.cast.Barcelona, "Mentions")
	p := w.reply(t, w.cast.Barcelona, th, "", "Hola @ana@city.example")
	linked := `<p>Hola <span class="h-card"><a href="https://city.example/u/ana" class="u-url mention">@<span>ana</span></a></span><script>x()</script></p>`
	if err := w.rig.Service.LinkMentions(w.ctx, p.ID, p.Source, linked); err != nil {
		t.Fatal(err)
	}
	got, err := w.rig.Service.Post(w.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := `<p>Hola <span class="h-card"><a href="https://city.example/u/ana" class="u-url mention" rel="nofollow noreferrer">@<span>ana</span></a></span></p>`
	if got.HTML != want {
		t.Fatalf("HTML %q, want %q", got.HTML, want)
	}

	// Edited since: the newer text stays.
	if _, err := w.rig.Service.EditPost(w.ctx, w.cast.Barcelona, p.ID, forum.Edit{Body: "Adiós", Language: "es"}); err != nil {
		t.Fatal(err)
	}
	if err := w.rig.Service.LinkMentions(w.ctx, p.ID, p.Source, linked); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.rig.Service.Post(w.ctx, p.ID); got.HTML != "<p>Adiós</p>\n" {
		t.Fatalf("an edit was overwritten: %q", got.HTML)
	}
}
