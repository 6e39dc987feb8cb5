package report

import (
	"strings"

	"golang.org/x/net/html"
)

// Block is a paragraph-like piece of text for renderers that do not speak
// HTML (the PDF, and the Markdown export of a translation): a paragraph, a
// heading, a list item or a quotation, as plain text.
type Block struct {
	Kind string // "p", "h", "li", "quote"
	Text string
}

// BlockList is text split into blocks.
type BlockList []Block

// Text joins the blocks as plain text, one blank line between them.
func (bl BlockList) Text() string {
	parts := make([]string, len(bl))
	for i, b := range bl {
		switch b.Kind {
		case "li":
			parts[i] = "- " + b.Text
		default:
			parts[i] = b.Text
		}
	}
	return strings.Join(parts, "\n\n")
}

// Blocks splits sanitized HTML (a post's, or the moderators' rendered
// markdown) into blocks. Inline markup is dropped, its text kept; line
// breaks become spaces except <br>, kept as a new line.
func Blocks(h string) BlockList {
	z := html.NewTokenizer(strings.NewReader(h))
	var out BlockList
	var cur strings.Builder
	kind := "p"
	quote := 0
	flush := func() {
		t := strings.TrimSpace(collapse(cur.String()))
		if t != "" {
			k := kind
			if quote > 0 && k == "p" {
				k = "quote"
			}
			out = append(out, Block{Kind: k, Text: t})
		}
		cur.Reset()
	}
	for {
		switch z.Next() {
		case html.ErrorToken:
			flush()
			return out
		case html.TextToken:
			cur.Write(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "p", "div", "ul", "ol", "pre", "table", "tr":
				flush()
				kind = "p"
			case "h1", "h2", "h3", "h4", "h5", "h6":
				flush()
				kind = "h"
			case "li":
				flush()
				kind = "li"
			case "blockquote":
				flush()
				quote++
			case "br":
				cur.WriteString(lineBreak)
			case "td", "th":
				cur.WriteString(" ")
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "tr":
				flush()
				kind = "p"
			case "blockquote":
				flush()
				if quote > 0 {
					quote--
				}
			}
		}
	}
}

// lineBreak stands for a <br> while a block is read: the source's own
// line breaks are spaces.
const lineBreak = "\u2028"

// collapse folds white space into single spaces, and each <br> into a new
// line.
func collapse(s string) string {
	var kept []string
	for _, l := range strings.Split(s, lineBreak) {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}
