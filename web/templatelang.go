package web

import (
	"fmt"
	"html/template"
	"strconv"
	"sync"
	"text/template/parse"
)

// langTemplates are the page templates parsed once per language, with
// every label ({{.T "nav.forums"}}: a message without arguments, a
// constant for one language) replaced by its translation before
// html/template escapes them. A page has about 40 labels; each would
// otherwise look the method up, call it through reflection and find the
// message on every request. The escaper still escapes the translation for
// its context, as it escaped what T returned, so the page is the same.
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
