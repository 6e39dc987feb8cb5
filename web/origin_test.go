package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
)

// TestWhereThingsComeFrom: every post says which site its author writes
// from (this site's name, or the author's server), every forum where it
// is hosted, on each page that shows them.
func TestWhereThingsComeFrom(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	p := s.signedIn("joao").post("/f/digitalisation/ask", url.Values{"title": {"Wi-Fi in squares"}, "body": {"Who pays?"}, "language": {"en"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("ask: %d", p.status)
	}
	thread := location(p)
	id := strings.TrimPrefix(thread, "/t/")
	v, err := s.rig.Service.ReadThread(ctx, nil, id, "")
	if err != nil {
		t.Fatal(err)
	}
	ana, err := s.rig.Service.SaveRemoteMember(ctx, forum.RemoteProfile{URI: "https://harare.example/u/ana", Domain: "harare.example",
		Username: "ana", DisplayName: "Ana Moyo"})
	if err != nil {
		t.Fatal(err)
	}
	answer, err := s.rig.Service.ReceiveAnswer(ctx, v.Thread, v.Posts.Items[0], forum.RemotePost{URI: "https://harare.example/p/1", Author: ana,
		HTML: "<p>Harare's council pays.</p>", Language: "en", Published: s.rig.Clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       []string
	}{
		{"thread", thread, []string{`João Silva</a>, Digital Inclusion Lead (Belo Horizonte)
· <span class="from">from Metropolis</span>`, `Ana Moyo</a>
· <span class="from">from harare.example</span>`}},
		{"home", "/", []string{`<p class="meta" lang="en">from Metropolis</p>`}},
		{"forum", "/f/digitalisation", []string{`<p class="meta">from Metropolis</p>`}},
		{"good practices", "/good-practices", []string{`<span class="from">from harare.example</span>`}},
	}
	// A good practice says it too, on the forum's and the site's lists.
	mod := s.signedIn("moderator")
	if p := mod.post("/p/"+answer.ID+"/good-practice", url.Values{"on": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("good practice: %d", p.status)
	}
	for _, b := range []*browser{s.browser(), s.signedIn("priya")} {
		for _, tt := range tests {
			mustContain(t, b.get(tt.path), tt.want...)
		}
	}
	es := s.browser()
	es.lang = "es"
	mustContain(t, es.get(thread), `<span class="from">desde Metropolis</span>`, `<span class="from">desde harare.example</span>`)
}

// TestRemoteMediaShown: images and other media a post from another server
// carries are shown as links to that server, each named by its alt text
// (or said to have none) and its host, never loaded into the page from
// there: the reader's browser asks nothing of a server they did not choose.
func TestRemoteMediaShown(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	th, err := s.rig.Service.Ask(ctx, s.cast.Toronto, s.cast.Forum.ID, forum.Question{Title: "Kiosks?", Body: "Photos welcome", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.rig.Service.ReadThread(ctx, nil, th.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	ana, err := s.rig.Service.SaveRemoteMember(ctx, forum.RemoteProfile{URI: "https://harare.example/u/ana", Domain: "harare.example",
		Username: "ana", DisplayName: "Ana Moyo", AvatarURL: "https://harare.example/media/ana.png"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.rig.Service.ReceiveAnswer(ctx, v.Thread, v.Posts.Items[0], forum.RemotePost{URI: "https://harare.example/p/2", Author: ana,
		HTML: "<p>Ours, in Mbare.</p>", Language: "en", Published: s.rig.Clock.Now(),
		Extras: forum.Extras{Media: []forum.Media{
			{Kind: forum.MediaImage, URL: "https://media.harare.example/kiosk.jpg", MediaType: "image/jpeg", Name: "A kiosk under a jacaranda"},
			{Kind: forum.MediaImage, URL: "https://media.harare.example/plan.png", MediaType: "image/png"},
		}}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang string
		want []string
	}{
		{"en", []string{`<a href="https://media.harare.example/kiosk.jpg" rel="nofollow noreferrer">Image: <span lang="en">A kiosk under a jacaranda</span></a> <small>(media.harare.example)</small>`,
			`<a href="https://media.harare.example/plan.png" rel="nofollow noreferrer">Image: no description</a>`}},
		{"pt", []string{`<span lang="en">A kiosk under a jacaranda</span>`, `(media.harare.example)`}},
	}
	for _, tt := range tests {
		b := s.signedIn("priya")
		b.lang = tt.lang
		p := b.get("/t/" + th.ID)
		mustContain(t, p, tt.want...)
		for _, hotlink := range []string{`src="https://media.harare.example`, `src="https://harare.example`} {
			if strings.Contains(p.body, hotlink) {
				t.Errorf("%s: the page loads %s from the other server", tt.lang, hotlink)
			}
		}
	}
}
