package search

import (
	"regexp"
	"sort"

	"github.com/metropolis/agora/forum"
)

// tagInHTML is a hashtag as our renderer and Mastodon both write it: the
// word in a span right after '#', inside the tag's link.
var tagInHTML = regexp.MustCompile(`#<span>([^<]{1,400})</span>`)

// Tags are the hashtags a post's HTML carries, normalized, sorted, once.
func Tags(html string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range tagInHTML.FindAllStringSubmatch(html, -1) {
		if t, ok := forum.NormalizeTag(m[1]); ok && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}
