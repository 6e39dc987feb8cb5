package content

import (
	"html"
	"regexp"
	"strings"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
)

var (
	// tags matches an HTML tag (stripped from text shown as plain).
	tags      = regexp.MustCompile(`<[^>]*>`)
	lineBreak = regexp.MustCompile(`(?i)<br\s*/?>`)
)

// StripTags is HTML a peer sent as plain text, trimmed (a reason, a title).
func StripTags(s string) string {
	return strings.TrimSpace(tags.ReplaceAllString(s, ""))
}

// Summarize is the first paragraph of a post as plain text, cut to max
// characters: what Mastodon shows of a Page in timelines, and the title of
// a question its server sent untitled.
func Summarize(h string, max int) string {
	first := h
	if i := strings.Index(first, "</p>"); i >= 0 {
		first = first[:i]
	}
	// Inline markup goes (Mastodon wraps mentions in spans); line breaks
	// become spaces.
	text := tags.ReplaceAllString(lineBreak.ReplaceAllString(first, " "), "")
	s := strings.Join(strings.Fields(html.UnescapeString(text)), " ")
	if r := []rune(s); len(r) > max {
		s = strings.TrimSpace(string(r[:max-1])) + "…"
	}
	return s
}

// PlainSummary is the plain text of an Article's HTML, whitespace
// collapsed, cut at a word before max characters (with "…"): what the
// list of a forum's reports shows under a title. HTML that does not parse
// yields what was read before the error.
func PlainSummary(h string, max int) string {
	z := xhtml.NewTokenizer(strings.NewReader(h))
	var b strings.Builder
	n := 0
	for n <= max {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		if tt != xhtml.TextToken {
			continue
		}
		for _, w := range strings.Fields(string(z.Text())) {
			if b.Len() > 0 {
				b.WriteByte(' ')
				n++
			}
			b.WriteString(w)
			n += utf8.RuneCountInString(w)
			if n > max {
				break
			}
		}
	}
	s := b.String()
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	cut := []rune(s)[:max]
	if i := strings.LastIndexByte(string(cut), ' '); i > 0 {
		return string(cut)[:i] + "…"
	}
	return string(cut) + "…"
}

// EventDescription is an Event's content as the plain text of a webinar's
// description: without the title line the question's HTML starts with, a
// paragraph a blank line apart.
func EventDescription(content, title string) string {
	content = WithoutTitleLine(content, title)
	content = strings.NewReplacer("</p>", "\n\n", "<br>", "\n", "<br/>", "\n", "<br />", "\n").Replace(content)
	return strings.TrimSpace(html.UnescapeString(StripTags(content)))
}
