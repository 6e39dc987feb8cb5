package content

import (
	"testing"

	"github.com/metropolis/agora/federation/ap"
)

// TestUntitledQuestionTitle: a question started by mentioning the forum
// is titled by its words, without the leading mentions, whichever sign
// the server writes them with (Mastodon "@", Friendica "!").
func TestUntitledQuestionTitle(t *testing.T) {
	mention := []ap.Tag{{Type: "Mention", Href: "https://hub.example/f/digitalisation"}}
	tests := []struct {
		name string
		tags []ap.Tag
		body string
		want string
	}{
		{"Mastodon @", mention, `<p><a href="x">@<span>digitalisation</span></a> How do you budget?</p>`, "How do you budget?"},
		{"Friendica !", mention, `!<a href="x">digitalisation</a> How do you archive council videos?`, "How do you archive council videos?"},
		{"two mentions", mention, `<p>@digitalisation @secretariat Which provider?</p>`, "Which provider?"},
		{"no Mention tag keeps the words", nil, `<p>!important: what next?</p>`, "!important: what next?"},
		{"a lone sign is a word", mention, `<p>! Really?</p>`, "! Really?"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := UntitledQuestionTitle(&ap.Object{Tag: tc.tags}, tc.body); got != tc.want {
				t.Errorf("title %q, want %q", got, tc.want)
			}
		})
	}
}
