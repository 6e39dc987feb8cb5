// Package search indexes and queries what people wrote: the analysis that
// turns a text into the terms an index holds (language-aware stems, case
// and accents folded), the query language people type, and the snippets
// that show why a result matched. The databases (storage) hold the terms
// and answer queries; this package decides what the terms are, so SQLite
// and PostgreSQL index and match exactly the same words.
package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	snowball "github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/portuguese"
	"github.com/blevesearch/snowballstem/spanish"
	"golang.org/x/text/unicode/norm"
)

// Version names the analysis. Terms written by another version are
// rebuilt (storage reindexes when the stored version differs), so change
// it whenever Terms would give other terms for the same text.
const Version = "1"

// Stemmed are the languages whose words are reduced to their stems; words
// of any other language are indexed as they are, folded.
var Stemmed = []string{"en", "es", "fr", "pt"}

// maxTermLen drops longer "words" (base64, hashes, URLs run together):
// nobody searches for them, and PostgreSQL refuses lexemes past 2 KB.
const maxTermLen = 60

// maxDocTerms bounds the terms of one document, so a 1 MiB post cannot
// make an index row (or a PostgreSQL tsvector, capped at 1 MB) too big.
const maxDocTerms = 20000

var stemmers = map[string]func(*snowball.Env) bool{
	"en": english.Stem, "es": spanish.Stem, "fr": french.Stem, "pt": portuguese.Stem,
}

// baseLang reduces a language tag to its primary subtag: "pt-BR" → "pt".
func baseLang(tag string) string {
	tag = strings.ToLower(tag)
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return tag
}

// Fold lower-cases s and removes its accents (the combining marks of its
// canonical decomposition): "Digitalización" → "digitalizacion".
func Fold(s string) string {
	s = strings.ToLower(s)
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	if f, ok := foldLatin1(s); ok {
		return f
	}
	return foldNorm(s)
}

// foldNorm is Fold of a lower-cased s by Unicode normalization.
func foldNorm(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// latin1Fold is foldNorm of each rune from U+00C0 to U+00FF: the letter
// its canonical decomposition starts with, or itself (Æ, Ð, ×, Ø, Þ, ß…).
// Below U+00C0 no rune decomposes.
var latin1Fold = [64]rune([]rune("AAAAAAÆCEEEEIIIIÐNOOOOO×ØUUUUYÞßaaaaaaæceeeeiiiiðnooooo÷øuuuuyþy"))

// foldLatin1 is foldNorm without normalizing when every rune of s is
// below U+0100, as are the words of the languages stemmed here, but for
// a few (œ, ŀ): a decomposed Latin-1 letter is a letter and marks, no
// Latin-1 letter composes with another, so folding is rune by rune.
// TestFoldLatin1 compares it with foldNorm for every such rune.
func foldLatin1(s string) (string, bool) {
	for _, r := range s {
		if r >= 0x100 {
			return "", false
		}
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r >= 0xC0 {
			r = latin1Fold[r-0xC0]
		}
		b = utf8.AppendRune(b, r)
	}
	return string(b), true
}

// isWordRune reports whether r belongs to a word: letters and numbers of
// any script, and combining marks (removed by Fold).
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r)
}

// Words splits text into its words, lower-cased (not folded), in order.
func Words(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !isWordRune(r) }) {
		out = append(out, strings.ToLower(w))
	}
	return out
}

// stem stems a lower-cased word with lang's stemmer.
func stem(lang, word string) string {
	fn := stemmers[lang]
	if fn == nil {
		return word
	}
	env := snowball.NewEnv(word)
	fn(env)
	return env.Current()
}

// wordTerms are the terms a word of a text in lang is indexed under.
// Stemmers know their language's accents ("ación" is a suffix, "acion"
// is not), and people type words without them: both the stem of the word
// as written and the stem of its folded form are kept (folded), so
// "digitalización" matches a query for "digitalizacion" and for
// "digitalizaciones". A language without a stemmer keeps the folded word.
func wordTerms(lang, word string, into []string) []string {
	folded := Fold(word)
	if utf8.RuneCountInString(folded) > maxTermLen || folded == "" {
		return into
	}
	if stemmers[lang] == nil {
		return append(into, folded)
	}
	a := Fold(stem(lang, word))
	into = append(into, a)
	if folded != word {
		if b := stem(lang, folded); b != a {
			into = append(into, b)
		}
	}
	return into
}

// Terms are the index terms of text written in lang (a language tag),
// in order, separated by spaces: what the databases' full-text indexes
// hold. Both databases split them on spaces alone (a term holds only
// letters and numbers). It defines the terms; who indexes many texts
// uses an Analyzer, which gives the same faster.
func Terms(lang, text string) string {
	lang = baseLang(lang)
	var b strings.Builder
	n := 0
	var buf []string
	for _, w := range Words(text) {
		buf = wordTerms(lang, w, buf[:0])
		for _, t := range buf {
			if n == maxDocTerms {
				return b.String()
			}
			if n > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(t)
			n++
		}
	}
	return b.String()
}

// TitleKey is a title reduced to its folded words, so that a query equal
// to a title (ignoring case, accents and punctuation) ranks it first.
func TitleKey(title string) string {
	words := Words(Fold(title))
	if len(words) > maxQueryWords*4 {
		words = words[:maxQueryWords*4]
	}
	return strings.Join(words, " ")
}
