// Package markup turns what members write (markdown) and what other servers
// send (HTML) into HTML that is safe to store and show.
package markup

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// Markup renders markdown and sanitizes HTML. It is safe for concurrent use.
type Markup struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
	tagURL func(tag string) string
}

// Option configures a Markup.
type Option func(*Markup)

// TagURL links hashtags: url(tag) is the page of a (lower-cased) tag.
// Without it hashtags stay plain text.
func TagURL(url func(tag string) string) Option { return func(m *Markup) { m.tagURL = url } }

// New returns a Markup with the node's allowlist.
func New(opts ...Option) *Markup {
	// Raw HTML in markdown is dropped by goldmark (no html.WithUnsafe), and
	// whatever goldmark emits still passes through the sanitizer.
	md := goldmark.New(goldmark.WithExtensions(extension.Strikethrough, extension.Linkify, tagExtension{}))
	m := &Markup{md: md, policy: Policy()}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Policy is the HTML allowlist: Mastodon's (paragraphs, line breaks, links,
// emphasis, code, quotes, lists, and the classes of mentions and hashtags)
// plus headings, which longer forum posts use. Links get
// rel="nofollow noopener noreferrer" and only http, https and mailto
// survive; no style, script, images, iframes or other classes.
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
	// Mentions and hashtags, in the shapes Mastodon writes and reads.
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^(u-url mention|mention|mention hashtag|hashtag)$`)).OnElements("a")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^h-card$`)).OnElements("span")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^tag( nofollow| noopener| noreferrer)*$`)).OnElements("a")
	return p
}

// Render converts markdown to sanitized HTML. Hashtags are linked when the
// Markup has a TagURL; mentions stay as written (see RenderMentions).
func (m *Markup) Render(source string) (string, error) {
	return m.RenderMentions(source, nil)
}

// RenderMentions is Render with the mentions found in mentions (by
// Handle.Key) linked to their actors. Unknown handles stay plain text.
func (m *Markup) RenderMentions(source string, mentions map[string]Mention) (string, error) {
	src := []byte(source)
	doc := m.md.Parser().Parse(text.NewReader(src))
	linked := map[string]bool{}
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *mentionNode:
			key := n.handle.Key()
			if mn, ok := mentions[key]; ok && mn.Href != "" && (linked[key] || len(linked) < MaxMentions) {
				linked[key] = true
				n.href, n.shown = mn.Href, mn.Name
				if n.shown == "" {
					n.shown = n.handle.Name
				}
			}
		case *hashtagNode:
			if m.tagURL != nil {
				n.href = m.tagURL(strings.ToLower(n.tag))
			}
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		return "", fmt.Errorf("markdown: %w", err)
	}
	var buf bytes.Buffer
	if err := m.md.Renderer().Render(&buf, src, doc); err != nil {
		return "", fmt.Errorf("markdown: %w", err)
	}
	return m.policy.Sanitize(buf.String()), nil
}

// Tags are the mentions and hashtags a post's markdown holds, outside
// code and links, each once (the first MaxMentions mentions and
// MaxHashtags hashtags, hashtags as first written).
func (m *Markup) Tags(source string) (mentions []Handle, hashtags []string) {
	src := []byte(source)
	doc := m.md.Parser().Parse(text.NewReader(src))
	seen := map[string]bool{}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || inLink(n) {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *mentionNode:
			if key := "@" + n.handle.Key(); !seen[key] && len(mentions) < MaxMentions {
				seen[key] = true
				mentions = append(mentions, n.handle)
			}
		case *hashtagNode:
			if key := "#" + strings.ToLower(n.tag); !seen[key] && len(hashtags) < MaxHashtags {
				seen[key] = true
				hashtags = append(hashtags, n.tag)
			}
		}
		return ast.WalkContinue, nil
	})
	return mentions, hashtags
}

// Sanitize cleans HTML that came from elsewhere (federation).
func (m *Markup) Sanitize(html string) string { return m.policy.Sanitize(html) }
