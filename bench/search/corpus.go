package main

import (
	"math/rand/v2"
	"strings"
)

// A corpus whose words are distributed as in real text, so a query matches
// the share of posts it would on a real forum. Natural language follows
// Zipf's law: the k-th most frequent word occurs about 1/k as often as the
// first. A vocabulary of a few dozen words drawn uniformly (what this
// benchmark used before) makes every word appear in most posts, so every
// two-word query matched a third of the corpus and the measure was of the
// wrong workload.
//
// Each language's vocabulary is, by rank: its most frequent function
// words (the, de, la…), then the forum's real topic words, then generated
// words built from the language's syllables and suffixes, so they are
// stemmed and folded as real ones are ("-ción", "-ções", "-ité"), up to
// -vocab words. Posts draw every word from the Zipf distribution; queries
// draw content words only (people do not search for "the") among the
// queryRanks most frequent ones (people search for the forum's topics,
// not for a word used once), from the same distribution, so common topic
// words are queried most, as in real search logs.

var functionWords = map[string][]string{
	"en": strings.Fields(`the of and to a in is that for it on with as was be by this are at from have or an but not`),
	"es": strings.Fields(`de la que el en y a los del se las por un para con no una su al lo como más pero sus le`),
	"fr": strings.Fields(`de la le et les des en un du une que est pour qui dans par sur au pas plus ne se ce avec`),
	"pt": strings.Fields(`de a o que e do da em um para é com não uma os no se na por mais as dos como mas ao`),
}

// syllables and suffixes make each language's generated words.
var syllables = map[string][]string{
	"en": strings.Fields(`ba con de ex fa gen in ma na o per pro re sa sub ta un ver vi wa ster land mark work`),
	"es": strings.Fields(`ba ca che de fe ga la ma na pa que ra sa ta va ción ño lle gue jo ri to mu pla`),
	"fr": strings.Fields(`ba ce de é fa ge la ma ne pa que re sa te va ou eau ai gné ch ri to mu plé`),
	"pt": strings.Fields(`ba ca de fa ga lha ma nha pa que ra sa ta va ção ão lho gue jo ri to mu pla ê`),
}

var suffixes = map[string][]string{
	"en": strings.Fields(`tion ity ing ment ness ers ed al ive ous ly s`),
	"es": strings.Fields(`ción ciones idad mente ado ada ando es os ía ista ismo`),
	"fr": strings.Fields(`tion tions ité ment eur euse ées ant ique isme iste s`),
	"pt": strings.Fields(`ção ções idade mente ado ada ando es os ia ista ismo`),
}

// corpus is each language's vocabulary and the Zipf distribution over it.
type corpus struct {
	words map[string][]string
	// content is the rank of the first content word (after the function
	// words), per language.
	content map[string]int
	zipf    *rand.Zipf
	size    int
	// queryRanks bounds the content words queries use.
	queryRanks int
}

// zipfExponent is the exponent of the rank distribution: about 1 for
// natural language (rand.Zipf needs more than 1).
const zipfExponent = 1.07

// newCorpus builds vocabularies of size words per language.
func newCorpus(r *rand.Rand, size, queryRanks int) *corpus {
	c := &corpus{words: map[string][]string{}, content: map[string]int{}, size: size, queryRanks: queryRanks}
	for _, lang := range langs {
		seen := map[string]bool{}
		var v []string
		add := func(w string) {
			if !seen[w] && len(v) < size {
				seen[w] = true
				v = append(v, w)
			}
		}
		for _, w := range functionWords[lang] {
			add(w)
		}
		c.content[lang] = len(v)
		for _, w := range vocab[lang] {
			add(w)
		}
		syl, suf := syllables[lang], suffixes[lang]
		for len(v) < size {
			var b strings.Builder
			for range 1 + r.IntN(3) {
				b.WriteString(syl[r.IntN(len(syl))])
			}
			b.WriteString(suf[r.IntN(len(suf))])
			add(b.String())
		}
		c.words[lang] = v
	}
	c.zipf = rand.NewZipf(r, zipfExponent, 1, uint64(size-1))
	return c
}

// drawingFrom is c drawing its words from r: the same vocabulary and
// ranks, other texts and queries.
func (c *corpus) drawingFrom(r *rand.Rand) *corpus {
	d := *c
	d.zipf = rand.NewZipf(r, zipfExponent, 1, uint64(c.size-1))
	return &d
}

// text is words words of lang, drawn by rank.
func (c *corpus) text(lang string, words int) string {
	v := c.words[lang]
	out := make([]string, words)
	for i := range out {
		out[i] = v[c.zipf.Uint64()]
	}
	return strings.Join(out, " ")
}

// query is n distinct content words of lang, drawn by rank.
func (c *corpus) query(lang string, n int) string {
	v := c.words[lang]
	var out []string
	for len(out) < n {
		k := int(c.zipf.Uint64())
		if k < c.content[lang] || k >= c.content[lang]+c.queryRanks {
			continue
		}
		w := v[k]
		dup := false
		for _, o := range out {
			dup = dup || o == w
		}
		if !dup {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}
