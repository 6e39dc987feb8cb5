package markup

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Mentions (@name, @name@host) and hashtags (#word) are inline nodes of
// the markdown tree, found by two inline parsers. Being parsed like the
// rest of the markdown, they are never found in code spans, code blocks,
// autolinked URLs or raw HTML; inside a link's text they render as plain
// text (a link cannot hold a link).

// MaxMentions is how many distinct mentions one post may carry; later ones
// stay plain text.
const MaxMentions = 10

// MaxHashtags is how many distinct hashtags one post may carry.
const MaxHashtags = 20

// maxTagLen bounds a hashtag's length in runes.
const maxTagLen = 100

// Handle is a mention as written: @Name, or @Name@Host for an account on
// another server.
type Handle struct {
	Name string // as written (user names are matched case-insensitively)
	Host string // lower-cased; empty for "@name"
}

// String is the handle as written, with its leading @.
func (h Handle) String() string {
	if h.Host == "" {
		return "@" + h.Name
	}
	return "@" + h.Name + "@" + h.Host
}

// Key is the handle's lookup key: lower-cased name@host, or name alone.
func (h Handle) Key() string {
	if h.Host == "" {
		return strings.ToLower(h.Name)
	}
	return strings.ToLower(h.Name) + "@" + h.Host
}

// Mention is a resolved handle: the actor it names and how it is shown.
type Mention struct {
	Href string // the actor's id (or profile URL)
	Name string // the user name shown inside the link
}

var (
	kindMention = ast.NewNodeKind("Mention")
	kindHashtag = ast.NewNodeKind("Hashtag")
)

type mentionNode struct {
	ast.BaseInline
	handle Handle
	href   string // set before rendering when the handle is resolved
	shown  string
}

// Kind implements ast.Node.
func (n *mentionNode) Kind() ast.NodeKind { return kindMention }

// Dump implements ast.Node.
func (n *mentionNode) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

type hashtagNode struct {
	ast.BaseInline
	tag  string // as written, without '#'
	href string // set before rendering when hashtags are linked
}

// Kind implements ast.Node.
func (n *hashtagNode) Kind() ast.NodeKind { return kindHashtag }

// Dump implements ast.Node.
func (n *hashtagNode) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// wordBoundary reports whether a mention or hashtag may start after r: at
// the start of a line or after anything that is not part of a word, a
// path, an address or another tag.
func wordBoundary(r rune) bool {
	if r == '\n' || r == utf8.RuneError {
		return true
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return false
	}
	return !strings.ContainsRune("_/@#&.-+=:%~", r)
}

func isNameByte(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func isHostByte(c byte) bool {
	return c == '-' || c == '.' || c == ':' || isNameByte(c)
}

type mentionParser struct{}

// Trigger implements parser.InlineParser.
func (p *mentionParser) Trigger() []byte { return []byte{'@'} }

// Parse reads @name or @name@host.host. A host needs a dot (or a port) and
// may not end with punctuation ("@ana@city.example." ends a sentence).
func (p *mentionParser) Parse(_ ast.Node, block text.Reader, _ parser.Context) ast.Node {
	if !wordBoundary(block.PrecendingCharacter()) {
		return nil
	}
	line, _ := block.PeekLine()
	i := 1
	for i < len(line) && isNameByte(line[i]) {
		i++
	}
	if i == 1 || i > 65 {
		return nil
	}
	h := Handle{Name: string(line[1:i])}
	end := i
	if i < len(line) && line[i] == '@' {
		j := i + 1
		for j < len(line) && isHostByte(line[j]) {
			j++
		}
		host := strings.TrimRight(string(line[i+1:j]), ".:-")
		if strings.ContainsAny(host, ".:") && len(host) <= 253 {
			h.Host = strings.ToLower(host)
			end = i + 1 + len(host)
		} else if j > i+1 {
			return nil // "@a@b": not a handle, not an address either
		}
	}
	if end < len(line) && (line[end] == '@' || isNameByte(line[end])) {
		return nil
	}
	block.Advance(end)
	return &mentionNode{handle: h}
}

type hashtagParser struct{}

// Trigger implements parser.InlineParser.
func (p *hashtagParser) Trigger() []byte { return []byte{'#'} }

// Parse reads #word: letters, digits and '_', at least one letter.
func (p *hashtagParser) Parse(_ ast.Node, block text.Reader, _ parser.Context) ast.Node {
	if !wordBoundary(block.PrecendingCharacter()) {
		return nil
	}
	line, _ := block.PeekLine()
	rest := string(line[1:])
	n, letters, runes := 0, 0, 0
	for _, r := range rest {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || unicode.Is(unicode.Mn, r)) {
			break
		}
		if unicode.IsLetter(r) {
			letters++
		}
		n += utf8.RuneLen(r)
		runes++
	}
	if letters == 0 || runes > maxTagLen {
		return nil
	}
	block.Advance(1 + n)
	return &hashtagNode{tag: rest[:n]}
}

// tagExtension adds the two parsers and their renderer to goldmark.
type tagExtension struct{}

func (tagExtension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithInlineParsers(
		util.Prioritized(&mentionParser{}, 150),
		util.Prioritized(&hashtagParser{}, 150),
	))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(&tagRenderer{}, 150)))
}

type tagRenderer struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (r *tagRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindMention, r.mention)
	reg.Register(kindHashtag, r.hashtag)
}

// inLink reports whether n sits inside a link.
func inLink(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if k := p.Kind(); k == ast.KindLink || k == ast.KindAutoLink {
			return true
		}
	}
	return false
}

// mention writes Mastodon's shape:
// <span class="h-card"><a href="…" class="u-url mention">@<span>name</span></a></span>.
func (r *tagRenderer) mention(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*mentionNode)
	if n.href == "" || inLink(n) {
		_, _ = w.Write(util.EscapeHTML([]byte(n.handle.String())))
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.WriteString(`<span class="h-card"><a href="`)
	_, _ = w.Write(util.EscapeHTML(util.URLEscape([]byte(n.href), true)))
	_, _ = w.WriteString(`" class="u-url mention">@<span>`)
	_, _ = w.Write(util.EscapeHTML([]byte(n.shown)))
	_, _ = w.WriteString(`</span></a></span>`)
	return ast.WalkSkipChildren, nil
}

// hashtag writes Mastodon's shape:
// <a href="…" class="mention hashtag" rel="tag">#<span>word</span></a>.
func (r *tagRenderer) hashtag(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*hashtagNode)
	if n.href == "" || inLink(n) {
		_, _ = w.Write(util.EscapeHTML([]byte("#" + n.tag)))
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.WriteString(`<a href="`)
	_, _ = w.Write(util.EscapeHTML(util.URLEscape([]byte(n.href), true)))
	_, _ = w.WriteString(`" class="mention hashtag" rel="tag">#<span>`)
	_, _ = w.Write(util.EscapeHTML([]byte(n.tag)))
	_, _ = w.WriteString(`</span></a>`)
	return ast.WalkSkipChildren, nil
}
