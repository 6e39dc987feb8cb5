package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/mail/mailtest"
)

// A daily digest lists the new questions and the good practices marked in
// the forums the member watches, in her language, as text and HTML, with
// one-click unsubscribe; nothing is mailed before the day is over.
func TestDigestOfWatchedForums(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	srv := mailtest.Start(t, "", "")
	m := s.cast.Barcelona
	m.UILanguage = "es"
	if err := s.rig.DB.Store().UpdateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	marta := s.signedIn("marta")
	if p := marta.post("/settings/notifications", url.Values{"email": {"marta@barcelona.test"}, "auto_watch": {"1"},
		"mail_question": {"daily"}, "mail_forum_good_practice": {"daily"}}); p.status != http.StatusSeeOther {
		t.Fatalf("settings: %d", p.status)
	}
	if p := marta.post("/watch", url.Values{"target": {"forum"}, "id": {s.cast.Forum.ID}, "on": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("watch: %d %s", p.status, p.body)
	}
	s.ask(s.cast.Toronto, "Open data portals")
	s.derive()
	s.rig.Clock.Advance(4 * time.Minute)
	s.sendQueued(srv) // the day starts with the first notification to digest
	th := s.ask(s.cast.Toronto, "Digital inclusion for older residents")
	a := s.answer(s.cast.BeloHz, th, "Telecentres with volunteers.")
	if _, err := s.rig.Service.SetGoodPractice(ctx, s.cast.Moderator, a.ID, true); err != nil {
		t.Fatal(err)
	}
	s.derive()
	s.rig.Clock.Advance(12 * time.Hour)
	s.sendQueued(srv)
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d mails within the day", n)
	}
	s.rig.Clock.Advance(13 * time.Hour)
	s.sendQueued(srv)
	got := srv.Wait(1, 5*time.Second)
	if len(got) != 1 {
		t.Fatalf("%d digests, want 1", len(got))
	}
	h := got[0].Msg.Header
	if subj := subjectOf(t, got[0]); subj != "Tu resumen diario: 3 notificaciones" {
		t.Errorf("subject %q", subj)
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "multipart/alternative") || h.Get("Content-Language") != "es" ||
		!strings.Contains(h.Get("List-Unsubscribe"), "/unsubscribe/") || h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" ||
		h.Get("Reply-To") != "" {
		t.Errorf("headers %v", h)
	}
	body := decodedBody(t, got[0])
	for _, want := range []string{
		"2 nuevas preguntas en Foro de aprendizaje sobre digitalizaci",
		"Una buena pr", "ctica en Foro de aprendizaje sobre digitalizaci", "Digital inclusion for older residents",
		"/t/" + th.ID, `lang="es"`, "text/html",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("digest lacks %q:\n%s", want, body)
		}
	}
}
