package search

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Analyzer computes Terms for whoever indexes (storage's Store), faster:
// text is split without building a slice of words, and each word's terms
// are kept in a bounded cache per language. Words follow Zipf's law, so
// most words of a post were seen in earlier posts, and stemming and
// folding them (Unicode normalization, a Snowball environment per word)
// were most of the analysis's cost. Terms and Analyzer.Terms give the
// same terms for every text (TestAnalyzerMatchesTerms).
//
// An Analyzer is safe for concurrent use. The nil *Analyzer analyzes
// without a cache.
type Analyzer struct {
	// caches holds one cache per stemmed language, and one under "" for
	// every other language (their words' terms do not depend on the
	// language): a fixed set, so a tag received from the network cannot
	// add one. Read-only after NewAnalyzer.
	caches map[string]*wordCache
}

// DefaultCacheWords is the size of a cache generation NewAnalyzer is
// usually given: a forum's common vocabulary of one language. Full, the
// five caches hold 40,960 words in about 6 MB (140 bytes a word of 17,
// measured); a small forum's fill a fraction of that.
const DefaultCacheWords = 4096

// maxCachedWordLen bounds the bytes of a cached word (longer ones are
// analyzed every time), so the cache's memory is bounded by its count of
// words. Real words are far shorter; long ones are rarely repeated.
const maxCachedWordLen = 64

// NewAnalyzer returns an Analyzer that caches up to 2×perLanguage words
// per language (two generations of perLanguage: see wordCache). A
// perLanguage below 1 caches nothing.
func NewAnalyzer(perLanguage int) *Analyzer {
	a := &Analyzer{caches: map[string]*wordCache{}}
	if perLanguage < 1 {
		return a
	}
	for _, l := range append([]string{""}, Stemmed...) {
		a.caches[l] = newWordCache(perLanguage)
	}
	return a
}

// Terms returns Terms(lang, text), each word's terms taken from a's cache
// when it holds them.
func (a *Analyzer) Terms(lang, text string) string {
	lang = baseLang(lang)
	var cache *wordCache
	if a != nil {
		if stemmers[lang] != nil {
			cache = a.caches[lang]
		} else {
			cache = a.caches[""]
		}
	}
	var b strings.Builder
	b.Grow(len(text))
	n := 0
	var buf []string
	start := -1 // of the current word, -1 between words
	for i := 0; i <= len(text); {
		r, size := rune(-1), 1
		if i < len(text) {
			if c := text[i]; c < utf8.RuneSelf {
				r = rune(c)
			} else {
				r, size = utf8.DecodeRuneInString(text[i:])
			}
		}
		if r >= 0 && isWordRuneFast(r) {
			if start < 0 {
				start = i
			}
			i += size
			continue
		}
		if start >= 0 {
			var e wordEntry
			e, buf = cache.lookup(lang, text[start:i], buf)
			if !e.write(&b, &n) {
				return b.String()
			}
			start = -1
		}
		i += size
	}
	return b.String()
}

// isWordRuneFast is isWordRune with the ASCII answer first.
func isWordRuneFast(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r)
}

// wordEntry is a word's terms, separated by spaces, and how many.
type wordEntry struct {
	terms string
	n     int
}

// analyzeWord is the entry of word (as written) in a text in lang.
func analyzeWord(lang, word string, buf []string) (wordEntry, []string) {
	buf = wordTerms(lang, strings.ToLower(word), buf[:0])
	return wordEntry{terms: strings.Join(buf, " "), n: len(buf)}, buf
}

// write appends e's terms to b, which holds *n terms, up to maxDocTerms
// in all; it reports false when the document is full and the rest of
// the text is to be left out (as Terms stops there).
func (e wordEntry) write(b *strings.Builder, n *int) bool {
	terms, k := e.terms, e.n
	full := k > maxDocTerms-*n
	if full {
		k = maxDocTerms - *n
		terms = firstTerms(terms, k)
	}
	if k > 0 {
		if *n > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(terms)
		*n += k
	}
	return !full
}

// firstTerms is the first k of the space-separated terms.
func firstTerms(terms string, k int) string {
	if k <= 0 {
		return ""
	}
	for i := range len(terms) {
		if terms[i] == ' ' {
			if k--; k == 0 {
				return terms[:i]
			}
		}
	}
	return terms
}

// wordCache maps words as written to their entries. It holds two
// generations: words are added to the current one; when it is full it
// becomes the previous one and the one before is dropped; a word found
// in the previous generation moves to the current one. Frequent words
// stay, rare ones leave after two generations, and no more than
// 2×size words are ever held, without a list to maintain per lookup.
type wordCache struct {
	mu        sync.Mutex
	cur, prev map[string]wordEntry
	size      int
}

func newWordCache(size int) *wordCache {
	return &wordCache{cur: make(map[string]wordEntry, size), size: size}
}

// lookup returns word's entry from the cache, or analyzes it and caches
// it. A nil cache analyzes every word.
func (c *wordCache) lookup(lang, word string, buf []string) (wordEntry, []string) {
	if c == nil || len(word) > maxCachedWordLen {
		return analyzeWord(lang, word, buf)
	}
	c.mu.Lock()
	e, ok := c.cur[word]
	if !ok {
		if e, ok = c.prev[word]; ok {
			c.addLocked(word, e)
		}
	}
	c.mu.Unlock()
	if ok {
		return e, buf
	}
	// Analyzed outside the lock: another goroutine analyzing the same
	// word meanwhile stores the same entry.
	e, buf = analyzeWord(lang, word, buf)
	c.mu.Lock()
	c.addLocked(word, e)
	c.mu.Unlock()
	return e, buf
}

// addLocked adds word, copied: word is a slice of a post's text, which
// the cache must not keep alive.
func (c *wordCache) addLocked(word string, e wordEntry) {
	if len(c.cur) >= c.size {
		c.prev, c.cur = c.cur, make(map[string]wordEntry, c.size)
	}
	c.cur[strings.Clone(word)] = e
}

// len is how many words c holds.
func (c *wordCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.cur) + len(c.prev)
}
