package markup

import "testing"

func TestRender(t *testing.T) {
	m := New()
	tests := []struct {
		name, in, want string
	}{
		{"paragraph and emphasis", "Hello *world*", "<p>Hello <em>world</em></p>\n"},
		{"link gets rel", "[site](https://example.org)", `<p><a href="https://example.org" rel="nofollow noreferrer">site</a></p>` + "\n"},
		{"linkify", "see https://example.org", `<p>see <a href="https://example.org" rel="nofollow noreferrer">https://example.org</a></p>` + "\n"},
		{"raw html block dropped", "<script>alert(1)</script>\n\nhi", "\n<p>hi</p>\n"},
		{"inline raw html dropped", "hi <b onclick=x>there</b>", "<p>hi there</p>\n"},
		{"javascript link removed", "[x](javascript:alert(1))", "<p>x</p>\n"},
		{"image removed", "![alt](https://example.org/a.png)", "<p></p>\n"},
		{"heading kept", "## Title", "<h2>Title</h2>\n"},
		{"code", "`a<b`", "<p><code>a&lt;b</code></p>\n"},
		{"strikethrough", "~~old~~", "<p><del>old</del></p>\n"},
		{"list", "1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := m.Render(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Render(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSanitize(t *testing.T) {
	m := New()
	tests := []struct {
		name, in, want string
	}{
		{"mastodon mention kept as link", `<p><span class="h-card"><a href="https://m.example/@a" class="u-url mention">@<span>a</span></a></span> hi</p>`,
			`<p><span class="h-card"><a href="https://m.example/@a" class="u-url mention" rel="nofollow noreferrer">@<span>a</span></a></span> hi</p>`},
		{"mastodon hashtag kept", `<a href="https://m.example/tags/x" class="mention hashtag" rel="tag">#<span>x</span></a>`,
			`<a href="https://m.example/tags/x" class="mention hashtag" rel="tag nofollow noreferrer">#<span>x</span></a>`},
		{"other classes and rels dropped", `<a href="https://e.example" class="evil" rel="me">x</a><span class="invisible">y</span>`,
			`<a href="https://e.example" rel="nofollow noreferrer">x</a><span>y</span>`},
		{"style and onclick stripped", `<p style="color:red" onclick="x()">t</p>`, `<p>t</p>`},
		{"iframe removed", `<iframe src="https://evil.example"></iframe>ok`, `ok`},
		{"data url removed", `<a href="data:text/html,hi">x</a>`, `x`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.Sanitize(tt.in); got != tt.want {
				t.Errorf("Sanitize(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzSanitize(f *testing.F) {
	f.Add(`<p><a href="javascript:x">a</a><script>b</script></p>`)
	f.Add(`<img src=x onerror=alert(1)>`)
	f.Add(`<a href="https://m.example/tags/x" class="mention hashtag" rel="tag">#x</a>`)
	m := New()
	f.Fuzz(func(t *testing.T, in string) {
		out := m.Sanitize(in)
		// The output is a fixed point: sanitizing again changes nothing.
		if again := m.Sanitize(out); again != out {
			t.Errorf("not idempotent: %q → %q → %q", in, out, again)
		}
	})
}
