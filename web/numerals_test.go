package web

import (
	"io/fs"
	"regexp"
	"testing"
	"time"
)

func TestNumerals(t *testing.T) {
	c, err := newCatalog("en")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang       string
		n          int
		want       string
		answersFor string // thread.answers with Count n
	}{
		{"en", 1234567, "1,234,567", "1,234,567 answers"},
		{"en", 999, "999", "999 answers"},
		{"es", 1000, "1000", "1000 respuestas"},
		{"es", 12345, "12.345", "12.345 respuestas"},
		{"pt", 1_000_000, "1.000.000", "1.000.000 de respostas"},
		{"fr", 2500, "2\u202f500", "2\u202f500 réponses"},
		{"fr", -1500, "-1\u202f500", ""},
		{"ar", 3, "٣", "٣ إجابات"},
		{"ar", 1234, "١٬٢٣٤", "١٬٢٣٤ إجابة"},
	}
	for _, tt := range tests {
		tr := c.translator(tt.lang)
		if got := tr.Number(tt.n); got != tt.want {
			t.Errorf("%s Number(%d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
		if tt.answersFor == "" {
			continue
		}
		if got := tr.T("thread.answers", "Count", tt.n); got != tt.answersFor {
			t.Errorf("%s answers(%d) = %q, want %q", tt.lang, tt.n, got, tt.answersFor)
		}
	}
	d := time.Date(2026, 11, 22, 14, 5, 0, 0, time.UTC)
	if got, want := c.translator("ar").DateTime(d), "٢٢ نوفمبر ٢٠٢٦ الساعة ١٤:٠٥ بالتوقيت العالمي"; got != want {
		t.Errorf("ar DateTime = %q, want %q", got, want)
	}
	if got, want := c.translator("en").Date(d), "November 22, 2026"; got != want {
		t.Errorf("en Date = %q, want %q (years are never grouped)", got, want)
	}
}

func TestDirection(t *testing.T) {
	c, err := newCatalog("en")
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range c.tags {
		want := "ltr"
		if tag == "ar" {
			want = "rtl"
		}
		if got := c.translator(tag).Dir(); got != want {
			t.Errorf("%s: dir %q, want %q", tag, got, want)
		}
	}
}

// TestStylesheetMirrors: the stylesheet sets no physical left or right, so an
// Arabic page mirrors (margin-inline-start, not margin-left).
func TestStylesheetMirrors(t *testing.T) {
	b, err := fs.ReadFile(staticFiles, "static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	physical := regexp.MustCompile(`(?m)(^|[\s;{])((margin|padding|border)-(left|right)|left|right)\s*:|text-align:\s*(left|right)|float:\s*(left|right)`)
	for _, m := range physical.FindAllString(string(b), -1) {
		t.Errorf("style.css uses a physical direction: %q", m)
	}
}
