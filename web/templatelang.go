package web

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"sync"
	"text/template/parse"
)

// langTemplates are the page templates parsed once per language, with
// every label ({{.T "nav.forums"}}: a message without arguments, a
// constant for one language) replaced by its translation before
// html/template escapes them. A page has about 40 labels; each would
// otherwise look the method up, call it through reflection and find the
// message on every request. The escaper still escapes the translation for
// its context, as it escaped what T returned, so the page is the same;
// then foldLabels writes what the escaper made of each as plain text.
// Messages with arguments ({{.T "thread.answers" "Count" …}}) are still
// called. A language's set is parsed when a page in it is first rendered.
type langTemplates struct {
	cat     *catalog
	neutral map[string]*template.Template // labels left as calls: any other language

	mu    sync.Mutex
	langs map[string]*langSet
}

type langSet struct {
	once  sync.Once
	pages map[string]*template.Template
	err   error
}

func newLangTemplates(cat *catalog) (*langTemplates, error) {
	neutral, err := parseTemplates(nil)
	if err != nil {
		return nil, err
	}
	return &langTemplates{cat: cat, neutral: neutral, langs: map[string]*langSet{}}, nil
}

// page returns page's template for lang.
func (l *langTemplates) page(lang, page string) (*template.Template, error) {
	pages := l.neutral
	if l.known(lang) {
		l.mu.Lock()
		set, ok := l.langs[lang]
		if !ok {
			set = &langSet{}
			l.langs[lang] = set
		}
		l.mu.Unlock()
		set.once.Do(func() {
			tr := l.cat.translator(lang)
			set.pages, set.err = parseTemplates(func(id string) string { return tr.T(id) })
		})
		if set.err != nil {
			return nil, fmt.Errorf("templates for %s: %w", lang, set.err)
		}
		pages = set.pages
	}
	t, ok := pages[page]
	if !ok {
		return nil, fmt.Errorf("no such template %q", page)
	}
	return t, nil
}

// known reports whether lang is one of the catalog's languages.
func (l *langTemplates) known(lang string) bool {
	for _, tag := range l.cat.tags {
		if tag == lang {
			return true
		}
	}
	return false
}

// inlineLabels replaces, in every template of t's set, each call of a
// translator's T with one constant argument by the string label(id).
func inlineLabels(t *template.Template, label func(id string) string) {
	for _, one := range t.Templates() {
		if one.Tree != nil && one.Tree.Root != nil {
			inlineNode(one.Tree.Root, label)
		}
	}
}

func inlineNode(n parse.Node, label func(string) string) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			inlineNode(c, label)
		}
	case *parse.ActionNode:
		inlinePipe(n.Pipe, label)
	case *parse.IfNode:
		inlineBranch(&n.BranchNode, label)
	case *parse.RangeNode:
		inlineBranch(&n.BranchNode, label)
	case *parse.WithNode:
		inlineBranch(&n.BranchNode, label)
	case *parse.TemplateNode:
		inlinePipe(n.Pipe, label)
	}
}

func inlineBranch(b *parse.BranchNode, label func(string) string) {
	inlinePipe(b.Pipe, label)
	inlineNode(b.List, label)
	inlineNode(b.ElseList, label)
}

// inlinePipe rewrites a pipeline whose first command is X.T "id" (nothing
// piped into it, so T gets only id) as the constant, and looks into
// every parenthesised pipeline among the arguments.
func inlinePipe(p *parse.PipeNode, label func(string) string) {
	if p == nil {
		return
	}
	for i, cmd := range p.Cmds {
		for _, arg := range cmd.Args {
			if sub, ok := arg.(*parse.PipeNode); ok {
				inlinePipe(sub, label)
			}
		}
		if i > 0 || len(cmd.Args) != 2 || !isTranslatorT(cmd.Args[0]) {
			continue
		}
		id, ok := cmd.Args[1].(*parse.StringNode)
		if !ok {
			continue
		}
		text := label(id.Text)
		cmd.Args = []parse.Node{&parse.StringNode{NodeType: parse.NodeString, Pos: id.Pos, Quoted: strconv.Quote(text), Text: text}}
	}
}

// isTranslatorT: .T, .V.T, $.T or $v.T, the ways templates reach the view's
// translator (view embeds *translator; no other value they see has a T).
func isTranslatorT(n parse.Node) bool {
	var idents []string
	switch n := n.(type) {
	case *parse.FieldNode:
		idents = n.Ident
	case *parse.VariableNode:
		if len(n.Ident) < 2 {
			return false
		}
		idents = n.Ident
	default:
		return false
	}
	return idents[len(idents)-1] == "T"
}

// escapedConstant is, for each escaper html/template puts after a value
// in text or in a quoted attribute, a template that writes what that
// escaper makes of its data (and the markup around it to cut off).
var escapedConstant = map[string]struct {
	probe          *template.Template
	prefix, suffix string
}{
	"_html_template_htmlescaper": {template.Must(template.New("text").Parse(`{{.}}`)), "", ""},
	"_html_template_attrescaper": {template.Must(template.New("attr").Parse(`<p title="{{.}}">`)), `<p title="`, `">`},
}

// foldLabels writes, in every template of t's set, each label that
// inlineLabels made a constant and html/template then gave an escaper,
// as the text that escaper makes of it: the escaper is not called on
// every request. It escapes the set first (html/template does that on a
// template's first execution: t is executed on no data, and the
// execution's own errors are expected), then reads the escaped trees. t
// must not be in use yet.
func foldLabels(t *template.Template) error {
	for _, name := range []string{t.Name(), "post"} {
		if t.Lookup(name) == nil {
			continue
		}
		var escErr *template.Error
		if err := t.ExecuteTemplate(io.Discard, name, nil); errors.As(err, &escErr) {
			return fmt.Errorf("escape %s: %w", name, err)
		}
	}
	for _, one := range t.Templates() {
		if one.Tree == nil || one.Tree.Root == nil {
			continue
		}
		if err := foldList(one.Tree.Root); err != nil {
			return fmt.Errorf("template %s: %w", one.Name(), err)
		}
	}
	return nil
}

func foldList(l *parse.ListNode) error {
	if l == nil {
		return nil
	}
	for i, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			text, ok, err := escapedLabel(n.Pipe)
			if err != nil {
				return err
			}
			if ok {
				l.Nodes[i] = &parse.TextNode{NodeType: parse.NodeText, Pos: n.Pos, Text: []byte(text)}
			}
		case *parse.IfNode:
			if err := foldBranch(&n.BranchNode); err != nil {
				return err
			}
		case *parse.RangeNode:
			if err := foldBranch(&n.BranchNode); err != nil {
				return err
			}
		case *parse.WithNode:
			if err := foldBranch(&n.BranchNode); err != nil {
				return err
			}
		}
	}
	return nil
}

func foldBranch(b *parse.BranchNode) error {
	if err := foldList(b.List); err != nil {
		return err
	}
	return foldList(b.ElseList)
}

// escapedLabel: a pipeline that is a constant string and then one escaper
// of escapedConstant, written as that escaper writes it.
func escapedLabel(p *parse.PipeNode) (string, bool, error) {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 2 || len(p.Cmds[0].Args) != 1 || len(p.Cmds[1].Args) != 1 {
		return "", false, nil
	}
	s, ok := p.Cmds[0].Args[0].(*parse.StringNode)
	if !ok {
		return "", false, nil
	}
	id, ok := p.Cmds[1].Args[0].(*parse.IdentifierNode)
	if !ok {
		return "", false, nil
	}
	esc, ok := escapedConstant[id.Ident]
	if !ok {
		return "", false, nil
	}
	var b strings.Builder
	if err := esc.probe.Execute(&b, s.Text); err != nil {
		return "", false, err
	}
	out, okPrefix := strings.CutPrefix(b.String(), esc.prefix)
	out, okSuffix := strings.CutSuffix(out, esc.suffix)
	if !okPrefix || !okSuffix {
		return "", false, fmt.Errorf("escaping %q with %s wrote %q", s.Text, id.Ident, b.String())
	}
	return out, true, nil
}
