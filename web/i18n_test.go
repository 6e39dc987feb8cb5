package web

import (
	"encoding/json"
	"io/fs"
	"net/http/httptest"
	"regexp"
	"sort"
	"testing"
	"time"
)

func loadCatalog(t *testing.T, tag string) map[string]any {
	t.Helper()
	b, err := fs.ReadFile(localeFiles, "locales/"+tag+".json")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", tag, err)
	}
	return m
}

// TestCatalogsComplete: every language has every message, and every message
// a template or handler asks for exists.
func TestCatalogsComplete(t *testing.T) {
	en := loadCatalog(t, "en")
	for _, tag := range []string{"es", "fr"} {
		other := loadCatalog(t, tag)
		for k := range en {
			if _, ok := other[k]; !ok {
				t.Errorf("%s lacks %q", tag, k)
			}
		}
		for k := range other {
			if _, ok := en[k]; !ok {
				t.Errorf("%s has %q that en lacks", tag, k)
			}
		}
	}
	used := regexp.MustCompile(`\.T "([a-z_.]+)"`)
	files, _ := fs.Glob(templateFiles, "templates/*.html")
	var missing []string
	for _, f := range files {
		b, _ := fs.ReadFile(templateFiles, f)
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if _, ok := en[m[1]]; !ok {
				missing = append(missing, f+": "+m[1])
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("template message missing from catalogs: %s", m)
	}
}

func TestPickLanguage(t *testing.T) {
	c, err := newCatalog("fr")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, setting, cookie, accept, want string
	}{
		{"node default", "", "", "", "fr"},
		{"accept-language", "", "", "es-MX,es;q=0.9,en;q=0.5", "es"},
		{"accept-language fallback to a supported one", "", "", "pt-BR, en;q=0.5", "en"},
		{"unsupported only: node default", "", "", "ko", "fr"},
		{"cookie beats accept-language", "", "en", "es", "en"},
		{"member setting beats everything", "es", "en", "fr", "es"},
		{"garbage cookie ignored", "", "xx", "en", "en"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		if tt.accept != "" {
			r.Header.Set("Accept-Language", tt.accept)
		}
		if tt.cookie != "" {
			r.Header.Set("Cookie", cookieLang+"="+tt.cookie)
		}
		if got := c.pick(tt.setting, r); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
	if _, err := newCatalog("de"); err == nil {
		t.Error("unsupported default language accepted")
	}
}

func TestDates(t *testing.T) {
	c, _ := newCatalog("en")
	d := time.Date(2026, 11, 22, 14, 5, 0, 0, time.UTC)
	tests := []struct{ lang, date, dateTime string }{
		{"en", "November 22, 2026", "November 22, 2026 at 14:05 UTC"},
		{"es", "22 de noviembre de 2026", "22 de noviembre de 2026 a las 14:05 UTC"},
		{"fr", "22 novembre 2026", "22 novembre 2026 à 14:05 UTC"},
	}
	for _, tt := range tests {
		tr := c.translator(tt.lang)
		if got := tr.Date(d); got != tt.date {
			t.Errorf("%s Date = %q, want %q", tt.lang, got, tt.date)
		}
		if got := tr.DateTime(d); got != tt.dateTime {
			t.Errorf("%s DateTime = %q, want %q", tt.lang, got, tt.dateTime)
		}
	}
	if got := c.translator("fr").T("thread.answers", "Count", 2); got != "2 réponses" {
		t.Errorf("plural = %q", got)
	}
}

func TestSafeNext(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/t/abc?x=1", "/t/abc?x=1"},
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"", "/"},
	}
	for _, tt := range tests {
		if got := safeNext(tt.in); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
