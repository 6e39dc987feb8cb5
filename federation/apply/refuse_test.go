package apply

import (
	"strings"
	"testing"
)

func TestActivityType(t *testing.T) {
	for _, tt := range []struct{ body, want string }{
		{`{"type":"Create"}`, "Create"},
		{`{"type":["Like","litepub:EmojiReact"]}`, "Like"},
		{`{"type":[1,"Undo"]}`, "Undo"},
		{`{"type":42}`, ""},
		{`{}`, ""},
		{`not json`, ""},
	} {
		if got := activityType([]byte(tt.body)); got != tt.want {
			t.Errorf("activityType(%s) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func TestClean(t *testing.T) {
	for _, tt := range []struct {
		in   string
		max  int
		want string
	}{
		{"plain text", 100, "plain text"},
		{"line\nbreak\ttab", 100, "line break tab"},
		{"\x1b[31mred\x1b[0m", 100, " [31mred [0m"},
		{"bidi \u202eevil", 100, "bidi  evil"},
		{"bad \xff byte", 100, "bad \uFFFD byte"},
		{"abcdef", 3, "abc…"},
		{"aé", 2, "a…"}, // never half a rune
	} {
		if got := clean(tt.in, tt.max); got != tt.want {
			t.Errorf("clean(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
	if got := clean(strings.Repeat("x", 5000), maxRefusalDetail); len(got) > maxRefusalDetail+len("…") {
		t.Errorf("clean kept %d bytes, max %d", len(got), maxRefusalDetail)
	}
}
