package web

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/metropolis/agora/uris"
)

// TestCookiesReadAsWritten: a cookie the node sets is read back under the
// name it was set with, on http and on https (where the name takes the
// __Host- prefix); the language cookie was once written prefixed and read
// bare, so a visitor's choice was lost on every https node.
func TestCookiesReadAsWritten(t *testing.T) {
	for _, base := range []string{"http://agora.test", "https://agora.test"} {
		u, err := uris.New(base)
		if err != nil {
			t.Fatal(err)
		}
		s := &Server{cfg: Config{URLs: u}}
		tests := []struct {
			name, cookie, value string
			read                func(*Server, *httptest.ResponseRecorder) string
		}{
			{"language", cookieLang, "pt", func(s *Server, rec *httptest.ResponseRecorder) string {
				r := httptest.NewRequest("GET", "/", nil)
				for _, c := range rec.Result().Cookies() {
					r.AddCookie(c)
				}
				return s.langCookie(r)
			}},
			// zone.js writes this one, under the same name as setCookie
			// would ("__Host-" on https, see static/zone.js).
			{"time zone", cookieZone, "America/Toronto", func(s *Server, rec *httptest.ResponseRecorder) string {
				r := httptest.NewRequest("GET", "/", nil)
				for _, c := range rec.Result().Cookies() {
					r.AddCookie(c)
				}
				if loc := s.browserZone(r); loc != nil {
					return loc.String()
				}
				return ""
			}},
		}
		for _, tt := range tests {
			rec := httptest.NewRecorder()
			s.setCookie(rec, tt.cookie, tt.value, time.Hour)
			if got := tt.read(s, rec); got != tt.value {
				t.Errorf("%s on %s: read %q, want %q (set as %v)", tt.name, base, got, tt.value, rec.Header()["Set-Cookie"])
			}
		}
	}
}
