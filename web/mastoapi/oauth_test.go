package mastoapi_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
)

func questionOf(title string) forum.Question {
	return forum.Question{Title: title, Body: "Asked for the learning forum.", Language: "en"}
}

func TestSignInVerifyCredentials(t *testing.T) {
	s := newSite(t)
	tok := s.login("marta", "read write follow")
	r := s.call(tok, "GET", "/api/v1/accounts/verify_credentials", nil)
	if r.status != 200 {
		t.Fatalf("verify_credentials: %d %s", r.status, r.body)
	}
	acct := r.obj(t)
	if acct["id"] != s.marta.ID || acct["username"] != "marta" || acct["acct"] != "marta" || acct["source"] == nil {
		t.Fatalf("account: %s", r.body)
	}
	app := s.call(tok, "GET", "/api/v1/apps/verify_credentials", nil)
	if app.status != 200 || app.obj(t)["name"] != "Tusky" {
		t.Fatalf("app: %d %s", app.status, app.body)
	}
	for _, path := range []string{"/api/v1/instance", "/api/v2/instance"} {
		r := s.call("", "GET", path, nil)
		v, _ := r.obj(t)["version"].(string)
		if r.status != 200 || !strings.HasPrefix(v, "4.2.0 (compatible; agora ") {
			t.Fatalf("%s: %d version %q", path, r.status, v)
		}
	}
	wk := s.call("", "GET", "/.well-known/oauth-authorization-server", nil).obj(t)
	if wk["authorization_endpoint"] != s.base+"/oauth/authorize" || wk["code_challenge_methods_supported"].([]any)[0] != "S256" {
		t.Fatalf("discovery: %v", wk)
	}
	if r := s.call("", "GET", "/api/v1/custom_emojis", nil); r.status != 200 || string(r.body) != "[]\n" {
		t.Fatalf("custom emojis: %d %s", r.status, r.body)
	}
	if r := s.call(tok, "GET", "/api/v1/preferences", nil); r.status != 200 || r.obj(t)["posting:default:language"] != "es" {
		t.Fatalf("preferences: %d %s", r.status, r.body)
	}
	// CORS for browser apps, on answers and preflights.
	if r := s.call("", "OPTIONS", "/api/v1/timelines/home", nil); r.status != 204 || r.header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(r.header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Fatalf("preflight: %d %v", r.status, r.header)
	}
	if r.header.Get("Access-Control-Allow-Origin") != "*" || r.header.Get("X-RateLimit-Limit") == "" {
		t.Fatalf("headers: %v", r.header)
	}
}

func TestOutOfBandCode(t *testing.T) {
	s := newSite(t)
	a := s.register("read", "urn:ietf:wg:oauth:2.0:oob")
	code := s.consent(a, "joao", "read")
	// A confidential client (with its secret) may skip PKCE; this one
	// started with it, so the verifier is still required.
	r := s.call("", "POST", "/oauth/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {a.ClientID},
		"client_secret": {a.ClientSecret}, "code": {code}, "redirect_uri": {a.redirect}, "code_verifier": {verifier}})
	if r.status != 200 {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	if got := r.obj(t)["scope"]; got != "read" {
		t.Fatalf("scope %v", got)
	}
}

func TestAuthorizeRefusals(t *testing.T) {
	s := newSite(t)
	a := s.register("read", "https://app.example/cb")
	b := s.browser()
	// Signed in first, so the refusals are what the page shows.
	login := b.do("GET", "/login", nil)
	form := formOf(login.body)
	form.Set("username", "marta")
	form.Set("password", "learning-forum-2026")
	if r := b.do("POST", "/login", form); r.status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", r.status)
	}
	wrong := a
	wrong.redirect = "https://app.example/cb/../evil"
	r := b.do("GET", authorizeURL(wrong, "read"), nil)
	if r.status != http.StatusBadRequest || r.header.Get("Location") != "" || !strings.Contains(string(r.body), "did not register") {
		t.Fatalf("wrong redirect URI: %d %q", r.status, r.header.Get("Location"))
	}
	// Scopes beyond the app's go back to the app as an OAuth error.
	r = b.do("GET", authorizeURL(a, "read write"), nil)
	loc, _ := url.Parse(r.header.Get("Location"))
	if r.status != http.StatusFound || loc.Host != "app.example" || loc.Query().Get("error") != "invalid_scope" || loc.Query().Get("state") != "xyz" {
		t.Fatalf("too many scopes: %d %s", r.status, r.header.Get("Location"))
	}
	// Denying tells the app access_denied.
	page := b.do("GET", authorizeURL(a, "read"), nil)
	if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "https://app.example") {
		t.Fatalf("the consent form cannot redirect to the app: %s", csp)
	}
	form = formOf(page.body)
	form.Set("decision", "deny")
	r = b.do("POST", "/oauth/authorize", form)
	loc, _ = url.Parse(r.header.Get("Location"))
	if r.status != http.StatusFound || loc.Query().Get("error") != "access_denied" || loc.Query().Get("code") != "" {
		t.Fatalf("deny: %d %s", r.status, r.header.Get("Location"))
	}
	// The consent page is in the member's language.
	b2 := s.browser()
	req := b2.do("GET", "/login", nil)
	form = formOf(req.body)
	form.Set("username", "joao")
	form.Set("password", "learning-forum-2026")
	b2.do("POST", "/login", form)
	b2.do("POST", "/language", url.Values{"lang": {"pt"}, "csrf": {formOf(b2.do("GET", "/", nil).body).Get("csrf")}, "next": {"/"}})
	page = b2.do("GET", authorizeURL(a, "read"), nil)
	if !strings.Contains(string(page.body), "Autorizar uma aplicação") || !strings.Contains(string(page.body), `lang="pt"`) {
		t.Fatalf("consent page not in Portuguese: %s", page.body)
	}
}

func TestTokenRefusals(t *testing.T) {
	s := newSite(t)
	a := s.register("read write", "https://app.example/cb")
	tests := []struct {
		name   string
		change func(url.Values)
		status int
		code   string
	}{
		{"PKCE mismatch", func(v url.Values) { v.Set("code_verifier", strings.Repeat("x", 50)) }, 400, "invalid_grant"},
		{"PKCE verifier missing", func(v url.Values) { v.Del("code_verifier") }, 400, "invalid_grant"},
		{"wrong redirect URI", func(v url.Values) { v.Set("redirect_uri", "https://app.example/other") }, 400, "invalid_grant"},
		{"wrong client secret", func(v url.Values) { v.Set("client_secret", "nope") }, 401, "invalid_client"},
		{"unknown grant type", func(v url.Values) { v.Set("grant_type", "password") }, 400, "unsupported_grant_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := s.consent(a, "marta", "read")
			v := url.Values{"grant_type": {"authorization_code"}, "client_id": {a.ClientID}, "code": {code},
				"redirect_uri": {a.redirect}, "code_verifier": {verifier}}
			tt.change(v)
			r := s.call("", "POST", "/oauth/token", v)
			if r.status != tt.status || r.obj(t)["error"] != tt.code {
				t.Fatalf("%d %s, want %d %s", r.status, r.body, tt.status, tt.code)
			}
		})
	}
	// client_credentials: an app token, which acts for nobody.
	r := s.call("", "POST", "/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {a.ClientID},
		"client_secret": {a.ClientSecret}, "scope": {"read"}})
	if r.status != 200 {
		t.Fatalf("client credentials: %d %s", r.status, r.body)
	}
	appTok := r.obj(t)["access_token"].(string)
	if r := s.call(appTok, "GET", "/api/v1/apps/verify_credentials", nil); r.status != 200 {
		t.Fatalf("app token on apps/verify_credentials: %d", r.status)
	}
	if r := s.call(appTok, "GET", "/api/v1/accounts/verify_credentials", nil); r.status != 422 || r.obj(t)["error"] == nil {
		t.Fatalf("app token on accounts/verify_credentials: %d %s", r.status, r.body)
	}
}

func TestScopeRefusals(t *testing.T) {
	s := newSite(t)
	ctx := t.Context()
	th, err := s.node.Service.Ask(ctx, s.joao, s.forum.ID, questionOf("Who runs the city's open data portal?"))
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, sc := range []string{"read:statuses", "write:statuses", "read", "write:favourites", "read:accounts"} {
		tokens[sc] = s.login("marta", sc)
	}
	tests := []struct {
		scope, method, path string
		body                any
	}{
		{"read:statuses", "POST", "/api/v1/statuses", map[string]any{"status": "hi", "in_reply_to_id": th.ID}},
		{"write:statuses", "GET", "/api/v1/timelines/home", nil},
		{"read", "POST", "/api/v1/accounts/" + s.forum.ID + "/follow", nil},
		{"read:statuses", "GET", "/api/v1/notifications", nil},
		{"write:favourites", "POST", "/api/v1/statuses/" + th.ID + "/bookmark", nil},
		{"read:statuses", "GET", "/api/v1/accounts/verify_credentials", nil},
		{"read:accounts", "GET", "/api/v1/timelines/home", nil},
		{"read", "POST", "/api/v1/statuses/" + th.ID + "/favourite", nil},
		{"read", "POST", "/api/v1/markers", map[string]any{"home": map[string]any{"last_read_id": th.ID}}},
	}
	for _, tt := range tests {
		t.Run(tt.scope+" "+tt.method+" "+tt.path, func(t *testing.T) {
			r := s.call(tokens[tt.scope], tt.method, tt.path, tt.body)
			if r.status != http.StatusForbidden || !strings.Contains(r.obj(t)["error"].(string), "scopes") {
				t.Fatalf("%d %s, want 403", r.status, r.body)
			}
		})
	}
	// And what each scope allows, it allows.
	if r := s.call(tokens["read:statuses"], "GET", "/api/v1/timelines/home", nil); r.status != 200 {
		t.Fatalf("read:statuses on home: %d %s", r.status, r.body)
	}
	if r := s.call(tokens["read:accounts"], "GET", "/api/v1/accounts/verify_credentials", nil); r.status != 200 {
		t.Fatalf("read:accounts on verify_credentials: %d", r.status)
	}
	// No token where one is needed: 401.
	if r := s.call("", "GET", "/api/v1/timelines/home", nil); r.status != 401 || r.obj(t)["error"] == nil {
		t.Fatalf("no token: %d %s", r.status, r.body)
	}
}

func TestRevokedToken(t *testing.T) {
	s := newSite(t)
	// Revoked by the app (RFC 7009).
	a := s.register("read", "urn:ietf:wg:oauth:2.0:oob")
	code := s.consent(a, "marta", "read")
	r := s.call("", "POST", "/oauth/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {a.ClientID},
		"client_secret": {a.ClientSecret}, "code": {code}, "redirect_uri": {a.redirect}, "code_verifier": {verifier}})
	tok := r.obj(t)["access_token"].(string)
	if r := s.call(tok, "GET", "/api/v1/accounts/verify_credentials", nil); r.status != 200 {
		t.Fatalf("before revoking: %d", r.status)
	}
	if r := s.call("", "POST", "/oauth/revoke", url.Values{"client_id": {a.ClientID}, "client_secret": {a.ClientSecret}, "token": {tok}}); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if r := s.call(tok, "GET", "/api/v1/accounts/verify_credentials", nil); r.status != 401 || r.obj(t)["error"] != "The access token is invalid" {
		t.Fatalf("after revoking: %d %s", r.status, r.body)
	}

	// Revoked by the member on their profile page.
	tok = s.login("joao", "read")
	b := s.browser()
	login := b.do("GET", "/login", nil)
	form := formOf(login.body)
	form.Set("username", "joao")
	form.Set("password", "learning-forum-2026")
	b.do("POST", "/login", form)
	page := b.do("GET", "/u/joao", nil)
	if !strings.Contains(string(page.body), "Tusky") || !strings.Contains(string(page.body), "Revoke access") {
		t.Fatalf("profile lists no app: %s", page.body)
	}
	m := regexp.MustCompile(`action="(/u/joao/apps/[^"]+/revoke)"`).FindStringSubmatch(string(page.body))
	if m == nil {
		t.Fatal("no revoke form")
	}
	if r := b.do("POST", m[1], url.Values{"csrf": {formOf(page.body).Get("csrf")}}); r.status != http.StatusSeeOther {
		t.Fatalf("revoke from profile: %d %s", r.status, r.body)
	}
	if r := s.call(tok, "GET", "/api/v1/accounts/verify_credentials", nil); r.status != 401 {
		t.Fatalf("after revoking from the profile: %d", r.status)
	}
	// Another member cannot revoke it (nor see it).
	if page := s.browser().do("GET", "/u/joao", nil); strings.Contains(string(page.body), "Revoke access") {
		t.Fatal("a visitor sees joao's apps")
	}
}
