package search

import (
	"reflect"
	"strings"
	"testing"
)

func TestTerms(t *testing.T) {
	for _, tc := range []struct{ lang, text, want string }{
		{"en", "Data governance policies", "data govern polici"},
		{"es", "Digitalización", "digitaliz digitalizacion"},
		{"es", "digitalizaciones", "digitaliz"},
		{"fr", "numériques", "numer"},
		{"pt-BR", "inclusão cidades", "inclusa cidad"},
		{"de", "Bürgerbeteiligung", "burgerbeteiligung"},
		{"", "COVID-19", "covid 19"},
		{"en", strings.Repeat("x", 61) + " ok", "ok"},
	} {
		if got := Terms(tc.lang, tc.text); got != tc.want {
			t.Errorf("Terms(%q, %q) = %q, want %q", tc.lang, tc.text, got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		q          string
		fts5, tsq  string
		key        string
		wantGroups int
	}{
		{"", "", "", "", 0},
		{`" * NEAR : '`, `("near")`, `('near')`, "near", 1},
		{"Digitalización", `("digitaliz" OR "digitalizacion")`, `('digitaliz' | 'digitalizacion')`, "digitalizacion", 1},
		{"data data DATA", `("dat" OR "data")`, `('dat' | 'data')`, "data data data", 1},
		{strings.Repeat("a", 10000), "", "", strings.Repeat("a", MaxQueryLen), 0},
		{strings.Repeat("word ", 100), `("word")`, `('word')`, strings.TrimSpace(strings.Repeat("word ", 64)), 1},
	} {
		p := Parse(tc.q)
		if len(p.Groups) != tc.wantGroups || p.FTS5() != tc.fts5 || p.TSQuery() != tc.tsq || p.Key != tc.key {
			t.Errorf("Parse(%.30q) = %d groups, %q, %q, key %.30q; want %d, %q, %q, %.30q", tc.q, len(p.Groups),
				p.FTS5(), p.TSQuery(), p.Key, tc.wantGroups, tc.fts5, tc.tsq, tc.key)
		}
	}
	if n := len(Parse(strings.Repeat("w", 3) + " " + strings.Repeat("a b c d e f g h i j k l m n o p q r s ", 3)).Groups); n != maxQueryWords {
		t.Errorf("a long query has %d words, want %d", n, maxQueryWords)
	}
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("filler ", 40)
	for _, tc := range []struct {
		lang, text, q string
		want          []Segment
	}{
		{"es", "La digitalización fue rápida.", "digitalizacion",
			[]Segment{{Text: "La "}, {Text: "digitalización", Match: true}, {Text: " fue rápida."}}},
		{"en", "No match here", "other", []Segment{{Text: "No match here"}}},
		{"en", long + "governance " + long, "governing",
			[]Segment{{Text: "…"}, {Text: strings.Repeat("filler ", 10)}, {Text: "governance", Match: true},
				{Text: strings.TrimSuffix(" "+strings.Repeat("filler ", 19), " ")}, {Text: "…"}}},
	} {
		got := Snippet(tc.lang, tc.text, Parse(tc.q))
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Snippet(%.30q, %q) = %+v, want %+v", tc.text, tc.q, got, tc.want)
		}
	}
}

func TestTagsAndPlainText(t *testing.T) {
	h := `<p>See <a href="/tags/civic_tech">#<span>Civic_Tech</span></a> and <a href="x">#<span>civic_tech</span></a>, #<span>bad tag</span> &amp; <code>#x</code></p><p>Next</p>`
	if got, want := Tags(h), []string{"civic_tech"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Tags = %q, want %q", got, want)
	}
	if got, want := PlainText(h), "See #Civic_Tech and #civic_tech, #bad tag & #x  Next"; got != want {
		t.Errorf("PlainText = %q, want %q", got, want)
	}
}
