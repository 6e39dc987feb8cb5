package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/mail"
	"github.com/metropolis/agora/mail/mailtest"
	"github.com/metropolis/agora/notify"
)

// sendQueued plans the mails due and sends them to a real SMTP server.
func (s *site) sendQueued(srv *mailtest.Server) {
	s.t.Helper()
	if err := s.web.PlanMail(context.Background()); err != nil {
		s.t.Fatalf("plan mail: %v", err)
	}
	sender, err := mail.NewSMTP("smtp://"+srv.Addr, "agora@agora.test", "agora.test")
	if err != nil {
		s.t.Fatal(err)
	}
	w := &mail.Worker{Queue: s.rig.DB.Store(), Sender: sender, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: s.rig.Clock.Now}
	if _, err := w.Once(context.Background()); err != nil {
		s.t.Fatal(err)
	}
}

// Mentions and replies are mailed at once, coalesced, in the member's
// language, as text and HTML, with a one-click unsubscribe link that
// works without signing in; other kinds wait for the digest.
func TestNotificationMail(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	srv := mailtest.Start(t, "", "")
	marta := s.signedIn("marta")
	if p := marta.post("/settings/notifications", url.Values{"email": {"not an address"}, "auto_watch": {"1"}}); p.status != http.StatusBadRequest {
		t.Fatalf("bad address: %d", p.status)
	} else {
		mustContain(t, p, "This is not an email address.", `value="not an address"`)
	}
	if p := marta.post("/settings/notifications", url.Values{"email": {"marta@barcelona.test"}, "auto_watch": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("save address: %d", p.status)
	}
	m := s.cast.Barcelona
	m.UILanguage = "es"
	if err := s.rig.DB.Store().UpdateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	th := s.ask(m, "Has Covid-19 been a turning point?")
	s.answer(s.cast.BeloHz, th, "One.")
	s.answer(s.cast.Toronto, th, "Two, @marta.")
	s.derive()
	s.sendQueued(srv)
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d mails before the coalescing window ends", n)
	}
	s.rig.Clock.Advance(4 * time.Minute)
	s.sendQueued(srv)
	got := srv.Wait(1, 5*time.Second)
	if len(got) != 1 {
		t.Fatalf("%d mails, want 1 (coalesced)", len(got))
	}
	h := got[0].Msg.Header
	if h.Get("To") != "<marta@barcelona.test>" || h.Get("Content-Language") != "es" ||
		!strings.HasPrefix(h.Get("Content-Type"), "multipart/alternative") || h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("headers: %v", h)
	}
	body := string(got[0].Body)
	for _, want := range []string{"Priya Shah te mencion=C3=B3", "Jo=C3=A3o Silva respondi=C3=B3", "text/html", "lang=3D\"es\""} {
		if !strings.Contains(body, want) {
			t.Errorf("mail lacks %q:\n%s", want, body)
		}
	}
	// Planned once: nothing more.
	s.rig.Clock.Advance(4 * time.Minute)
	s.sendQueued(srv)
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("%d mails after planning again", n)
	}
	link := regexp.MustCompile(`<(http://[^>]+/unsubscribe/[^>]+)>`).FindStringSubmatch(h.Get("List-Unsubscribe"))
	if link == nil {
		t.Fatalf("List-Unsubscribe = %q", h.Get("List-Unsubscribe"))
	}
	// A forged link changes nothing; the real one, POSTed as a mail
	// provider does (no cookie, no CSRF token), unsubscribes.
	visitor := s.browser()
	forged := strings.Replace(link[1], "."+"all.", ".mention.", 1) + "x"
	if p := visitor.postRaw(strings.TrimPrefix(forged, s.srv.URL), url.Values{"List-Unsubscribe": {"One-Click"}}); p.status != http.StatusNotFound {
		t.Fatalf("forged link: %d", p.status)
	}
	if p := visitor.get(strings.TrimPrefix(link[1], s.srv.URL)); p.status != http.StatusOK {
		t.Fatalf("unsubscribe page: %d", p.status)
	}
	if p := visitor.postRaw(strings.TrimPrefix(link[1], s.srv.URL), url.Values{"List-Unsubscribe": {"One-Click"}}); p.status != http.StatusOK {
		t.Fatalf("one-click: %d %s", p.status, p.body)
	}
	prefs, err := s.notices.Store.NotifyPrefs(ctx, m.ID)
	if err != nil || prefs.MailFor(notify.KindMention) != notify.MailNever || prefs.MailFor(notify.KindReply) != notify.MailNever {
		t.Fatalf("after unsubscribing: %+v, %v", prefs.Mail, err)
	}
	// Unsubscribed: a new reply is not mailed.
	s.answer(s.cast.BeloHz, th, "Three.")
	s.derive()
	s.rig.Clock.Advance(4 * time.Minute)
	s.sendQueued(srv)
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("%d mails after unsubscribing", n)
	}
}

// A weekly digest gathers a week of a kind set to weekly.
func TestDigestMail(t *testing.T) {
	s := newSite(t)
	srv := mailtest.Start(t, "", "")
	joao := s.signedIn("joao")
	if p := joao.post("/settings/notifications", url.Values{"email": {"joao@bh.test"}, "auto_watch": {"1"},
		"mail_reply": {"weekly"}, "mail_answer": {"never"}}); p.status != http.StatusSeeOther {
		t.Fatalf("settings: %d", p.status)
	}
	th := s.ask(s.cast.BeloHz, "Open data portals")
	s.answer(s.cast.Barcelona, th, "One.")
	s.derive()
	s.rig.Clock.Advance(4 * time.Minute)
	s.sendQueued(srv) // starts the week
	s.answer(s.cast.Toronto, th, "Two.")
	s.derive()
	s.rig.Clock.Advance(3 * 24 * time.Hour)
	s.sendQueued(srv)
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d mails within the week", n)
	}
	s.rig.Clock.Advance(5 * 24 * time.Hour)
	s.sendQueued(srv)
	got := srv.Wait(1, 5*time.Second)
	if len(got) != 1 {
		t.Fatalf("%d digests, want 1", len(got))
	}
	if subj := got[0].Msg.Header.Get("Subject"); subj != "Your weekly digest: 2 notifications" {
		t.Fatalf("subject %q", subj)
	}
}
