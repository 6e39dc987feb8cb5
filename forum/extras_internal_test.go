package forum

import (
	"strings"
	"testing"
	"time"
)

// TestCleanExtras: what another server sends beside a post's text is
// bounded before it is stored: only http(s) links, known kinds, capped
// lists, clipped texts, storable times.
func TestCleanExtras(t *testing.T) {
	far := time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC)
	many := make([]PollOption, MaxPollOptions+5)
	for i := range many {
		many[i] = PollOption{Name: "option", Votes: -3}
	}
	tests := []struct {
		name  string
		in    Extras
		check func(Extras) bool
	}{
		{"script link dropped", Extras{Link: "javascript:alert(1)"}, func(e Extras) bool { return e.Link == "" }},
		{"credentials in a link dropped", Extras{Link: "https://u:p@example.org/"}, func(e Extras) bool { return e.Link == "" }},
		{"data media dropped", Extras{Media: []Media{{Kind: MediaImage, URL: "data:image/png;base64,AAAA"}}}, func(e Extras) bool { return len(e.Media) == 0 }},
		{"unknown media kind is a document", Extras{Media: []Media{{Kind: "hologram", URL: "https://example.org/x"}}},
			func(e Extras) bool { return len(e.Media) == 1 && e.Media[0].Kind == MediaDocument }},
		{"unknown post kind dropped", Extras{Kind: "casino"}, func(e Extras) bool { return e.Kind == "" }},
		{"poll without options is text", Extras{Kind: KindPoll, Multiple: true}, func(e Extras) bool { return e.Kind == "" && !e.Multiple }},
		{"options capped, votes not negative", Extras{Kind: KindPoll, Options: many},
			func(e Extras) bool { return len(e.Options) == MaxPollOptions && e.Options[0].Votes == 0 }},
		{"long warning clipped", Extras{Warning: strings.Repeat("w", 5000)},
			func(e Extras) bool { return len([]rune(e.Warning)) <= maxExtraText && e.Sensitive }},
		{"unstorable time dropped", Extras{Starts: &far}, func(e Extras) bool { return e.Starts == nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanExtras(tt.in); !tt.check(got) {
				t.Errorf("cleanExtras(%+v) = %+v", tt.in, got)
			}
		})
	}
}
