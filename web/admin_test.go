package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
)

// TestAdminSections: the administration is a menu of sections, each its
// own page marked as current in the menu, for admins only.
func TestAdminSections(t *testing.T) {
	s := newSite(t)
	admin := s.signedIn("secretariat")
	member := s.signedIn("marta")
	visitor := s.browser()
	tests := []struct {
		path, heading string
		wants         []string
	}{
		{"/admin", "<h1>Administration</h1>", []string{`<a href="/admin/members">Members</a>`, `<a href="/admin/log">Moderation log</a>`}},
		{"/admin/members", "<h1>Members</h1>", []string{`<a href="/admin/members" aria-current="page">`, `<table class="reflow">`, "@marta", `name="role"`}},
		{"/admin/invitations", "<h1>Invitations</h1>", []string{`<a href="/admin/invitations" aria-current="page">`, `action="/admin/invitations"`}},
		{"/admin/forums", "<h1>Forums</h1>", []string{`<a href="/admin/forums" aria-current="page">`, "(/f/digitalisation)", `action="/admin/forums"`}},
		{"/admin/log", "<h1>Moderation log</h1>", []string{`<a href="/admin/log" aria-current="page">`, "Nothing has been moderated yet."}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p := admin.get(tt.path)
			if p.status != http.StatusOK {
				t.Fatalf("as admin: %d", p.status)
			}
			mustContain(t, p, append([]string{tt.heading}, tt.wants...)...)
			if p := member.get(tt.path); p.status != http.StatusForbidden {
				t.Errorf("as member: %d, want 403", p.status)
			}
			if p := visitor.get(tt.path); p.status != http.StatusSeeOther {
				t.Errorf("as visitor: %d, want a redirect to sign in", p.status)
			}
		})
	}
	// Each section loads only its own data: the members page does not
	// list forums, the forums page does not list members.
	if p := admin.get("/admin/members"); strings.Contains(p.body, "(/f/digitalisation)") {
		t.Error("the members section lists forums")
	}
	if p := admin.get("/admin/forums"); strings.Contains(p.body, "@marta") {
		t.Error("the forums section lists members")
	}
}

// TestCreateForumKeepsInput: a refused new forum comes back with every
// field as the admin typed it, and the reason.
func TestCreateForumKeepsInput(t *testing.T) {
	s := newSite(t)
	admin := s.signedIn("secretariat")
	admin.lang = "es"
	p := admin.post("/admin/forums", url.Values{"slug": {"Bad Slug"}, "language": {"fr"}, "position": {"7"},
		"title_en": {"Housing & land"}, "title_es": {"Vivienda"}, "description_fr": {"Le logement, <b>partout</b>"}})
	if p.status != http.StatusBadRequest {
		t.Fatalf("bad slug: %d, want 400", p.status)
	}
	mustContain(t, p, `role="alert"`, `value="Bad Slug"`, `<option value="fr" selected>`, `value="7"`,
		`value="Housing &amp; land"`, `value="Vivienda"`, "Le logement, &lt;b&gt;partout&lt;/b&gt;</textarea>",
		`<a href="/admin/forums" aria-current="page">Foros</a>`)
	if strings.Contains(p.body, `<option value="es" selected>`) {
		t.Error("the forum's language went back to the admin's")
	}
	// A bad position is refused the same way.
	p = admin.post("/admin/forums", url.Values{"slug": {"housing"}, "language": {"es"}, "position": {"first"}, "title_es": {"Vivienda"}})
	if p.status != http.StatusBadRequest {
		t.Fatalf("bad position: %d", p.status)
	}
	mustContain(t, p, `value="housing"`, `value="first"`, `value="Vivienda"`)
}

// TestModerationLog: what moderators and admins do to other people's
// content and permissions is listed, newest first, in the admin's
// language; a member deleting their own answer is not.
func TestModerationLog(t *testing.T) {
	s := newSite(t)
	ctx, svc, c := context.Background(), s.rig.Service, s.cast
	th, err := svc.Ask(ctx, c.Barcelona, c.Forum.ID, forum.Question{Title: "Telecentres in every district?", Body: "How?", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	own, err := svc.Reply(ctx, c.Toronto, th.ID, "", forum.Answer{Body: "Mine, to delete", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := svc.Reply(ctx, c.BeloHz, th.ID, "", forum.Answer{Body: "Spam, removed by a moderator", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DeletePost(ctx, c.Toronto, own.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DeletePost(ctx, c.Moderator, theirs.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetLocked(ctx, c.Moderator, th.ID, true); err != nil {
		t.Fatal(err)
	}
	admin := s.signedIn("secretariat")
	if p := admin.post("/admin/members/"+c.Toronto.ID+"/role", url.Values{"role": {"moderator"}}); p.status != http.StatusSeeOther || location(p) != "/admin/members" {
		t.Fatalf("set role: %d %s", p.status, location(p))
	}
	admin.lang = "fr"
	p := admin.get("/admin/log")
	mustContain(t, p, "Journal de modération", "A changé les permissions", "A verrouillé la discussion",
		"A supprimé la réponse de quelqu’un", ">Priya Shah</a>", ">Nadia Ould</a>", ">Telecentres in every district?</a>")
	// Newest first: the role change, the lock, then the deletion.
	role, lock, del := strings.Index(p.body, "A changé les permissions"), strings.Index(p.body, "A verrouillé"), strings.Index(p.body, "A supprimé la réponse")
	if !(role < lock && lock < del) {
		t.Errorf("not newest first: role %d, lock %d, delete %d", role, lock, del)
	}
	if n := strings.Count(p.body, "A supprimé la réponse"); n != 1 {
		t.Errorf("%d deletions listed, want 1 (the member's own is not moderation)", n)
	}
}
