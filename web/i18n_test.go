package web

import (
	"encoding/json"
	"io/fs"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
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

// pluralForms are the CLDR plural categories each interface language needs
// for whole numbers: "many" is French, Spanish and Portuguese for a million
// and more ("1 000 000 de réponses"), and Arabic uses all six.
var pluralForms = map[string][]string{
	"en": {"one", "other"},
	"es": {"one", "many", "other"},
	"fr": {"one", "many", "other"},
	"pt": {"one", "many", "other"},
	"ar": {"zero", "one", "two", "few", "many", "other"},
}

var placeholder = regexp.MustCompile(`{{\s*\.([A-Za-z]+)\s*}}`)

// placeholders are the template fields a message uses, over all its forms:
// a form may leave the count out ("one answer", Arabic's "two answers").
func placeholders(t *testing.T, tag, id string, msg any) []string {
	t.Helper()
	set := map[string]bool{}
	add := func(s string) {
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			set[m[1]] = true
		}
	}
	switch m := msg.(type) {
	case string:
		add(m)
	case map[string]any:
		for _, form := range m {
			s, ok := form.(string)
			if !ok {
				t.Errorf("%s %q: a plural form is not a string", tag, id)
			}
			add(s)
		}
	default:
		t.Errorf("%s %q: neither a string nor plural forms", tag, id)
	}
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestCatalogsComplete: every language has every message and no other, with
// the plural forms the language needs and the same template fields as
// English; and every message a template asks for exists.
func TestCatalogsComplete(t *testing.T) {
	en := loadCatalog(t, "en")
	for _, lt := range uiLanguages {
		tag := lt.String()
		forms, ok := pluralForms[tag]
		if !ok {
			t.Fatalf("%s: plural forms unknown to this test", tag)
		}
		other := loadCatalog(t, tag)
		for k := range en {
			if _, ok := other[k]; !ok {
				t.Errorf("%s lacks %q", tag, k)
			}
		}
		for k, msg := range other {
			enMsg, ok := en[k]
			if !ok {
				t.Errorf("%s has %q that en lacks", tag, k)
				continue
			}
			if got, want := placeholders(t, tag, k, msg), placeholders(t, "en", k, enMsg); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s %q uses fields %v, en uses %v", tag, k, got, want)
			}
			_, enPlural := enMsg.(map[string]any)
			plural, isPlural := msg.(map[string]any)
			if enPlural != isPlural {
				t.Errorf("%s %q: plural in one catalog, not in the other", tag, k)
				continue
			}
			if !isPlural {
				continue
			}
			for _, f := range forms {
				if s, _ := plural[f].(string); s == "" {
					t.Errorf("%s %q lacks the plural form %q", tag, k, f)
				}
			}
			for f := range plural {
				if !slices.Contains(forms, f) {
					t.Errorf("%s %q has the plural form %q that %s does not use", tag, k, f, tag)
				}
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
		{"accept-language fallback to a supported one", "", "", "ko-KR, en;q=0.5", "en"},
		{"brazilian portuguese", "", "", "pt-BR, en;q=0.5", "pt"},
		{"arabic of mauritania", "", "", "ar-MR,fr;q=0.8", "ar"},
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
		if got := c.pick(tt.setting, tt.cookie, r); got != tt.want {
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
		{"pt", "22 de novembro de 2026", "22 de novembro de 2026 às 14:05 UTC"},
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

// TestPluralsResolve: every plural message resolves in every language for
// counts that fall in each CLDR category (go-i18n shows the message ID when
// the form a count needs is missing).
func TestPluralsResolve(t *testing.T) {
	c, err := newCatalog("en")
	if err != nil {
		t.Fatal(err)
	}
	en := loadCatalog(t, "en")
	for _, tag := range c.tags {
		tr := c.translator(tag)
		for id, msg := range en {
			if _, ok := msg.(map[string]any); !ok {
				continue
			}
			for _, n := range []int{0, 1, 2, 3, 11, 100, 101, 1_000_000} {
				if got := tr.T(id, "Count", n); got == id || strings.Contains(got, "{{") {
					t.Errorf("%s %q with %d: %q", tag, id, n, got)
				}
			}
		}
	}
	ar := c.translator("ar")
	for n, want := range map[int]string{0: "لا توجد إجابات", 1: "إجابة واحدة", 2: "إجابتان", 3: "٣ إجابات", 11: "١١ إجابة", 100: "١٠٠ إجابة"} {
		if got := ar.T("thread.answers", "Count", n); got != want {
			t.Errorf("ar thread.answers %d = %q, want %q", n, got, want)
		}
	}
}
