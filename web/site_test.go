package web_test

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/clientip"
	"github.com/metropolis/agora/forum/markup"
	"github.com/metropolis/agora/media"
	"github.com/metropolis/agora/notify"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/testrig"
	"github.com/metropolis/agora/uris"
	"github.com/metropolis/agora/web"
)

// site is a node served on loopback with a seeded rig.
type site struct {
	t    *testing.T
	rig  *testrig.Rig
	cast *testrig.Cast
	srv  *httptest.Server
	// notices derives notifications when a test calls it (deliver).
	notices *notify.Deriver
	web     *web.Server
}

// newSite serves the rig with the page cache on, as nodes run: every page
// test then also checks that the cache never shows a page older than the
// store.
func newSite(t *testing.T) *site { return newSiteWith(t, nil) }

// newSiteWith is newSite with the page cache following changes (nil: the
// database's own write counter).
func newSiteWith(t *testing.T, changes func(*testrig.Rig) web.Versioner) *site {
	t.Helper()
	return buildSite(t, changes, clientip.Resolver{})
}

// newSiteBehind is newSite behind reverse proxies it trusts (addresses or
// CIDR ranges, as --trusted-proxies takes them).
func newSiteBehind(t *testing.T, proxies string) *site {
	t.Helper()
	r, err := clientip.Parse(proxies)
	if err != nil {
		t.Fatal(err)
	}
	return buildSite(t, nil, r)
}

func buildSite(t *testing.T, changes func(*testrig.Rig) web.Versioner, clientIP clientip.Resolver) *site {
	t.Helper()
	return buildSiteOn(t, testrig.New(t), changes, clientIP)
}

// buildSiteOn serves a rig on a database of the test's choosing.
func buildSiteOn(t *testing.T, rig *testrig.Rig, changes func(*testrig.Rig) web.Versioner, clientIP clientip.Resolver) *site {
	t.Helper()
	var versioner web.Versioner = rig.DB.Changes()
	if changes != nil {
		versioner = changes(rig)
	}
	cast := rig.Seed(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u, err := uris.New("http://" + ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	notes := &notify.Service{Store: rig.DB.Store(), Now: rig.Clock.Now}
	notices := &notify.Deriver{Events: rig.Service.Events, Store: rig.DB.Store(), Forum: rig.Service, URLs: u,
		Markup: markup.New(), IDs: testrig.IDs(rig.Clock), Logger: logger, Now: rig.Clock.Now}
	mailCfg := &web.MailConfig{Store: rig.DB.Store(), IDs: testrig.IDs(rig.Clock), Now: rig.Clock.Now, Coalesce: 3 * time.Minute,
		ReplyFrom: "agora@agora.test"}
	h, err := web.New(web.Config{URLs: u, DefaultLanguage: "en", Service: rig.Service, Notify: notes, Mail: mailCfg,
		Logger: logger, Changes: versioner, ClientIP: clientIP,
		Search: search.NewService(rig.DB.Store(), rig.DB.Store()), Media: media.Dir{Path: t.TempDir()}, Feeds: rig.DB.Store(),
		Reports: reportService(t, rig), SiteName: "Metropolis"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return &site{t: t, rig: rig, cast: cast, srv: srv, notices: notices, web: h}
}

// browser is a cookie-keeping client that does not follow redirects, so
// tests see each status.
type browser struct {
	s    *site
	c    *http.Client
	lang string
	// forwardedFor, when set, is sent as X-Forwarded-For, as a reverse
	// proxy in front of the node would.
	forwardedFor string
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type page struct {
	status int
	body   string
	header http.Header
}

func (b *browser) do(req *http.Request) page {
	b.s.t.Helper()
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	if b.forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", b.forwardedFor)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, body: string(body), header: resp.Header}
}

func (b *browser) get(path string) page {
	req, _ := http.NewRequest("GET", b.s.srv.URL+path, nil)
	return b.do(req)
}

// csrf is the browser's CSRF cookie, fetched with a first page if needed.
func (b *browser) csrf() string {
	u, _ := url.Parse(b.s.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "agora_csrf" {
			return c.Value
		}
	}
	b.get("/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "agora_csrf" {
			return c.Value
		}
	}
	b.s.t.Fatal("no CSRF cookie")
	return ""
}

// post submits a form with the browser's CSRF token.
func (b *browser) post(path string, form url.Values) page {
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.csrf())
	return b.postRaw(path, form)
}

func (b *browser) postRaw(path string, form url.Values) page {
	req, _ := http.NewRequest("POST", b.s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) signIn(username string) {
	b.s.t.Helper()
	p := b.post("/login", url.Values{"username": {username}, "password": {testrig.Password}, "next": {"/"}})
	if p.status != http.StatusSeeOther {
		b.s.t.Fatalf("sign in %s: %d\n%s", username, p.status, p.body)
	}
}

func (s *site) signedIn(username string) *browser {
	b := s.browser()
	b.signIn(username)
	return b
}

func mustContain(t *testing.T, p page, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(p.body, w) {
			t.Errorf("page (status %d) lacks %q", p.status, w)
		}
	}
}

// location is a redirect's target path.
func location(p page) string { return p.header.Get("Location") }
