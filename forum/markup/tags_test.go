package markup

import (
	"reflect"
	"strings"
	"testing"
)

func tagPage(tag string) string { return "https://hub.example/tags/" + tag }

func TestRenderMentionsAndHashtags(t *testing.T) {
	m := New(TagURL(tagPage))
	known := map[string]Mention{
		"marta@city.example": {Href: "https://city.example/u/marta", Name: "marta"},
		"ana":                {Href: "https://hub.example/u/ana", Name: "ana"},
	}
	const marta = `<span class="h-card"><a href="https://city.example/u/marta" class="u-url mention" rel="nofollow noreferrer">@<span>marta</span></a></span>`
	const ana = `<span class="h-card"><a href="https://hub.example/u/ana" class="u-url mention" rel="nofollow noreferrer">@<span>ana</span></a></span>`
	civic := func(w string) string {
		return `<a href="https://hub.example/tags/` + strings.ToLower(w) + `" class="mention hashtag" rel="tag nofollow noreferrer">#<span>` + w + `</span></a>`
	}
	tests := []struct{ name, in, want string }{
		{"remote and local mention", "Ask @Marta@City.example and @ana.", "<p>Ask " + marta + " and " + ana + ".</p>\n"},
		{"unknown handle stays text", "cc @nobody@else.example", "<p>cc @nobody@else.example</p>\n"},
		{"hashtag", "#Civic tech", "<p>" + civic("Civic") + " tech</p>\n"},
		{"not in code span", "`@ana #civic`", "<p><code>@ana #civic</code></p>\n"},
		{"not in code block", "```\n@ana #civic\n```", "<pre><code>@ana #civic\n</code></pre>\n"},
		{"not in an autolinked URL", "https://x.example/#civic", `<p><a href="https://x.example/#civic" rel="nofollow noreferrer">https://x.example/#civic</a></p>` + "\n"},
		{"not in link text", "[@ana #civic](https://x.example)", `<p><a href="https://x.example" rel="nofollow noreferrer">@ana #civic</a></p>` + "\n"},
		{"not inside words or addresses", "a#b ana@city.example x@ana", `<p>a#b <a href="mailto:ana@city.example" rel="nofollow noreferrer">ana@city.example</a> x@ana</p>` + "\n"},
		{"digits only is no hashtag", "#1 and #2", "<p>#1 and #2</p>\n"},
		{"heading is no hashtag", "# Title", "<h1>Title</h1>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := m.RenderMentions(tt.in, known)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("RenderMentions(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRenderWithoutTagURLKeepsText(t *testing.T) {
	got, err := New().Render("#civic @ana")
	if err != nil {
		t.Fatal(err)
	}
	if want := "<p>#civic @ana</p>\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTags(t *testing.T) {
	m := New()
	tests := []struct {
		name     string
		in       string
		mentions []Handle
		hashtags []string
	}{
		{"both, deduplicated", "@ana @Ana @marta@City.Example. #Civic #civic #data",
			[]Handle{{Name: "ana"}, {Name: "marta", Host: "city.example"}}, []string{"Civic", "data"}},
		{"code and links skipped", "`@a` [#b](https://x.example) https://y.example/#c\n\n    @d #e", nil, nil},
		{"host with port", "@bob@127.0.0.1:8080", []Handle{{Name: "bob", Host: "127.0.0.1:8080"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mentions, hashtags := m.Tags(tt.in)
			if !reflect.DeepEqual(mentions, tt.mentions) || !reflect.DeepEqual(hashtags, tt.hashtags) {
				t.Errorf("Tags(%q) = %v, %v; want %v, %v", tt.in, mentions, hashtags, tt.mentions, tt.hashtags)
			}
		})
	}
}

func TestTagsBounded(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 3*MaxMentions; i++ {
		b.WriteString("@user" + strings.Repeat("x", i) + "@h.example #t" + strings.Repeat("y", i) + " ")
	}
	mentions, hashtags := New().Tags(b.String())
	if len(mentions) != MaxMentions || len(hashtags) != MaxHashtags {
		t.Errorf("got %d mentions, %d hashtags; want %d, %d", len(mentions), len(hashtags), MaxMentions, MaxHashtags)
	}
}
