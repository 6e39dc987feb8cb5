package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
)

// TestFlashAfterActions: every action a member takes says, on the page it
// leads to, that it worked, in the member's language, announced to screen
// readers; the message shows once.
func TestFlashAfterActions(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	th, err := s.rig.Service.Ask(ctx, s.cast.Toronto, s.cast.Forum.ID, forum.Question{Title: "Open data portals?", Body: "Which work?", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	answer, err := s.rig.Service.Reply(ctx, s.cast.BeloHz, th.ID, "", forum.Answer{Body: "Ours does.", Language: "pt"})
	if err != nil {
		t.Fatal(err)
	}
	marta := s.signedIn("marta")
	marta.lang = "es"
	mod := s.signedIn("moderator")
	mod.lang = "fr"
	tests := []struct {
		name string
		b    *browser
		path string
		form url.Values
		want string
	}{
		{"answer", marta, "/t/" + th.ID + "/reply", url.Values{"body": {"En Barcelona, sí."}, "language": {"es"}}, "Su respuesta está publicada."},
		{"helpful", marta, "/p/" + answer.ID + "/helpful", url.Values{"on": {"1"}}, "Marcada como útil. Gracias."},
		{"helpful off", marta, "/p/" + answer.ID + "/helpful", url.Values{"on": {"0"}}, "Se ha quitado su marca de útil."},
		{"report", marta, "/p/" + answer.ID + "/report", url.Values{"reason": {"Off topic"}}, "Gracias: el equipo de moderación revisará su denuncia."},
		{"ask", marta, "/f/digitalisation/ask", url.Values{"title": {"¿Wifi en las plazas?"}, "body": {"¿Quién lo tiene?"}, "language": {"es"}}, "Su pregunta está publicada."},
		{"good practice", mod, "/p/" + answer.ID + "/good-practice", url.Values{"on": {"1"}}, "La réponse est marquée comme bonne pratique."},
		{"lock", mod, "/t/" + th.ID + "/moderate", url.Values{"action": {"lock"}}, "La discussion est verrouillée : plus de nouvelles réponses."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.b.post(tt.path, tt.form)
			if p.status != http.StatusSeeOther {
				t.Fatalf("POST %s: %d\n%s", tt.path, p.status, p.body)
			}
			next := location(p)
			if i := strings.IndexByte(next, '#'); i >= 0 {
				next = next[:i]
			}
			mustContain(t, tt.b.get(next), `<p class="flash" role="alert">`+tt.want+`</p>`)
			if again := tt.b.get(next); strings.Contains(again.body, `class="flash"`) {
				t.Error("the message showed twice")
			}
		})
	}
}

// TestFlashCookieIsNoText: the flash cookie names a message; anything else
// in it shows nothing, and a visitor's flash never enters the page cache
// other visitors are served from.
func TestFlashCookieIsNoText(t *testing.T) {
	s := newSite(t)
	u, _ := url.Parse(s.srv.URL)
	for _, value := range []string{"<script>alert(1)</script>", "error.server", "flash.no_such_message"} {
		b := s.browser()
		b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "agora_flash", Value: value, Path: "/"}})
		p := b.get("/")
		if strings.Contains(p.body, `class="flash"`) || strings.Contains(p.body, "alert(1)") {
			t.Errorf("cookie %q shows a message", value)
		}
	}
	// Signing out says so, and only to the one who signed out.
	marta := s.signedIn("marta")
	p := marta.post("/logout", nil)
	if p.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", p.status)
	}
	mustContain(t, marta.get("/"), "You are signed out.")
	if p := s.browser().get("/"); strings.Contains(p.body, "You are signed out.") {
		t.Error("another visitor was served the signed-out message")
	}
}

// TestWelcomeAfterInvitation: accepting an invitation leads to a checklist
// with the next steps, not to an empty profile.
func TestWelcomeAfterInvitation(t *testing.T) {
	s := newSite(t)
	admin := s.signedIn("secretariat")
	p := admin.post("/admin/invitations", url.Values{"role": {"member"}, "note": {"Seoul"}})
	i := strings.Index(p.body, s.srv.URL+"/invite/")
	if i < 0 {
		t.Fatal("no invitation link shown")
	}
	link := p.body[i+len(s.srv.URL) : i+len(s.srv.URL)+len("/invite/")+43]
	guest := s.browser()
	guest.lang = "pt"
	p = guest.post(link, url.Values{"username": {"minji"}, "password": {"a proper passphrase"}, "display_name": {"Min-ji Kim"}, "languages": {"ko, en"}})
	if p.status != http.StatusSeeOther || location(p) != "/welcome" {
		t.Fatalf("accept: %d %s, want a redirect to /welcome", p.status, location(p))
	}
	mustContain(t, guest.get("/welcome"), "Bem-vindo(a), Min-ji Kim", `<a href="/u/minji/edit">Editar o meu perfil</a>`,
		`href="/u/minji/edit#languages-field"`, `<a href="/f/digitalisation"`)
	if p := s.browser().get("/welcome"); p.status != http.StatusSeeOther {
		t.Errorf("welcome as visitor: %d, want a redirect to sign in", p.status)
	}
}

// TestEmptyStatesAndOrigin: an empty node shows its admin where to create
// a forum; a forum of another node says which node hosts it.
func TestEmptyStatesAndOrigin(t *testing.T) {
	s := newSite(t)
	// A forum this node follows from a hub.
	f := &forum.Forum{ID: "01m6dsg7e0eezt7vf0859w68zz", Slug: "energy@hub.example", Language: "en", URI: "https://hub.example/f/energy",
		Domain: "hub.example", Texts: map[string]forum.ForumText{"en": {Title: "Energy transition"}}, CreatedAt: time.Now()}
	if err := s.rig.DB.Store().CreateForum(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	if err := s.rig.DB.Store().SaveFollowing(context.Background(), &federation.Following{ID: "01m6dsg7e0eezt7vf0859w6900",
		ActorURI: s.srv.URL + "/actor", ObjectURI: f.URI, FollowID: s.srv.URL + "/activities/follow-energy",
		ForumID: f.ID, State: federation.FollowAccepted, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	mustContain(t, b.get("/"), "Hosted by hub.example")
	mustContain(t, b.get("/f/energy@hub.example"), `<p class="meta">Hosted by hub.example</p>`)
	if strings.Count(b.get("/").body, "Hosted by") != 1 {
		t.Error("a local forum says it is hosted elsewhere")
	}

	// A node with no forum yet: its admin gets the way to create one,
	// a member only the sentence.
	empty := newSite(t)
	if _, err := empty.rig.DB.Bun().NewDelete().Table("forums").Where("1 = 1").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustContain(t, empty.signedIn("secretariat").get("/"), "There is no forum yet.", `<a href="/admin/forums">Create the first forum</a>`)
	if p := empty.signedIn("marta").get("/"); strings.Contains(p.body, "/admin/forums") {
		t.Error("a member is offered to create a forum")
	}
}

// TestProfileLanguagesAsChoices: languages are ticked, not typed as codes;
// any ISO 639-1 language can be added from the full list; a refused form
// keeps every tick.
func TestProfileLanguagesAsChoices(t *testing.T) {
	s := newSite(t)
	marta := s.signedIn("marta")
	p := marta.get("/u/marta/edit")
	// Her languages first, ticked (Catalan is not an interface language),
	// then the interface's.
	mustContain(t, p, `<legend>Languages</legend>`,
		`<input type="checkbox" name="languages" value="ca" checked> <span lang="ca">Català</span>`,
		`<input type="checkbox" name="languages" value="fr"> <span lang="fr">Français</span>`,
		`<select id="other-language" name="languages">`, `<option value="wo">Wolof</option>`)
	// A refused form (no name) keeps the ticks, the pick from the list
	// among them.
	p = marta.post("/u/marta/edit", url.Values{"display_name": {""}, "languages": {"es", "ca", "wo"}})
	if p.status != http.StatusBadRequest {
		t.Fatalf("empty name: %d", p.status)
	}
	mustContain(t, p, `value="es" checked>`, `value="ca" checked>`, `value="wo" checked>`)
	if strings.Contains(p.body, `value="en" checked>`) {
		t.Error("an unticked language came back ticked")
	}
	p = marta.post("/u/marta/edit", url.Values{"display_name": {"Marta Puig"}, "languages": {"es", "ca", "", "wo"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", p.status, p.body)
	}
	m, err := s.rig.Service.MemberByUsername(context.Background(), "marta")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m.Languages, ","); got != "es,ca,wo" {
		t.Errorf("languages = %s, want es,ca,wo in the order ticked", got)
	}
	// The answer form offers every language, hers first.
	th, err := s.rig.Service.Ask(context.Background(), s.cast.Toronto, s.cast.Forum.ID, forum.Question{Title: "Languages?", Body: "x", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, marta.get("/t/"+th.ID), `<optgroup label="Your languages"><option value="es" selected>Español</option><option value="ca">Català</option><option value="wo">Wolof</option>`,
		`<optgroup label="All languages">`, `<option value="sn">Shona (chiShona)</option>`)
}
