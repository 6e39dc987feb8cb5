package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
)

func TestHealthz(t *testing.T) {
	s := newSite(t)
	if p := s.browser().get("/healthz"); p.status != http.StatusOK || p.body != "ok\n" {
		t.Fatalf("healthz = %d %q", p.status, p.body)
	}
}

func TestCSRF(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	creds := url.Values{"username": {"marta"}, "password": {"learning-forum-2026"}}
	tests := []struct {
		name   string
		token  string
		origin string
	}{
		{"no token", "", ""},
		{"wrong token", strings.Repeat("x", 43), ""},
		{"cross-origin with the right token", "<right>", "http://evil.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{}
			for k, v := range creds {
				form[k] = v
			}
			if tt.token == "<right>" {
				form.Set("csrf", b.csrf())
			} else if tt.token != "" {
				form.Set("csrf", tt.token)
			}
			req, _ := http.NewRequest("POST", s.srv.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
				req.Header.Set("Sec-Fetch-Site", "cross-site")
			}
			p := b.do(req)
			if p.status != http.StatusForbidden {
				t.Fatalf("status %d, want 403", p.status)
			}
			if p.header.Get("Set-Cookie") != "" && strings.Contains(p.header.Get("Set-Cookie"), "agora_session") {
				t.Fatal("a session was started")
			}
		})
	}
	// A member's form without the token changes nothing.
	m := s.signedIn("marta")
	p := m.postRaw("/f/digitalisation/ask", url.Values{"title": {"Forged question"}, "body": {"x"}, "language": {"en"}})
	if p.status != http.StatusForbidden {
		t.Fatalf("forged ask: %d", p.status)
	}
	if list, _ := s.rig.Service.ListThreads(context.Background(), s.cast.Forum.ID, ""); len(list.Threads.Items) != 0 {
		t.Fatal("forged question stored")
	}
}

func TestNotFoundAndGone(t *testing.T) {
	s := newSite(t)
	th, err := s.rig.Service.Ask(context.Background(), s.cast.Barcelona, s.cast.Forum.ID,
		forum.Question{Title: "Will be deleted", Body: "x", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.rig.Service.DeleteThread(context.Background(), s.cast.Moderator, th.ID); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	b.lang = "es"
	tests := []struct {
		path   string
		status int
		text   string
	}{
		{"/t/01m6dsg7e0eezt7vf0859w68z9", http.StatusNotFound, "Esta página no existe."},
		{"/t/not-an-id", http.StatusNotFound, "Esta página no existe."},
		{"/f/nope", http.StatusNotFound, "Esta página no existe."},
		{"/u/nobody", http.StatusNotFound, "Esta página no existe."},
		{"/p/01m6dsg7e0eezt7vf0859w68z9", http.StatusNotFound, "Esta página no existe."},
		{"/no/such/page", http.StatusNotFound, "Esta página no existe."},
		{"/t/" + th.ID, http.StatusGone, "Esta pregunta fue eliminada"},
		{"/invite/bogus", http.StatusNotFound, "Este enlace no es válido"},
		{"/login/token/bogus", http.StatusNotFound, "Este enlace no es válido"},
		{"/f/digitalisation?after=garbage", http.StatusBadRequest, "no es una página válida"},
	}
	for _, tt := range tests {
		p := b.get(tt.path)
		if p.status != tt.status {
			t.Errorf("GET %s = %d, want %d", tt.path, p.status, tt.status)
		}
		mustContain(t, p, tt.text, `<html lang="es" dir="ltr">`)
	}
}

func TestAskAnswerModerateFlow(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	marta := s.signedIn("marta")

	// Bad input: 400 with the message, the text typed comes back, nothing stored.
	p := marta.post("/f/digitalisation/ask", url.Values{"title": {"Hi"}, "body": {"My long draft"}, "language": {"en"}})
	if p.status != http.StatusBadRequest {
		t.Fatalf("short title: %d", p.status)
	}
	mustContain(t, p, "Title: is too short", "My long draft")
	if list, _ := s.rig.Service.ListThreads(ctx, s.cast.Forum.ID, ""); len(list.Threads.Items) != 0 {
		t.Fatal("refused question stored")
	}

	p = marta.post("/f/digitalisation/ask", url.Values{"title": {"How do you measure digital inclusion?"},
		"body": {"We track *broadband* take-up."}, "language": {"en"}})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(location(p), "/t/") {
		t.Fatalf("ask: %d %s", p.status, location(p))
	}
	threadPath := location(p)
	page := marta.get(threadPath)
	mustContain(t, page, `<h1 lang="en">How do you measure digital inclusion?</h1>`, "<em>broadband</em>")

	joao := s.signedIn("joao")
	p = joao.post(threadPath+"/reply", url.Values{"body": {"Medimos el acceso en las escuelas."}, "language": {"es"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("reply: %d\n%s", p.status, p.body)
	}
	answerID := strings.TrimPrefix(location(p)[strings.Index(location(p), "#p-"):], "#p-")
	p = marta.post(threadPath+"/reply", url.Values{"body": {"Obrigada!"}, "language": {"pt"}, "parent": {answerID}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("reply to answer: %d", p.status)
	}
	p = joao.post(threadPath+"/reply", url.Values{"body": {""}, "language": {"es"}})
	if p.status != http.StatusBadRequest {
		t.Fatalf("empty answer: %d", p.status)
	}
	mustContain(t, p, "Text: is required")

	page = marta.get(threadPath)
	mustContain(t, page, `<div class="body" lang="es"><p>Medimos el acceso en las escuelas.</p>`,
		`class="post nested"`, `<div class="body" lang="pt">`, "2 answers")

	// Helpful: marta marks joão's answer.
	if p := marta.post("/p/"+answerID+"/helpful", url.Values{"on": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("helpful: %d", p.status)
	}
	mustContain(t, marta.get(threadPath), "1 person found this helpful", `aria-pressed="true"`)
	if p := joao.post("/p/"+answerID+"/helpful", url.Values{"on": {"1"}}); p.status != http.StatusForbidden {
		t.Fatalf("own answer helpful: %d", p.status)
	}

	// Edit keeps history.
	if p := joao.post("/p/"+answerID+"/edit", url.Values{"body": {"Medimos el acceso en escuelas y bibliotecas."}, "language": {"es"}}); p.status != http.StatusSeeOther {
		t.Fatalf("edit: %d", p.status)
	}
	mustContain(t, marta.get("/p/"+answerID+"/history"), "Medimos el acceso en las escuelas.")
	if p := marta.post("/p/"+answerID+"/edit", url.Values{"body": {"hijacked"}, "language": {"es"}}); p.status != http.StatusForbidden {
		t.Fatalf("edit another's answer: %d", p.status)
	}

	// A member cannot moderate; a moderator locks, marks a good practice.
	if p := marta.post(threadPath+"/moderate", url.Values{"action": {"lock"}}); p.status != http.StatusForbidden {
		t.Fatalf("member locks: %d", p.status)
	}
	mod := s.signedIn("moderator")
	if p := mod.post(threadPath+"/moderate", url.Values{"action": {"lock"}}); p.status != http.StatusSeeOther {
		t.Fatalf("lock: %d", p.status)
	}
	if p := mod.post(threadPath+"/moderate", url.Values{"action": {"explode"}}); p.status != http.StatusBadRequest {
		t.Fatalf("unknown action: %d", p.status)
	}
	if p := joao.post(threadPath+"/reply", url.Values{"body": {"late"}, "language": {"es"}}); p.status != http.StatusConflict {
		t.Fatalf("answer in locked thread: %d", p.status)
	}
	mustContain(t, joao.get(threadPath), "This question is locked: it takes no new answers.")
	if p := mod.post("/p/"+answerID+"/good-practice", url.Values{"on": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("good practice: %d", p.status)
	}
	mustContain(t, marta.get(threadPath), `<p class="badge">Good practice</p>`)

	// Deleting an answer leaves a tombstone.
	if p := mod.post("/p/"+answerID+"/delete", nil); p.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", p.status)
	}
	mustContain(t, marta.get(threadPath), "This answer was deleted.")
	if p := mod.post(threadPath+"/moderate", url.Values{"action": {"delete"}}); p.status != http.StatusSeeOther || location(p) != "/f/digitalisation" {
		t.Fatalf("delete thread: %d %s", p.status, location(p))
	}
	if p := marta.get(threadPath); p.status != http.StatusGone {
		t.Fatalf("deleted thread: %d", p.status)
	}
}

func TestVisitorIsSentToSignIn(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	p := b.get("/f/digitalisation/ask")
	if p.status != http.StatusSeeOther || location(p) != "/login?next=%2Ff%2Fdigitalisation%2Fask" {
		t.Fatalf("ask as visitor: %d %s", p.status, location(p))
	}
	// A visitor's answer form comes back to the thread after signing in.
	req, _ := http.NewRequest("POST", s.srv.URL+"/t/01m6dsg7e0eezt7vf0859w68z9/reply", strings.NewReader("csrf="+b.csrf()+"&body=x&language=en"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", s.srv.URL+"/t/01m6dsg7e0eezt7vf0859w68z9?after=x")
	if p := b.do(req); p.status != http.StatusSeeOther || location(p) != "/login?next=%2Ft%2F01m6dsg7e0eezt7vf0859w68z9%3Fafter%3Dx" {
		t.Fatalf("reply as visitor: %d %s", p.status, location(p))
	}
	if p := b.get("/admin"); p.status != http.StatusSeeOther {
		t.Fatalf("admin as visitor: %d", p.status)
	}
	if p := s.signedIn("marta").get("/admin"); p.status != http.StatusForbidden {
		t.Fatalf("admin as member: %d", p.status)
	}
	// next never leaves the node.
	b2 := s.browser()
	p = b2.post("/login", url.Values{"username": {"marta"}, "password": {"learning-forum-2026"}, "next": {"//evil.example/x"}})
	if p.status != http.StatusSeeOther || location(p) != "/" {
		t.Fatalf("open redirect: %d %q", p.status, location(p))
	}
}

func TestSignInRateLimit(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	for i := 0; i < 10; i++ {
		if p := b.post("/login", url.Values{"username": {"marta"}, "password": {"wrong password!"}}); p.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, p.status)
		}
	}
	p := b.post("/login", url.Values{"username": {"marta"}, "password": {"learning-forum-2026"}})
	if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" {
		t.Fatalf("11th attempt: %d, Retry-After %q", p.status, p.header.Get("Retry-After"))
	}
}

// Behind a trusted reverse proxy every connection comes from the proxy: the
// per-address sign-in limit must count each client (X-Forwarded-For), or
// ten wrong passwords from anyone would lock everybody out. A header from
// a peer that isn't a trusted proxy is anyone's word and is ignored.
func TestSignInRateLimitPerClient(t *testing.T) {
	tests := []struct {
		name     string
		proxies  string // trusted by the node; the test client connects from 127.0.0.1
		wantSame bool   // whether the two clients share one address limit
	}{
		{"behind a trusted proxy, clients are told apart", "127.0.0.1", false},
		{"an untrusted peer's X-Forwarded-For is ignored", "10.0.0.0/8", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSiteBehind(t, tt.proxies)
			mallory := s.browser()
			mallory.forwardedFor = "198.51.100.66"
			for i := 0; i < 10; i++ {
				// A different unknown name each time: only the address limit counts.
				form := url.Values{"username": {fmt.Sprintf("nobody%d", i)}, "password": {"wrong password!"}}
				if p := mallory.post("/login", form); p.status != http.StatusUnauthorized {
					t.Fatalf("attempt %d: %d", i, p.status)
				}
			}
			if p := mallory.post("/login", url.Values{"username": {"nobody10"}, "password": {"x"}}); p.status != http.StatusTooManyRequests {
				t.Fatalf("mallory's 11th attempt: %d, want 429", p.status)
			}
			marta := s.browser()
			marta.forwardedFor = "203.0.113.7"
			p := marta.post("/login", url.Values{"username": {"marta"}, "password": {"learning-forum-2026"}})
			if shared := p.status == http.StatusTooManyRequests; shared != tt.wantSame {
				t.Errorf("marta's sign-in: %d; sharing mallory's limit = %v, want %v", p.status, shared, tt.wantSame)
			}
		})
	}
}

func TestSessionCookieFlags(t *testing.T) {
	s := newSite(t)
	p := s.browser().post("/login", url.Values{"username": {"marta"}, "password": {"learning-forum-2026"}})
	var c *http.Cookie
	for _, k := range (&http.Response{Header: p.header}).Cookies() {
		if k.Name == "agora_session" {
			c = k
		}
	}
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Fatalf("session cookie = %+v", c)
	}
}

func TestInvitationThroughAdminPage(t *testing.T) {
	s := newSite(t)
	admin := s.signedIn("secretariat")
	p := admin.post("/admin/invitations", url.Values{"role": {"member"}, "note": {"Harare"}})
	if p.status != http.StatusOK {
		t.Fatalf("invite: %d", p.status)
	}
	i := strings.Index(p.body, s.srv.URL+"/invite/")
	if i < 0 {
		t.Fatal("no invitation link shown")
	}
	link := p.body[i+len(s.srv.URL) : i+len(s.srv.URL)+len("/invite/")+43]

	guest := s.browser()
	guest.lang = "fr"
	mustContain(t, guest.get(link), "Créer mon compte")
	form := url.Values{"username": {"tendai"}, "password": {"short"}, "display_name": {"Tendai Moyo"},
		"title": {"ICT Officer"}, "organisation": {"Harare"}, "languages": {"en, sn"}}
	p = guest.post(link, form)
	if p.status != http.StatusBadRequest {
		t.Fatalf("short password: %d", p.status)
	}
	mustContain(t, p, "doit contenir au moins 10 caractères", `value="Tendai Moyo"`)
	form.Set("password", "a proper passphrase")
	if p = guest.post(link, form); p.status != http.StatusSeeOther || location(p) != "/welcome" {
		t.Fatalf("accept: %d %s", p.status, location(p))
	}
	mustContain(t, guest.get("/u/tendai"), "Tendai Moyo", "ICT Officer", `<span lang="sn">chiShona</span>`)
	if p = s.browser().post(link, form); p.status != http.StatusNotFound {
		t.Fatalf("link reused: %d", p.status)
	}
}

func TestCreateForumFromAdminPage(t *testing.T) {
	s := newSite(t)
	admin := s.signedIn("secretariat")
	p := admin.post("/admin/forums", url.Values{"slug": {"t-bad"}, "language": {"en"}, "title_en": {"Bad"}})
	if p.status != http.StatusBadRequest {
		t.Fatalf("reserved slug: %d", p.status)
	}
	p = admin.post("/admin/forums", url.Values{"slug": {"housing"}, "language": {"es"}, "position": {"2"},
		"title_es": {"Vivienda"}, "title_en": {"Housing"}})
	if p.status != http.StatusSeeOther || location(p) != "/f/housing" {
		t.Fatalf("create: %d %s", p.status, location(p))
	}
	b := s.browser()
	b.lang = "fr" // no French text: the original (Spanish) is shown, marked up as Spanish
	mustContain(t, b.get("/f/housing"), `<h1 lang="es">Vivienda</h1>`)
}
