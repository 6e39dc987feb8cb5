package content

import "testing"

func TestSummarize(t *testing.T) {
	tests := []struct {
		html string
		max  int
		want string
	}{
		{"<p>Hello <em>world</em></p><p>Second</p>", 80, "Hello world"},
		{`<p><span class="h-card"><a href="x">@<span>digitalisation</span></a></span> Any ideas?</p>`, 80, "@digitalisation Any ideas?"},
		{"<p>line one<br>line two</p>", 80, "line one line two"},
		{"<p>caf&eacute; &amp; co</p>", 80, "café & co"},
		{"<p>" + "word " + "word word word</p>", 10, "word word…"},
		{"plain text, no paragraph", 80, "plain text, no paragraph"},
	}
	for _, tt := range tests {
		if got := Summarize(tt.html, tt.max); got != tt.want {
			t.Errorf("Summarize(%q, %d) = %q, want %q", tt.html, tt.max, got, tt.want)
		}
	}
}
