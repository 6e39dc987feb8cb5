// Package markup turns what members write (markdown) and what other servers
// send (HTML) into HTML that is safe to store and show.
package markup

import (
	"bytes"
	"fmt"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Markup renders markdown and sanitizes HTML. It is safe for concurrent use.
type Markup struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New returns a Markup with the node's allowlist.
func New() *Markup {
	// Raw HTML in markdown is dropped by goldmark (no html.WithUnsafe), and
	// whatever goldmark emits still passes through the sanitizer.
	md := goldmark.New(goldmark.WithExtensions(extension.Strikethrough, extension.Linkify))
	return &Markup{md: md, policy: Policy()}
}

// Policy is the HTML allowlist: Mastodon's (paragraphs, line breaks, links,
// emphasis, code, quotes, lists) plus headings, which longer forum posts use.
// Links get rel="nofollow noopener noreferrer" and only http, https and mailto
// survive; no style, script, images, iframes or classes.
func Policy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "span", "del", "s", "pre", "blockquote", "code",
		"b", "strong", "u", "i", "em", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,6}$`)).OnElements("ol")
	return p
}

// Render converts markdown to sanitized HTML.
func (m *Markup) Render(source string) (string, error) {
	var buf bytes.Buffer
	if err := m.md.Convert([]byte(source), &buf); err != nil {
		return "", fmt.Errorf("markdown: %w", err)
	}
	return m.policy.Sanitize(buf.String()), nil
}

// Sanitize cleans HTML that came from elsewhere (federation).
func (m *Markup) Sanitize(html string) string { return m.policy.Sanitize(html) }
