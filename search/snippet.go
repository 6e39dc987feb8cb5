package search

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// PlainText is the text of sanitized HTML, block elements separated by
// spaces, entities decoded: what a post is indexed and quoted by.
func PlainText(h string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(h))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "a", "span", "em", "strong", "b", "i", "code", "del", "s", "u", "mark", "sub", "sup":
			default:
				b.WriteByte(' ')
			}
		}
	}
}

// Segment is a piece of a snippet; Match marks a word the query found.
type Segment struct {
	Text  string
	Match bool
}

// snippetWords is about how many words a snippet shows.
const snippetWords = 30

// Snippet cuts from text (in lang) about thirty words around the first
// word the query matches, and marks every matching word. With no match
// (a post found by its title or a translation) it is the text's
// beginning. Leading and trailing "…" say that text was cut.
func Snippet(lang, text string, p Parsed) []Segment {
	lang = baseLang(lang)
	want := p.matcher()
	// Stems keep their word's first letters: a word whose first two
	// (folded) letters start no term cannot match, and is not stemmed.
	heads := map[string]bool{}
	for t := range want {
		heads[head(t)] = true
	}
	seen := map[string]bool{}
	type word struct {
		start, end int
		match      bool
	}
	var words []word
	var buf []string
	first := -1
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			i += size
			continue
		}
		j := i
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if !isWordRune(r) {
				break
			}
			j += size
		}
		w := word{start: i, end: j}
		if lw := strings.ToLower(text[i:j]); len(want) > 0 && heads[head(Fold(lw))] {
			m, ok := seen[lw]
			if !ok {
				buf = wordTerms(lang, lw, buf[:0])
				for _, t := range buf {
					m = m || want[t]
				}
				seen[lw] = m
			}
			w.match = m
		}
		if w.match && first < 0 {
			first = len(words)
		}
		words = append(words, w)
		i = j
		// Enough read past the first match: stop tokenizing a long post.
		if first >= 0 && len(words) > first+snippetWords {
			break
		}
	}
	if len(words) == 0 {
		return nil
	}
	from := 0
	if first > snippetWords/3 {
		from = first - snippetWords/3
	}
	to := min(from+snippetWords, len(words))
	var out []Segment
	pos := 0 // from the text's start, its punctuation included
	if from > 0 {
		out = append(out, Segment{Text: "…"})
		pos = words[from].start
	}
	for _, w := range words[from:to] {
		if !w.match {
			continue
		}
		if w.start > pos {
			out = append(out, Segment{Text: text[pos:w.start]})
		}
		out = append(out, Segment{Text: text[w.start:w.end], Match: true})
		pos = w.end
	}
	end := words[to-1].end
	cut := to < len(words) || i < len(text) && first >= 0 && len(words) > first+snippetWords
	if !cut {
		end = len(text) // to the text's end, its punctuation included
	}
	if end > pos {
		out = append(out, Segment{Text: text[pos:end]})
	}
	if cut {
		out = append(out, Segment{Text: "…"})
	}
	return out
}

// head is a term's (or folded word's) first two letters.
func head(s string) string {
	n := 0
	for i := range s {
		if n == 2 {
			return s[:i]
		}
		n++
	}
	return s
}
