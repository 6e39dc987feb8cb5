package web_test

import (
	"context"
	"database/sql"
	"html/template"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uptrace/bun/driver/sqliteshim"

	"github.com/metropolis/agora/clientip"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
)

// sessionCookie is the browser's session token ("" if it has none).
func (b *browser) sessionCookie() string {
	u, _ := url.Parse(b.s.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "agora_session" {
			return c.Value
		}
	}
	return ""
}

// clearsSession reports whether a response tells the browser to drop its
// session cookie.
func clearsSession(p page) bool {
	for _, c := range p.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "agora_session=") {
			return true
		}
	}
	return false
}

// mustBeOutage checks a 503 page: Retry-After, the message in lang.
func mustBeOutage(t *testing.T, what string, p page, lang, message string) {
	t.Helper()
	if p.status != http.StatusServiceUnavailable {
		t.Fatalf("%s: %d (Location %q), want 503", what, p.status, location(p))
	}
	if p.header.Get("Retry-After") == "" {
		t.Errorf("%s: no Retry-After", what)
	}
	if clearsSession(p) {
		t.Errorf("%s: the session cookie was cleared", what)
	}
	mustContain(t, p, `<html lang="`+lang+`" dir="ltr">`, message)
}

// With the database cut off, a member's answer is answered 503 with the
// text they typed and a form to send it again; they stay signed in, pages
// are 503 in the reader's language, and once the database is back the
// answer goes through.
func TestDatabaseOutage(t *testing.T) {
	for _, b := range storetest.OutageBackends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, outage := b.Open(t)
			s := buildSiteOn(t, testrig.NewOn(t, db), nil, clientip.Resolver{})
			ctx := context.Background()
			th, err := s.rig.Service.Ask(ctx, s.cast.Toronto, s.cast.Forum.ID,
				forum.Question{Title: "Public wifi in libraries?", Body: "How did you fund it?", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			threadPath := "/t/" + th.ID
			answer, err := s.rig.Service.Reply(ctx, s.cast.Barcelona, th.ID, "", forum.Answer{Body: "With EU funds.", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			_, invitation, err := s.rig.Service.Invite(ctx, s.cast.Admin, forum.RoleMember, "for Lyon")
			if err != nil {
				t.Fatal(err)
			}
			marta := s.signedIn("marta")
			token := marta.sessionCookie()
			typed := "Financiamos 120 puntos <wifi> con fondos europeos & municipales.\nSegunda línea."

			outage.Cut()

			p := marta.post(threadPath+"/reply", url.Values{"body": {typed}, "language": {"es"}})
			mustBeOutage(t, "answer", p, "en", "cannot reach its database")
			mustContain(t, p, template.HTMLEscapeString(typed), `action="`+threadPath+`/reply"`,
				`name="csrf" value="`+marta.csrf()+`"`, `<input type="hidden" name="language" value="es">`,
				`name="body" rows="12" lang="es">`)
			if strings.Contains(p.body, `href="/login`) {
				t.Error("the outage page offers to sign in")
			}
			// The CSRF token is checked during an outage too.
			forged := marta.postRaw(threadPath+"/reply", url.Values{"body": {typed}, "language": {"es"}, "csrf": {strings.Repeat("x", 43)}})
			if forged.status != http.StatusForbidden || strings.Contains(forged.body, "Financiamos") {
				t.Errorf("forged form during the outage: %d", forged.status)
			}

			// Every form that carries a member's text keeps it.
			for _, f := range []struct {
				name, path string
				form       url.Values
				kept       []string
			}{
				{"question", "/f/digitalisation/ask", url.Values{"title": {"Fibre for every school?"}, "body": {"Our plan: 40 schools by June."}, "language": {"en"}},
					[]string{">Fibre for every school?</textarea>", ">Our plan: 40 schools by June.</textarea>"}},
				{"edit", "/p/" + answer.ID + "/edit", url.Values{"body": {"With EU and city funds."}, "language": {"en"}},
					[]string{">With EU and city funds.</textarea>"}},
				{"report", "/p/" + th.ID + "/report", url.Values{"reason": {"Advertising for a vendor."}},
					[]string{`name="reason"`, ">Advertising for a vendor.</textarea>"}},
				{"profile", "/u/marta/edit", url.Values{"display_name": {"Marta Puig i Soler"}, "title": {"Head of Innovation"},
					"organisation": {"AMB"}, "languages": {"ca, es"}, "ui_language": {"es"}},
					[]string{">Marta Puig i Soler</textarea>", ">Head of Innovation</textarea>", ">AMB</textarea>", `name="ui_language" value="es"`}},
			} {
				p := marta.post(f.path, f.form)
				mustBeOutage(t, f.name, p, "en", "Send again")
				mustContain(t, p, append(f.kept, `action="`+f.path+`"`)...)
			}
			// An invitation carries a password: the text is shown, the
			// password never, and the form is not offered again.
			guest := s.browser()
			p = guest.post("/invite/"+invitation, url.Values{"username": {"lyon"}, "password": {"a-long-secret-2026"},
				"display_name": {"Camille Martin"}, "languages": {"fr"}, "ui_language": {"fr"}})
			mustBeOutage(t, "invitation", p, "en", "Passwords are never shown again")
			mustContain(t, p, ">Camille Martin</textarea>")
			if strings.Contains(p.body, "a-long-secret-2026") || strings.Contains(p.body, "Send again") {
				t.Error("the invitation's password or form came back")
			}

			visitor := s.browser()
			visitor.lang = "es"
			mustBeOutage(t, "visitor's home page", visitor.get("/"), "es", "El foro no puede acceder a su base de datos")
			marta.lang = "fr"
			mustBeOutage(t, "member's thread page", marta.get(threadPath), "fr", "Le forum ne peut pas joindre sa base de données")
			marta.lang = ""
			if marta.sessionCookie() != token {
				t.Fatal("the browser lost its session during the outage")
			}

			outage.Restore()

			p = marta.post(threadPath+"/reply", url.Values{"body": {typed}, "language": {"es"}})
			if p.status != http.StatusSeeOther || !strings.HasPrefix(location(p), threadPath) {
				t.Fatalf("answer after the outage: %d %s\n%s", p.status, location(p), p.body)
			}
			page := marta.get(threadPath)
			mustContain(t, page, "Marta Puig", "Financiamos 120 puntos")
			if n := strings.Count(page.body, "Financiamos 120 puntos"); n != 1 {
				t.Errorf("the answer is on the page %d times, want once", n)
			}
		})
	}
}

// A sign-in during an outage is 503 and never writes the password back
// into the page.
func TestDatabaseOutageSignIn(t *testing.T) {
	db, outage := storetest.OutageBackends(t)[0].Open(t)
	s := buildSiteOn(t, testrig.NewOn(t, db), nil, clientip.Resolver{})
	b := s.browser()
	b.csrf()
	outage.Cut()
	p := b.post("/login", url.Values{"username": {"marta"}, "password": {testrig.Password}, "next": {"/"}})
	mustBeOutage(t, "sign in", p, "en", "cannot reach its database")
	mustContain(t, p, "Passwords are never shown again")
	if strings.Contains(p.body, testrig.Password) || strings.Contains(p.body, `name="password"`) {
		t.Fatal("the password is in the page")
	}
}

// SQLite's write lock held by another process beyond busy_timeout: the
// session still loads (WAL readers go on), the answer cannot be written,
// and the handler's error keeps the text too.
func TestDatabaseBusyKeepsTheAnswer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "forum.db")
	db, err := storage.Open(context.Background(), storage.Options{DatabaseURL: "sqlite://" + path + "?_pragma=busy_timeout(100)"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := buildSiteOn(t, testrig.NewOn(t, db), nil, clientip.Resolver{})
	th, err := s.rig.Service.Ask(context.Background(), s.cast.Toronto, s.cast.Forum.ID,
		forum.Question{Title: "Public wifi in libraries?", Body: "How did you fund it?", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	marta := s.signedIn("marta")

	other, err := sql.Open(sqliteshim.ShimName, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Close() })
	lock, err := other.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec("DELETE FROM sessions WHERE token_hash = 'none'"); err != nil {
		t.Fatal(err) // holds the write lock until rollback
	}
	typed := "Con un convenio con la diputación."
	p := marta.post("/t/"+th.ID+"/reply", url.Values{"body": {typed}, "language": {"es"}})
	mustBeOutage(t, "answer under a lock", p, "en", "cannot reach its database")
	mustContain(t, p, typed, "Marta Puig") // still signed in: her name in the header
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	if p := marta.post("/t/"+th.ID+"/reply", url.Values{"body": {typed}, "language": {"es"}}); p.status != http.StatusSeeOther {
		t.Fatalf("answer after the lock: %d", p.status)
	}
}
