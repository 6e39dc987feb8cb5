package web

import (
	"bytes"
	"html/template"
	"io"
	"strings"
	"testing"
	"text/template/parse"
)

// labelsPage uses a translator's T every way the page templates do: as a
// label in text and in attributes (where the escaper differs), through $,
// a variable and a map, with arguments, inside a condition and a
// parenthesised pipeline, and with a value piped into it.
const labelsPage = `{{define "content"}}{{$v := .}}<h1 title="{{.T "nav.forums"}}">{{.T "nav.forums"}}</h1>` +
	`{{range .Data}}<a aria-label="{{$.T "nav.login"}}">{{$v.T "nav.logout"}}</a>{{end}}` +
	`{{template "sub" withForm . (replyForm composeData.F "x")}}` +
	`<p>{{.T "thread.answers" "Count" 3}}</p>{{if .T "nav.cities"}}<b>{{printf "%s!" (.T "nav.admin")}}</b>{{end}}` +
	`{{"nav.skip" | .T}}{{end}}` +
	`{{define "sub"}}<i data-x="{{.V.T "thread.copy"}}">{{.V.T "thread.copied"}}</i>{{end}}`

func parseLabelsPage(t *testing.T, label func(string) string) *template.Template {
	t.Helper()
	funcs := template.FuncMap{"composeData": func() map[string]composeData { return map[string]composeData{"F": {}} }}
	tpl, err := template.New("page").Funcs(templateFuncs).Funcs(funcs).Parse(labelsPage + `{{template "content" .}}`)
	if err != nil {
		t.Fatal(err)
	}
	if label != nil {
		inlineLabels(tpl, label)
	}
	return tpl
}

// TestInlinedLabelsRenderTheSame: in every language, a template with its
// labels inlined and folded into text writes exactly what it writes
// calling T, escaping included, and the calls with arguments are left
// alone.
func TestInlinedLabelsRenderTheSame(t *testing.T) {
	cat, err := newCatalog("en")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range cat.tags {
		tr := cat.translator(lang)
		v := &view{translator: tr, Data: []int{1, 2}}
		var want, got bytes.Buffer
		if err := parseLabelsPage(t, nil).Execute(&want, v); err != nil {
			t.Fatal(err)
		}
		inlined := parseLabelsPage(t, func(id string) string { return tr.T(id) })
		if err := foldLabels(inlined); err != nil {
			t.Fatal(err)
		}
		if err := inlined.Execute(&got, v); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%s: inlined labels write\n%s\nwant\n%s", lang, got.String(), want.String())
		}
		if !strings.Contains(got.String(), tr.T("nav.forums")) {
			t.Errorf("%s: the page lacks its label", lang)
		}
	}
}

// trickyLabels translates every message into text that each escaper
// changes: quotes, an ampersand, angle brackets and a plus.
type trickyLabels struct{}

const tricky = `O'Brien & <Co> "1+1" `

func (trickyLabels) T(id string, _ ...any) string { return tricky + id }

// TestFoldedLabelsEscapeAsTheEscaper: a label folded into text is escaped
// exactly as html/template escapes it, in text and in an attribute.
func TestFoldedLabelsEscapeAsTheEscaper(t *testing.T) {
	const page = `<h1 title="{{.T "a"}}">{{.T "b"}}</h1><p data-x='{{.T "c"}}'>{{.T "d" | printf "%s"}}</p>`
	parse := func(inline bool) string {
		tpl := template.Must(template.New("page").Parse(page))
		if inline {
			inlineLabels(tpl, func(id string) string { return tricky + id })
			if err := foldLabels(tpl); err != nil {
				t.Fatal(err)
			}
		}
		var b bytes.Buffer
		if err := tpl.Execute(&b, trickyLabels{}); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	want, got := parse(false), parse(true)
	if got != want {
		t.Fatalf("folded labels write\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(want, "O&#39;Brien &amp; &lt;Co&gt; &#34;1&#43;1&#34; b") {
		t.Fatalf("the escaper did not escape the label as this test expects: %s", want)
	}
}

// TestPageTemplatesInlineEveryLabel: every page parses in every language,
// and no call of T with one constant argument is left in them (a label
// written some other way would still pay the call on every request), nor
// a constant that an escaper would escape on every request.
func TestPageTemplatesInlineEveryLabel(t *testing.T) {
	cat, err := newCatalog("en")
	if err != nil {
		t.Fatal(err)
	}
	lt, err := newLangTemplates(cat)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range cat.tags {
		for name := range lt.neutral {
			tpl, err := lt.page(lang, name)
			if err != nil {
				t.Fatal(err)
			}
			// Escaped already (foldLabels); if not, escape now so that an
			// escaped constant left as an action shows.
			for _, n := range []string{tpl.Name(), "post"} {
				if tpl.Lookup(n) != nil {
					_ = tpl.ExecuteTemplate(io.Discard, n, nil)
				}
			}
			for _, one := range tpl.Templates() {
				if one.Tree == nil {
					continue
				}
				if left := constantTCalls(one.Tree.Root); len(left) > 0 {
					t.Errorf("%s, %s, template %s: labels still called: %v", lang, name, one.Name(), left)
				}
			}
		}
	}
	if _, err := lt.page("xx", "thread"); err != nil {
		t.Errorf("a language without a catalog: %v", err)
	}
	if _, err := lt.page("en", "nope"); err == nil {
		t.Error("an unknown page was found")
	}
}

// constantTCalls lists the T calls with one string argument under n, and
// the escaped constants left as actions.
func constantTCalls(n parse.Node) []string {
	var out []string
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			if _, ok, _ := escapedLabel(n.Pipe); ok {
				out = append(out, "unfolded "+n.String())
			}
			walk(n.Pipe)
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for i, cmd := range n.Cmds {
				for _, a := range cmd.Args {
					walk(a)
				}
				if _, ok := cmd.Args[len(cmd.Args)-1].(*parse.StringNode); ok && i == 0 && len(cmd.Args) == 2 && isTranslatorT(cmd.Args[0]) {
					out = append(out, cmd.String())
				}
			}
		}
	}
	walk(n)
	return out
}
