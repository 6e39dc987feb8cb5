package mastoapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/password"
	"github.com/metropolis/agora/media"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
)

// site is a node served on loopback with its workers running, a forum and
// three members.
type site struct {
	t     *testing.T
	base  string
	node  *node.Node
	forum *forum.Forum
	marta *forum.Member
	joao  *forum.Member
	mod   *forum.Member
}

// newSite serves a node as agora runs it (with a media store); opts
// change its configuration first.
func newSite(t *testing.T, opts ...func(*node.Config)) *site {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	var logOut io.Writer = io.Discard
	if os.Getenv("AGORA_TEST_LOG") != "" {
		logOut = os.Stderr
	}
	cfg := node.Config{BaseURL: base, DefaultLanguage: "en", DB: storetest.Open(t),
		Logger: slog.New(slog.NewTextHandler(logOut, nil)), AllowLoopbackPeers: true,
		Hasher: password.NewFast(), Keys: testrig.NodeKeys(), Media: media.Dir{Path: t.TempDir()}}
	for _, o := range opts {
		o(&cfg)
	}
	n, err := node.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: n.Handler}
	go func() { _ = srv.Serve(ln) }()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { n.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		_ = srv.Close()
		<-done
	})
	s := &site{t: t, base: base, node: n}
	mk := func(username string, role forum.Role, langs ...string) *forum.Member {
		m, err := n.Service.CreateMember(ctx, forum.SystemActor(), forum.NewAccount{Username: username, Password: testrig.Password,
			Profile: forum.Profile{DisplayName: strings.ToUpper(username[:1]) + username[1:], Title: "Innovation Coordinator",
				Organisation: "Barcelona", Languages: langs}}, role)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	s.marta, s.joao, s.mod = mk("marta", forum.RoleMember, "es", "en"), mk("joao", forum.RoleMember, "pt"), mk("nadia", forum.RoleModerator, "fr")
	if s.forum, err = n.Service.CreateForum(ctx, forum.SystemActor(), forum.ForumInput{Slug: "digitalisation", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Learning forum on digitalisation", Description: "Equity and the internet"}}}); err != nil {
		t.Fatal(err)
	}
	return s
}

// reply is an HTTP answer, its body decoded when it is JSON.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r reply) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	r.json(t, &m)
	return m
}

func (r reply) list(t *testing.T) []map[string]any {
	t.Helper()
	var l []map[string]any
	r.json(t, &l)
	return l
}

// call sends a request with an optional bearer token and a body: a
// url.Values goes as a form, anything else as JSON.
func (s *site) call(token, method, path string, body any) reply {
	s.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ct = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		data, _ := json.Marshal(b)
		rd, ct = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: data}
}

// app is a registered client.
type app struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	redirect     string
}

func (s *site) register(scopes, redirect string) app {
	s.t.Helper()
	r := s.call("", "POST", "/api/v1/apps", map[string]any{"client_name": "Tusky", "redirect_uris": redirect,
		"scopes": scopes, "website": "https://tusky.app"})
	if r.status != 200 {
		s.t.Fatalf("register app: %d %s", r.status, r.body)
	}
	var a app
	r.json(s.t, &a)
	a.redirect = redirect
	return a
}

// browser is a member's browser: it keeps cookies and does not follow
// redirects, so each step shows.
type browser struct {
	s *site
	c *http.Client
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) do(method, path string, form url.Values) reply {
	b.s.t.Helper()
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	target := path
	if strings.HasPrefix(path, "/") {
		target = b.s.base + path
	}
	req, _ := http.NewRequest(method, target, rd)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: data}
}

var hiddenField = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`)

// formOf reads a page's hidden fields, as a browser submits them.
func formOf(page []byte) url.Values {
	v := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(string(page), -1) {
		v.Set(m[1], htmlUnescape(m[2]))
	}
	return v
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

const verifier = "a-pkce-verifier-long-enough-to-be-valid-0123456789"

func challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorizeURL is where the app sends the member.
func authorizeURL(a app, scope string) string {
	return "/oauth/authorize?" + url.Values{"response_type": {"code"}, "client_id": {a.ClientID}, "redirect_uri": {a.redirect},
		"scope": {scope}, "state": {"xyz"}, "code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"}}.Encode()
}

// consent signs username in through agora's own sign-in, reads the
// consent page and approves it; it returns the code the app receives.
func (s *site) consent(a app, username, scope string) string {
	s.t.Helper()
	return s.consentURL(authorizeURL(a, scope), a, username)
}

// consentURL is consent for an authorize URL an app made.
func (s *site) consentURL(authorize string, a app, username string) string {
	s.t.Helper()
	b := s.browser()
	r := b.do("GET", authorize, nil)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login?next=") {
		s.t.Fatalf("authorize signed out: %d %s", r.status, r.header.Get("Location"))
	}
	next, _ := url.Parse(r.header.Get("Location"))
	login := b.do("GET", next.String(), nil)
	form := formOf(login.body)
	form.Set("username", username)
	form.Set("password", testrig.Password)
	r = b.do("POST", "/login", form)
	if r.status != http.StatusSeeOther {
		s.t.Fatalf("sign in: %d %s", r.status, r.body)
	}
	page := b.do("GET", r.header.Get("Location"), nil)
	if page.status != 200 || !strings.Contains(string(page.body), `action="/oauth/authorize"`) {
		s.t.Fatalf("consent page: %d %s", page.status, page.body)
	}
	form = formOf(page.body)
	form.Set("decision", "approve")
	r = b.do("POST", "/oauth/authorize", form)
	if a.redirect == "urn:ietf:wg:oauth:2.0:oob" {
		m := regexp.MustCompile(`id="code" value="([^"]+)"`).FindSubmatch(r.body)
		if r.status != 200 || m == nil {
			s.t.Fatalf("out-of-band code page: %d %s", r.status, r.body)
		}
		return string(m[1])
	}
	loc, err := url.Parse(r.header.Get("Location"))
	if r.status != http.StatusFound || err != nil || loc.Query().Get("code") == "" || loc.Query().Get("state") != "xyz" {
		s.t.Fatalf("approve: %d %s", r.status, r.header.Get("Location"))
	}
	return loc.Query().Get("code")
}

// login runs the whole flow for a public client (PKCE, no secret) and
// returns the access token.
func (s *site) login(username, scope string) string {
	s.t.Helper()
	a := s.register("read write follow push", "http://127.0.0.1:9/callback")
	code := s.consent(a, username, scope)
	r := s.call("", "POST", "/oauth/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {a.ClientID},
		"code": {code}, "redirect_uri": {a.redirect}, "code_verifier": {verifier}})
	if r.status != 200 {
		s.t.Fatalf("token: %d %s", r.status, r.body)
	}
	tok, _ := r.obj(s.t)["access_token"].(string)
	if tok == "" {
		s.t.Fatalf("no token in %s", r.body)
	}
	return tok
}

// formBody is a url.Values from pairs.
func formBody(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

var revokeForms = regexp.MustCompile(`action="(/u/[a-z]+/apps/[^"]+/revoke)"`)
