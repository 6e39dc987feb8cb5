package web_test

import (
	"regexp"
	"testing"
)

// TestSearchLandmarksNamedApart: the search page has two search
// landmarks (the header's box and the page's form with filters); each
// has its own name in every language, so a screen reader's landmark list
// tells them apart (axe-core's landmark-unique).
func TestSearchLandmarksNamedApart(t *testing.T) {
	s := newSite(t)
	label := regexp.MustCompile(`role="search" aria-label="([^"]+)"`)
	for _, lang := range []string{"en", "es", "fr", "pt", "ar"} {
		b := s.browser()
		b.lang = lang
		p := b.get("/search?q=wifi")
		names := label.FindAllStringSubmatch(p.body, -1)
		if len(names) != 2 {
			t.Fatalf("%s: %d search landmarks, want 2", lang, len(names))
		}
		if names[0][1] == names[1][1] {
			t.Errorf("%s: both search landmarks are named %q", lang, names[0][1])
		}
	}
}
