package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
)

func (s *site) derive() {
	s.t.Helper()
	if err := s.notices.Pass(context.Background(), true); err != nil {
		s.t.Fatalf("derive notifications: %v", err)
	}
}

func (s *site) answer(by *forum.Member, th *forum.Thread, body string) *forum.Post {
	s.t.Helper()
	s.rig.Clock.Advance(time.Second)
	p, err := s.rig.Service.Reply(context.Background(), by, th.ID, "", forum.Answer{Body: body, Language: "en"})
	if err != nil {
		s.t.Fatal(err)
	}
	return p
}

// A member sees the unread count on every page, the notifications page
// grouped in their language, and marks one group, then all, read.
func TestNotificationsPage(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	th, err := s.rig.Service.Ask(ctx, s.cast.Barcelona, s.cast.Forum.ID, forum.Question{Title: "Has Covid-19 been a turning point?", Body: "Context.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	th2, err := s.rig.Service.Ask(ctx, s.cast.Barcelona, s.cast.Forum.ID, forum.Question{Title: "Open data portals", Body: "Context.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	s.answer(s.cast.BeloHz, th, "One.")
	s.answer(s.cast.Toronto, th, "Two.")
	s.answer(s.cast.BeloHz, th, "Three, for @marta.")
	s.answer(s.cast.BeloHz, th2, "Four.")
	s.derive()
	marta := s.signedIn("marta")
	marta.lang = "es"
	pages := []struct {
		path  string
		wants []string
	}{
		{"/", []string{`href="/notifications"`, "Notificaciones (4 sin leer)"}},
		{"/f/digitalisation", []string{"Notificaciones (4 sin leer)"}},
		{"/notifications", []string{
			"João Silva respondió a tu mensaje en «Open data portals»",
			"João Silva te mencionó en «Has Covid-19 been a turning point?»",
			"2 respuestas a tus mensajes en «Has Covid-19 been a turning point?»",
			"Marcar todas como leídas"}},
	}
	for _, p := range pages {
		got := marta.get(p.path)
		if got.status != http.StatusOK {
			t.Fatalf("GET %s: %d", p.path, got.status)
		}
		mustContain(t, got, p.wants...)
	}
	// Someone else sees their own count: Priya watches the thread she
	// answered, and was told of the third answer.
	mustContain(t, s.signedIn("priya").get("/"), "Notifications (1 unread)")
	// Visitors have no notifications link.
	if p := s.browser().get("/"); strings.Contains(p.body, `href="/notifications"`) {
		t.Fatal("a visitor sees the notifications link")
	}
	list, err := s.notices.Store.ListNotifications(ctx, s.cast.Barcelona.ID, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	// The newest (the answer in th2) alone.
	if p := marta.post("/notifications/read", url.Values{"id": {list[0].ID}}); p.status != http.StatusSeeOther {
		t.Fatalf("mark one: %d %s", p.status, p.body)
	}
	mustContain(t, marta.get("/"), "Notificaciones (3 sin leer)")
	// Another member cannot mark marta's.
	s.signedIn("priya").post("/notifications/read", url.Values{"all": {"1"}})
	mustContain(t, marta.get("/"), "Notificaciones (3 sin leer)")
	if p := marta.post("/notifications/read", url.Values{"all": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("mark all: %d", p.status)
	}
	p := marta.get("/")
	if strings.Contains(p.body, "sin leer") {
		t.Fatal("still unread after marking all")
	}
	mustContain(t, p, `>Notificaciones</a>`)
	if p := s.browser().get("/notifications"); p.status != http.StatusSeeOther && p.status != http.StatusUnauthorized && p.status != http.StatusForbidden {
		t.Fatalf("visitor's /notifications: %d", p.status)
	}
}

// Watching from the thread and forum pages; the forum marks threads new
// since the member's last visit and the thread links its first unread
// answer; settings turn auto-watching off.
func TestWatchAndUnread(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	th, err := s.rig.Service.Ask(ctx, s.cast.Barcelona, s.cast.Forum.ID, forum.Question{Title: "Has Covid-19 been a turning point?", Body: "Context.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	s.derive()
	priya := s.signedIn("priya")
	thread := "/t/" + th.ID
	mustContain(t, priya.get(thread), "Watch this thread")
	if p := priya.post("/watch", url.Values{"target": {"thread"}, "id": {th.ID}, "on": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("watch: %d %s", p.status, p.body)
	}
	mustContain(t, priya.get(thread), "Stop watching this thread")
	mustContain(t, priya.get("/f/digitalisation"), "Watch this forum")
	if p := priya.post("/watch", url.Values{"target": {"forum"}, "id": {s.cast.Forum.ID}, "on": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("watch forum: %d", p.status)
	}
	mustContain(t, priya.get("/f/digitalisation"), "Stop watching this forum")
	if p := priya.post("/watch", url.Values{"target": {"nothing"}, "id": {th.ID}, "on": {"1"}}); p.status != http.StatusBadRequest {
		t.Fatalf("watch nothing: %d", p.status)
	}

	// Priya read the thread above; a new answer makes it new since her
	// visit, and the thread page jumps to it.
	if p := priya.get("/f/digitalisation"); strings.Contains(p.body, "New since your last visit") {
		t.Fatal("a thread read is marked new")
	}
	a := s.answer(s.cast.BeloHz, th, "An answer.")
	s.derive()
	mustContain(t, priya.get("/f/digitalisation"), "New since your last visit")
	mustContain(t, priya.get("/"), "Notifications (1 unread)")
	p := priya.get(thread)
	mustContain(t, p, `href="/t/`+th.ID+`#p-`+a.ID+`">Go to the first answer since your last visit`,
		"Notifications (1 unread)") // the header's count, read with her marks
	if p := priya.get("/f/digitalisation"); strings.Contains(p.body, "New since your last visit") {
		t.Fatal("the thread stays new after reading it")
	}
	if p := priya.get(thread); strings.Contains(p.body, "first answer since your last visit") {
		t.Fatal("the jump stays after reading")
	}

	// Settings: auto-watch off, a mail mode; a bad mode is refused.
	joao := s.signedIn("joao")
	mustContain(t, joao.get("/settings/notifications"), `id="auto_watch" name="auto_watch" value="1" checked`)
	if p := joao.post("/settings/notifications", url.Values{"mail_mention": {"daily"}}); p.status != http.StatusSeeOther {
		t.Fatalf("save settings: %d", p.status)
	}
	got := joao.get("/settings/notifications")
	mustContain(t, got, `<option value="daily" selected>Daily digest</option>`)
	if strings.Contains(got.body, `name="auto_watch" value="1" checked`) {
		t.Fatal("auto-watch still on")
	}
	if p := joao.post("/settings/notifications", url.Values{"mail_mention": {"hourly"}}); p.status != http.StatusBadRequest {
		t.Fatalf("bad mode: %d", p.status)
	}
	// João answered with auto-watch on before: the thread is watched.
	mustContain(t, joao.get(thread), "Stop watching this thread")
}

func (s *site) ask(by *forum.Member, title string) *forum.Thread {
	s.t.Helper()
	s.rig.Clock.Advance(time.Second)
	th, err := s.rig.Service.Ask(context.Background(), by, s.cast.Forum.ID, forum.Question{Title: title, Body: "Context.", Language: "en"})
	if err != nil {
		s.t.Fatal(err)
	}
	return th
}

// TestFollowNotificationPage: a follow is told on the notifications page
// in the member's language, linking the follower's profile; several
// follows make one line.
func TestFollowNotificationPage(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	marta := s.cast.Barcelona
	if err := s.rig.Service.NoteFollowed(ctx, s.cast.BeloHz.ID, marta.ID); err != nil {
		t.Fatal(err)
	}
	s.derive()
	b := s.signedIn("marta")
	b.lang = "es"
	mustContain(t, b.get("/notifications"), "João Silva te sigue", `href="/u/`+s.cast.BeloHz.Username+`"`)
	if err := s.rig.Service.NoteFollowed(ctx, s.cast.Toronto.ID, marta.ID); err != nil {
		t.Fatal(err)
	}
	s.derive()
	mustContain(t, b.get("/notifications"), "2 personas nuevas te siguen, la última ")
	// Following oneself tells nobody.
	if err := s.rig.Service.NoteFollowed(ctx, marta.ID, marta.ID); err != nil {
		t.Fatal(err)
	}
	s.derive()
	mustContain(t, b.get("/notifications"), "2 personas nuevas te siguen")
}
