package mastoapi_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// linkNext is the rel="next" URL of a Link header, "" for none.
var linkNext = regexp.MustCompile(`<([^>]+)>;\s*rel="next"`)

// TestAppsSignInAndHomeSequence replays what Phanpy and Elk ask, in their
// order, when a member signs in and opens the home screen: every call
// answers 2xx with the shape the app reads.
func TestAppsSignInAndHomeSequence(t *testing.T) {
	s := newSite(t)
	ctx := t.Context()
	var titles []string
	for i := range 5 {
		title := fmt.Sprintf("Question %d on open data", i+1)
		if _, err := s.node.Service.Ask(ctx, s.joao, s.forum.ID, questionOf(title)); err != nil {
			t.Fatal(err)
		}
		titles = append(titles, title)
	}
	isObj := func(keys ...string) func(t *testing.T, r reply) {
		return func(t *testing.T, r reply) {
			o := r.obj(t)
			for _, k := range keys {
				if _, ok := o[k]; !ok {
					t.Fatalf("no %q in %s", k, r.body)
				}
			}
		}
	}
	isList := func(t *testing.T, r reply) { r.list(t) }

	// Before sign-in: the instance, then the app's registration.
	steps := []struct {
		path  string
		check func(*testing.T, reply)
	}{
		{"/api/v2/instance", isObj("domain", "title", "version", "configuration", "usage", "registrations")},
		{"/api/v1/instance", isObj("uri", "title", "version", "urls", "stats", "configuration")},
		{"/.well-known/oauth-authorization-server", isObj("authorization_endpoint", "token_endpoint", "scopes_supported")},
		{"/api/v1/custom_emojis", isList},
	}
	for _, st := range steps {
		r := s.call("", "GET", st.path, nil)
		if r.status/100 != 2 {
			t.Fatalf("GET %s signed out: %d %s", st.path, r.status, r.body)
		}
		st.check(t, r)
	}
	redirect := "https://phanpy.social/"
	reg := s.call("", "POST", "/api/v1/apps", url.Values{"client_name": {"Phanpy"}, "redirect_uris": {redirect},
		"scopes": {"read write follow push"}, "website": {"https://phanpy.social"}})
	if reg.status != 200 {
		t.Fatalf("apps: %d %s", reg.status, reg.body)
	}
	var a app
	reg.json(t, &a)
	a.redirect = redirect
	code := s.consent(a, "marta", "read write follow push")
	tr := s.call("", "POST", "/oauth/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {a.ClientID},
		"client_secret": {a.ClientSecret}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier},
		"scope": {"read write follow push"}})
	tok, _ := tr.obj(t)["access_token"].(string)
	if tr.status != 200 || tok == "" || tr.obj(t)["token_type"] != "Bearer" {
		t.Fatalf("token: %d %s", tr.status, tr.body)
	}
	// She follows the forum from the app (what brings questions home).
	if r := s.call(tok, "POST", "/api/v1/accounts/"+s.forum.ID+"/follow", nil); r.status != 200 || r.obj(t)["following"] != true {
		t.Fatalf("follow: %d %s", r.status, r.body)
	}

	// Signed in: what the home screen asks at start.
	signedIn := []struct {
		path  string
		check func(*testing.T, reply)
	}{
		{"/api/v1/accounts/verify_credentials", isObj("id", "acct", "avatar", "avatar_static", "source")},
		{"/api/v1/preferences", isObj("posting:default:visibility", "posting:default:language")},
		{"/api/v2/filters", isList},
		{"/api/v1/filters", isList},
		{"/api/v1/lists", isList},
		{"/api/v1/followed_tags", isList},
		{"/api/v1/announcements", isList},
		{"/api/v1/custom_emojis", isList},
		{"/api/v1/follow_requests", isList},
		{"/api/v2/suggestions", isList},
		{"/api/v1/trends/tags", isList},
		{"/api/v1/conversations", isList},
		{"/api/v1/scheduled_statuses", isList},
		{"/api/v1/markers?timeline[]=home&timeline[]=notifications", func(t *testing.T, r reply) { r.obj(t) }},
		{"/api/v1/notifications?limit=30", isList},
		{"/api/v1/accounts/relationships?id[]=" + s.forum.ID + "&id[]=" + s.joao.ID, func(t *testing.T, r reply) {
			rels := r.list(t)
			if len(rels) != 2 || rels[0]["id"] != s.forum.ID || rels[0]["following"] != true || rels[1]["following"] != false {
				t.Fatalf("relationships: %s", r.body)
			}
		}},
	}
	for _, st := range signedIn {
		t.Run(st.path, func(t *testing.T) {
			r := s.call(tok, "GET", st.path, nil)
			if r.status/100 != 2 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			st.check(t, r)
		})
	}

	// The home timeline, two at a time, following the Link header's next
	// page as the apps do: every question once, newest first.
	var seen []string
	newest := ""
	next := s.base + "/api/v1/timelines/home?limit=2"
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatalf("paging does not end: %v", seen)
		}
		r := s.call(tok, "GET", strings.TrimPrefix(next, s.base), nil)
		if r.status != 200 {
			t.Fatalf("home %s: %d %s", next, r.status, r.body)
		}
		page := r.list(t)
		for _, st := range page {
			acct, _ := st["account"].(map[string]any)
			if st["id"] == nil || st["content"] == nil || st["created_at"] == nil || acct["acct"] != "joao" || st["visibility"] != "public" {
				t.Fatalf("status shape: %v", st)
			}
			seen = append(seen, st["content"].(string))
			if newest == "" {
				newest = st["id"].(string)
			}
		}
		next = ""
		if m := linkNext.FindStringSubmatch(r.header.Get("Link")); m != nil && len(page) > 0 {
			next = m[1]
		}
	}
	if len(seen) != len(titles) {
		t.Fatalf("home showed %d statuses, want %d: %v", len(seen), len(titles), seen)
	}
	for i, content := range seen {
		if want := titles[len(titles)-1-i]; !strings.Contains(content, want) {
			t.Fatalf("home[%d] = %q, want %q", i, content, want)
		}
	}

	// Reading moves the home marker.
	r := s.call(tok, "POST", "/api/v1/markers", map[string]any{"home": map[string]any{"last_read_id": newest}})
	if home, _ := r.obj(t)["home"].(map[string]any); r.status != 200 || home["last_read_id"] != newest {
		t.Fatalf("save marker: %d %s", r.status, r.body)
	}
}
