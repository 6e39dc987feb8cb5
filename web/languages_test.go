package web

import (
	"strings"
	"testing"
)

// TestISOLanguages: every ISO 639-1 language is offered, and none twice
// (deprecated codes such as iw and in are not).
func TestISOLanguages(t *testing.T) {
	codes := isoLanguages()
	if len(codes) < 180 {
		t.Fatalf("%d languages, want every ISO 639-1 one (about 184)", len(codes))
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if seen[c] {
			t.Errorf("%s twice", c)
		}
		seen[c] = true
	}
	for _, want := range []string{"sn", "wo", "ca", "ko", "eu", "gl", "mi", "yo"} {
		if !seen[want] {
			t.Errorf("%s is missing", want)
		}
	}
	for _, old := range []string{"iw", "in", "ji"} {
		if seen[old] {
			t.Errorf("deprecated code %s is offered", old)
		}
	}
}

// TestLanguageOptionsNamed: the list names each language in the page's
// language with its own name beside it, sorted for that language.
func TestLanguageOptionsNamed(t *testing.T) {
	tests := []struct {
		page, code, want string
	}{
		{"es", "ko", "coreano (한국어)"},
		{"fr", "de", "allemand (Deutsch)"},
		{"en", "en", "English"},
		{"pt", "sn", "xona (chiShona)"},
		{"ar", "fr", "الفرنسية (français)"},
	}
	for _, tt := range tests {
		opts := languageOptions(tt.page, isoLanguages())
		var got string
		for _, o := range opts {
			if o.Code == tt.code {
				got = o.Name
			}
		}
		if !strings.EqualFold(got, tt.want) {
			t.Errorf("%s in %s = %q, want %q", tt.code, tt.page, got, tt.want)
		}
	}
	html := string(optionsHTML(languageOptions("en", isoLanguages())))
	if !strings.Contains(html, `<option value="sn">Shona (chiShona)</option>`) {
		t.Errorf("options lack Shona: %.200s…", html)
	}
	// Sorted by name: Afrikaans before Zulu.
	if strings.Index(html, `value="af"`) > strings.Index(html, `value="zu"`) {
		t.Error("options are not sorted by name")
	}
}

// TestLanguageNameAnyLanguage: a language the interface does not speak is
// shown by its own name, not its code.
func TestLanguageNameAnyLanguage(t *testing.T) {
	for code, want := range map[string]string{"es": "Español", "sn": "chiShona", "wo": "Wolof", "xx": "xx"} {
		if got := languageName(code); got != want {
			t.Errorf("languageName(%s) = %q, want %q", code, got, want)
		}
	}
}
