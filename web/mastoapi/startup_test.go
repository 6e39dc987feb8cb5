package mastoapi_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

// send is call with headers and a raw body, for Accept-Language and
// uploads.
func (s *site) send(token, method, path string, hdr http.Header, body io.Reader) reply {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
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

// TestStartupEndpoints: what apps ask for when they start answers an
// empty list (not a 404 they take for a broken server), and only to a
// token with the scope Mastodon asks for.
func TestStartupEndpoints(t *testing.T) {
	s := newSite(t)
	full := s.login("marta", "read write follow")
	tests := []struct {
		path    string
		scope   string // what a token needs
		without string // a scope that is not enough
	}{
		{"/api/v1/filters", "read:filters", "read:statuses"},
		{"/api/v2/filters", "read:filters", "read:statuses"},
		{"/api/v1/lists", "read:lists", "read:accounts"},
		{"/api/v1/accounts/" + s.joao.ID + "/lists", "read:lists", "read:accounts"},
		{"/api/v1/followed_tags", "read:follows", "read:statuses"},
		{"/api/v1/suggestions", "read", "write"},
		{"/api/v2/suggestions", "read", "write"},
		{"/api/v1/conversations", "read:statuses", "read:accounts"},
		{"/api/v1/scheduled_statuses", "read:statuses", "read:accounts"},
		{"/api/v1/domain_blocks", "read:blocks", "read:mutes"},
		{"/api/v1/blocks", "read:blocks", "read:mutes"},
		{"/api/v1/mutes", "read:mutes", "read:blocks"},
		{"/api/v1/endorsements", "read:accounts", "read:statuses"},
		{"/api/v1/featured_tags", "read:accounts", "read:statuses"},
		{"/api/v1/featured_tags/suggestions", "read:accounts", "read:statuses"},
		{"/api/v1/follow_requests", "read:follows", "read:accounts"},
		{"/api/v1/announcements", "read", "write"},
	}
	tokens := map[string]string{}
	token := func(scope string) string {
		if tokens[scope] == "" {
			tokens[scope] = s.login("marta", scope)
		}
		return tokens[scope]
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			for _, tok := range []string{full, token(tt.scope)} {
				if r := s.call(tok, "GET", tt.path, nil); r.status != 200 || string(r.body) != "[]\n" {
					t.Fatalf("%d %s, want an empty list", r.status, r.body)
				}
			}
			r := s.call(token(tt.without), "GET", tt.path, nil)
			if r.status != http.StatusForbidden || r.obj(t)["error"] != "This action is outside the authorized scopes" {
				t.Fatalf("with %s: %d %s, want 403", tt.without, r.status, r.body)
			}
		})
	}
	// Public ones need no token.
	for _, p := range []string{"/api/v1/trends", "/api/v1/trends/tags", "/api/v1/trends/statuses", "/api/v1/trends/links",
		"/api/v1/accounts/" + s.joao.ID + "/featured_tags", "/api/v1/announcements"} {
		if r := s.call("", "GET", p, nil); r.status != 200 || string(r.body) != "[]\n" {
			t.Fatalf("%s: %d %s", p, r.status, r.body)
		}
	}
}

// upload is a multipart body with a picture, as apps send it.
func upload(t *testing.T, size int) (io.Reader, http.Header) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile("file", "photo.png")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(bytes.Repeat([]byte{0x89}, size)); err != nil {
		t.Fatal(err)
	}
	if err := mw.WriteField("description", "The square"); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &b, http.Header{"Content-Type": {mw.FormDataContentType()}}
}

// TestErrorsInMemberLanguage: refusals come in the member's language
// (their setting), else the one the app asks for (Accept-Language), with
// the catalogs the web pages use.
func TestErrorsInMemberLanguage(t *testing.T) {
	s := newSite(t)
	if _, err := s.node.Service.CreateMember(t.Context(), forum.SystemActor(), forum.NewAccount{Username: "amelie",
		Password: testrig.Password, Profile: forum.Profile{DisplayName: "Amélie", UILanguage: "fr", Languages: []string{"fr"}}},
		forum.RoleMember); err != nil {
		t.Fatal(err)
	}
	th, err := s.node.Service.Ask(t.Context(), s.joao, s.forum.ID, questionOf("What did the pandemic change?"))
	if err != nil {
		t.Fatal(err)
	}
	amelie := s.login("amelie", "read write")
	marta := s.login("marta", "read write") // no setting: her app's language
	readOnly := s.login("amelie", "read")
	es := http.Header{"Accept-Language": {"es-ES,es;q=0.9"}}
	json := http.Header{"Content-Type": {"application/json"}}
	withLang := func(h http.Header, lang string) http.Header {
		out := h.Clone()
		if lang != "" {
			out.Set("Accept-Language", lang)
		}
		return out
	}
	tests := []struct {
		name   string
		token  string
		lang   string // Accept-Language sent
		method string
		path   string
		body   string
		status int
		want   string
	}{
		{"not found, member's setting", amelie, "es", "GET", "/api/v1/statuses/01J00000000000000000000000", "", 404, "Enregistrement introuvable"},
		{"not found, app's language", marta, "es", "GET", "/api/v1/statuses/01J00000000000000000000000", "", 404, "Registro no encontrado"},
		{"not found, node's language", marta, "", "GET", "/api/v1/statuses/01J00000000000000000000000", "", 404, "Record not found"},
		{"scope, member's setting", readOnly, "", "POST", "/api/v1/statuses/" + th.ID + "/favourite", "", 403,
			"Cette action sort des autorisations (scopes) accordées"},
		{"blank, app's language", marta, "es", "POST", "/api/v1/statuses", `{"status":"  "}`, 422,
			"La validación falló: el texto no puede estar vacío"},
		{"poll, member's setting", amelie, "", "POST", "/api/v1/statuses",
			`{"status":"Which?","in_reply_to_id":"` + th.ID + `","poll":{"options":["a","b"],"expires_in":3600}}`, 422,
			"Échec de la validation : les messages d’agora ne peuvent pas contenir de sondage"},
		{"too long, app's language", marta, "es", "POST", "/api/v1/statuses",
			`{"status":"` + strings.Repeat("a", forum.MaxBodyLen+1) + `","in_reply_to_id":"` + th.ID + `"}`, 422,
			"La validación falló: el texto supera el límite de 20000 caracteres"},
		{"forum's refusal in the web's words", amelie, "", "POST", "/api/v1/statuses",
			`{"status":"Ok","in_reply_to_id":"` + th.ID + `","language":"zz-nope"}`, 422, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			r := s.send(tt.token, tt.method, tt.path, withLang(json, tt.lang), body)
			got, _ := r.obj(t)["error"].(string)
			if r.status != tt.status || (tt.want != "" && got != tt.want) {
				t.Fatalf("%d %q, want %d %q", r.status, got, tt.status, tt.want)
			}
			if tt.want == "" && !strings.HasPrefix(got, "Échec de la validation : ") {
				t.Fatalf("%q: not in French", got)
			}
		})
	}
	// A file that is not an image, or one over the size bound: refused
	// in Mastodon's shape and the member's language, in the web form's
	// words.
	for _, tt := range []struct {
		size int
		want string
	}{
		{1000, "La validación falló: Este archivo no es una imagen PNG, JPEG, GIF o WebP."},
		{11 << 20, "La validación falló: Este archivo es demasiado grande: una foto puede tener hasta 10 MB."},
	} {
		for _, path := range []string{"/api/v1/media", "/api/v2/media"} {
			b, h := upload(t, tt.size)
			r := s.send(marta, "POST", path, withLang(h, es.Get("Accept-Language")), b)
			if got := r.obj(t)["error"]; r.status != 422 || got != tt.want {
				t.Fatalf("%s (%d bytes): %d %v", path, tt.size, r.status, got)
			}
		}
	}
	// Uploading needs write:media.
	b, h := upload(t, 10)
	if r := s.send(readOnly, "POST", "/api/v2/media", h, b); r.status != 403 {
		t.Fatalf("media with read: %d %s", r.status, r.body)
	}
	if v, _ := s.node.Service.ReadThread(t.Context(), nil, th.ID, ""); len(v.Posts.Items) != 1 {
		t.Fatal("a refused status was stored")
	}
}
