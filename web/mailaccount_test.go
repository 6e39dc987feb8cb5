package web_test

import (
	"context"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/mail/mailtest"
)

// decodedBody is a received mail's body with quoted-printable undone.
func decodedBody(t *testing.T, r *mailtest.Received) string {
	t.Helper()
	return strings.NewReplacer("=\r\n", "", "=3D", "=", "=C3=A9", "é", "=E2=80=99", "’").Replace(string(r.Body))
}

func subjectOf(t *testing.T, r *mailtest.Received) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(r.Msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// An admin invites by email, in the invitee's language: the link is
// mailed and still shown. A bad address keeps what was typed.
func TestInvitationByEmail(t *testing.T) {
	s := newSite(t)
	srv := mailtest.Start(t, "", "")
	admin := s.signedIn("secretariat")
	p := admin.post("/admin/invitations", url.Values{"role": {"moderator"}, "note": {"Harare"}, "email": {"not an address"}, "mail_language": {"fr"}})
	if p.status != http.StatusBadRequest {
		t.Fatalf("bad address: %d", p.status)
	}
	mustContain(t, p, "This is not an email address.", `value="not an address"`, `value="Harare"`, `<option value="moderator" selected>`, `<option value="fr" selected>`)
	p = admin.post("/admin/invitations", url.Values{"role": {"member"}, "note": {"Harare"}, "email": {"tendai@harare.example"}, "mail_language": {"fr"}})
	if p.status != http.StatusOK {
		t.Fatalf("invite: %d", p.status)
	}
	mustContain(t, p, "Also sent by email to tendai@harare.example.")
	link := regexp.MustCompile(`http://[^"]+/invite/[A-Za-z0-9_-]+`).FindString(p.body)
	if link == "" {
		t.Fatal("no invitation link shown")
	}
	s.sendQueued(srv)
	got := srv.Wait(1, 5*time.Second)
	if len(got) != 1 {
		t.Fatalf("%d mails", len(got))
	}
	if got[0].To[0] != "tendai@harare.example" || subjectOf(t, got[0]) != "Metropolis Secretariat vous invite sur agora" ||
		got[0].Msg.Header.Get("Content-Language") != "fr" {
		t.Fatalf("mail to %v, subject %q, headers %v", got[0].To, subjectOf(t, got[0]), got[0].Msg.Header)
	}
	body := decodedBody(t, got[0])
	for _, want := range []string{link, "Créer votre compte", `lang="fr"`, "text/html"} {
		if !strings.Contains(body, want) {
			t.Errorf("mail lacks %q:\n%s", want, body)
		}
	}
}

// A password reset link reaches the member by email: from the admin's
// page (the admin still sees it) or from the "forgot" form, which says
// the same whether or not an account has the address.
func TestPasswordResetByEmail(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	srv := mailtest.Start(t, "", "")
	m := s.cast.BeloHz
	m.UILanguage = "pt"
	if err := s.rig.DB.Store().UpdateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := s.rig.DB.Store().SetMemberEmail(ctx, m.ID, "Joao@BH.example"); err != nil {
		t.Fatal(err)
	}
	admin := s.signedIn("secretariat")
	p := admin.post("/admin/members/"+m.ID+"/reset", nil)
	if p.status != http.StatusOK {
		t.Fatalf("reset: %d", p.status)
	}
	mustContain(t, p, "Also sent by email to @joao.")
	shown := regexp.MustCompile(`http://[^"]+/login/token/[A-Za-z0-9_-]+`).FindString(p.body)
	s.sendQueued(srv)
	got := srv.Wait(1, 5*time.Second)
	if len(got) != 1 || shown == "" || !strings.Contains(decodedBody(t, got[0]), shown) || subjectOf(t, got[0]) != "Defina uma nova senha" {
		t.Fatalf("%d mails; link shown %q", len(got), shown)
	}
	// A member may not reset others' passwords.
	if p := s.signedIn("priya").post("/admin/members/"+m.ID+"/reset", nil); p.status != http.StatusForbidden {
		t.Fatalf("member resets: %d", p.status)
	}

	visitor := s.browser()
	mustContain(t, visitor.get("/login"), `href="/password/forgot"`)
	if p := visitor.post("/password/forgot", url.Values{"email": {"joao at bh"}}); p.status != http.StatusBadRequest {
		t.Fatalf("bad address: %d", p.status)
	} else {
		mustContain(t, p, "This is not an email address.", `value="joao at bh"`)
	}
	for _, addr := range []string{"nobody@bh.example", "joao@bh.example"} {
		if p := visitor.post("/password/forgot", url.Values{"email": {addr}}); p.status != http.StatusSeeOther || location(p) != "/password/forgot?sent=1" {
			t.Fatalf("forgot %s: %d %s", addr, p.status, location(p))
		}
	}
	s.sendQueued(srv)
	got = srv.Wait(2, 5*time.Second)
	if len(got) != 2 || got[1].To[0] != "Joao@BH.example" {
		t.Fatalf("%d mails after the forgot form", len(got))
	}
	link := regexp.MustCompile(`http://[^\s"]+/login/token/[A-Za-z0-9_-]+`).FindString(decodedBody(t, got[1]))
	if link == "" || link == shown {
		t.Fatalf("forgot mail link %q", link)
	}
	if p := visitor.get(strings.TrimPrefix(link, s.srv.URL)); p.status != http.StatusOK {
		t.Fatalf("the mailed link: %d", p.status)
	}
}
