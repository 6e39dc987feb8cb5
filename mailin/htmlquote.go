package mailin

import (
	"bytes"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// dropHTMLQuotes removes from an HTML reply what mail clients add below the
// member's words: Gmail's gmail_quote and signature, Apple Mail's and
// Thunderbird's cited blockquotes, Outlook's reply header (and everything
// after it), Yahoo's quoted block. What it cannot recognise is left to
// Strip, which reads the converted text.
func dropHTMLQuotes(src string) string {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return src // the converter reads it as it is
	}
	var drop []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch {
			case cutsRest(n):
				// Outlook: the original message follows this node, as
				// siblings of it and of its ancestors.
				drop = append(drop, n)
				for x := n; x != nil; x = x.Parent {
					for s := x.NextSibling; s != nil; s = s.NextSibling {
						drop = append(drop, s)
					}
				}
				return
			case isQuote(n):
				drop = append(drop, n)
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, n := range drop {
		if n.Parent != nil && n.Type != html.DocumentNode && !isStructural(n) {
			n.Parent.RemoveChild(n)
		}
	}
	var b bytes.Buffer
	if err := html.Render(&b, doc); err != nil {
		return src
	}
	return b.String()
}

func isStructural(n *html.Node) bool {
	return n.Type == html.ElementNode && (n.Data == "html" || n.Data == "body" || n.Data == "head")
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, classes ...string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if slices.Contains(classes, c) {
			return true
		}
	}
	return false
}

func isQuote(n *html.Node) bool {
	switch {
	case n.Data == "blockquote" && (attr(n, "type") == "cite" || hasClass(n, "gmail_quote")):
		return true
	case hasClass(n, "gmail_quote", "gmail_extra", "gmail_signature", "moz-cite-prefix", "moz-signature", "yahoo_quoted"):
		return true
	}
	return false
}

// cutsRest: Outlook marks where its quoted message starts, then writes
// that message unquoted.
func cutsRest(n *html.Node) bool {
	id := attr(n, "id")
	return id == "divRplyFwdMsg" || id == "appendonsend" || id == "mail-editor-reference-message-container"
}
