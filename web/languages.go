package web

import (
	"html/template"
	"slices"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// isoLanguages lists every ISO 639-1 language (two-letter code) that
// golang.org/x/text knows, in code order. Members write in many more
// languages than the interface speaks (Catalan, Korean, Shona, Wolof…), and
// a post must be able to say which.
func isoLanguages() []string {
	var out []string
	for a := 'a'; a <= 'z'; a++ {
		for b := 'a'; b <= 'z'; b++ {
			code := string([]rune{a, b})
			// Deprecated codes (iw, in, ji…) canonicalize to their
			// successors (he, id, yi), which the loop meets on its own.
			if _, err := language.ParseBase(code); err == nil && language.Make(code).String() == code {
				out = append(out, code)
			}
		}
	}
	return out
}

// languageOption is one language as a picker shows it.
type languageOption struct {
	Code, Name string
}

// languageOptions names every ISO 639-1 language in the page's language,
// with its own name beside it where that differs ("Coreano (한국어)"),
// sorted the way the page's language sorts: a reader finds a language by
// the name they know it by.
func languageOptions(pageLang string, codes []string) []languageOption {
	tag := language.Make(pageLang)
	names := display.Tags(tag)
	out := make([]languageOption, 0, len(codes))
	for _, code := range codes {
		t := language.Make(code)
		name := names.Name(t)
		if name == "" {
			name = display.English.Tags().Name(t)
		}
		if name == "" {
			name = code
		}
		if self := display.Self.Name(t); self != "" && !strings.EqualFold(self, name) {
			name += " (" + self + ")"
		}
		out = append(out, languageOption{Code: code, Name: name})
	}
	c := collate.New(tag)
	slices.SortFunc(out, func(a, b languageOption) int { return c.CompareString(a.Name, b.Name) })
	return out
}

// optionsHTML renders options as <option> elements, each marked with its
// language code; built once per interface language, since the list is the
// same for every reader of that language.
func optionsHTML(options []languageOption) template.HTML {
	var b strings.Builder
	for _, o := range options {
		b.WriteString(`<option value="`)
		b.WriteString(template.HTMLEscapeString(o.Code))
		b.WriteString(`">`)
		b.WriteString(template.HTMLEscapeString(o.Name))
		b.WriteString("</option>")
	}
	return template.HTML(b.String())
}
