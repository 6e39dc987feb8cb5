package search

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// What people type is never passed to a database's query syntax: it is
// split into words like an indexed text, each word becomes the set of
// terms it may have been indexed under, and the databases get those
// terms quoted. Operators (`"`, `*`, NEAR, `:`, `-`, SQL) are then plain
// words or separators, and a query answers a page whatever it holds.

// MaxQueryLen bounds what is read of a query, in bytes; the rest is
// ignored (a 10,000-character query searches its beginning).
const MaxQueryLen = 512

// maxQueryWords bounds the words of a query: each is one more condition.
const maxQueryWords = 16

// Parsed is a query ready for an index: every word must match (Groups are
// ANDed), by any of its terms (a group's terms are ORed).
type Parsed struct {
	Groups [][]string
	// Key is the query as a title key: a post whose title has the same
	// key ranks first.
	Key string
	// Words are the query's words, lower-cased, for highlighting.
	Words []string
}

// Empty reports whether the query has no word to look for.
func (p Parsed) Empty() bool { return len(p.Groups) == 0 }

// Parse reads a query. A word is looked for under its stems in every
// stemmed language (the query's language is not known: "casas" is
// Spanish, Portuguese or a typo in English) and folded as it is (what
// texts in other languages are indexed under).
func Parse(q string) Parsed {
	if len(q) > MaxQueryLen {
		q = q[:MaxQueryLen]
		for !utf8.ValidString(q) {
			q = q[:len(q)-1]
		}
	}
	var p Parsed
	seen := map[string]bool{}
	var buf []string
	for _, w := range Words(q) {
		if len(p.Groups) == maxQueryWords {
			break
		}
		f := Fold(w)
		if seen[f] || utf8.RuneCountInString(f) > maxTermLen {
			continue
		}
		seen[f] = true
		buf = buf[:0]
		for _, lang := range Stemmed {
			buf = wordTerms(lang, w, buf)
		}
		buf = wordTerms("", w, buf)
		p.Groups = append(p.Groups, dedupe(buf))
		p.Words = append(p.Words, w)
	}
	p.Key = TitleKey(q)
	return p
}

func dedupe(ts []string) []string {
	out := append([]string(nil), ts...)
	sort.Strings(out)
	j := 0
	for i, t := range out {
		if i == 0 || t != out[j-1] {
			out[j] = t
			j++
		}
	}
	return out[:j]
}

// FTS5 is the query in SQLite FTS5's syntax: each term a quoted string
// (terms hold only letters and numbers; a quote would be doubled), terms
// of a word ORed, words ANDed.
func (p Parsed) FTS5() string {
	var b strings.Builder
	for i, g := range p.Groups {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteByte('(')
		for j, t := range g {
			if j > 0 {
				b.WriteString(" OR ")
			}
			b.WriteString(`"` + strings.ReplaceAll(t, `"`, `""`) + `"`)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// TSQuery is the query in PostgreSQL's to_tsquery syntax (with the
// 'simple' configuration, which only lower-cases): each term a quoted
// lexeme, terms of a word ORed (|), words ANDed (&).
func (p Parsed) TSQuery() string {
	var b strings.Builder
	for i, g := range p.Groups {
		if i > 0 {
			b.WriteString(" & ")
		}
		b.WriteByte('(')
		for j, t := range g {
			if j > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(TSLexeme(t))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// TSLexeme is s as one quoted lexeme of a tsquery's text, whatever it
// holds: its quotes doubled, its backslashes escaped.
func TSLexeme(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
}

// Matches reports whether a word of a text in lang would match the query:
// for highlighting.
func (p Parsed) matcher() map[string]bool {
	m := map[string]bool{}
	for _, g := range p.Groups {
		for _, t := range g {
			m[t] = true
		}
	}
	return m
}
