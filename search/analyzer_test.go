package search

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// benchVocab are the topic words of bench/search's corpus (its vocab),
// and benchSyllables and benchSuffixes build its generated words, so
// the tests and benchmarks here analyze what that benchmark writes.
var benchVocab = map[string]string{
	"en": `the of and to a in is that for it on with as was be by this are at from have or an but not
		city cities data governance internet access digital services open portal citizens
		transport mobility housing energy budget participation platform broadband school health policy
		privacy security cloud identity payments permits inclusion training library network sensors
		water waste parks climate resilience procurement innovation pilot evaluation accessibility`,
	"es": `de la que el en y a los del se las por un para con no una su al lo como más pero sus le
		ciudad ciudades datos gobernanza acceso internet digitalización servicios portal ciudadanos
		transporte movilidad vivienda energía presupuesto participación plataforma banda ancha escuela salud
		privacidad seguridad nube identidad pagos permisos inclusión formación biblioteca red sensores
		agua residuos parques clima resiliencia compras innovación piloto evaluación accesibilidad`,
	"fr": `de la le et les des en un du une que est pour qui dans par sur au pas plus ne se ce avec
		ville villes données gouvernance accès internet numérique services portail citoyens
		transport mobilité logement énergie budget participation plateforme haut débit école santé
		confidentialité sécurité nuage identité paiements permis inclusion formation bibliothèque réseau capteurs
		eau déchets parcs climat résilience achats innovation pilote évaluation accessibilité`,
	"pt": `de a o que e do da em um para é com não uma os no se na por mais as dos como mas ao
		cidade cidades dados governança acesso internet digitalização serviços portal cidadãos
		transporte mobilidade habitação energia orçamento participação plataforma banda larga escola saúde
		privacidade segurança nuvem identidade pagamentos licenças inclusão formação biblioteca rede sensores
		água resíduos parques clima resiliência compras inovação piloto avaliação acessibilidade`,
}

var benchSyllables = map[string]string{
	"en": `ba con de ex fa gen in ma na o per pro re sa sub ta un ver vi wa ster land mark work`,
	"es": `ba ca che de fe ga la ma na pa que ra sa ta va ción ño lle gue jo ri to mu pla`,
	"fr": `ba ce de é fa ge la ma ne pa que re sa te va ou eau ai gné ch ri to mu plé`,
	"pt": `ba ca de fa ga lha ma nha pa que ra sa ta va ção ão lho gue jo ri to mu pla ê`,
}

var benchSuffixes = map[string]string{
	"en": `tion ity ing ment ness ers ed al ive ous ly s`,
	"es": `ción ciones idad mente ado ada ando es os ía ista ismo`,
	"fr": `tion tions ité ment eur euse ées ant ique isme iste s`,
	"pt": `ção ções idade mente ado ada ando es os ia ista ismo`,
}

// otherWords are words no stemmer knows and words that test the
// tokenizer: other scripts, case, decomposed accents, numbers, invalid
// UTF-8, words past maxTermLen and past maxCachedWordLen.
var otherWords = []string{
	"Bürgerbeteiligung", "STRASSE", "Straße", "ÉCOLE", "École", "e\u0301cole", "cafe\u0301s", "ação", "AÇÃO",
	"مدينة", "البيانات", "город", "Данные", "城市数据", "東京", "Αθήνα", "ΣΟΦΙΑ", "İstanbul", "ǅemal",
	"COVID-19", "3.14", "v2", "x²", "٣٤", "🙂city", "data—governance", "l'école", "e-mail",
	"\xff\xfebad", "ok\xc3", strings.Repeat("x", 61), strings.Repeat("é", 40), strings.Repeat("ab", 33),
	strings.Repeat("a\u0301", 50), "DIGITALIZACIÓN", "Numériques", "INCLUSÃO",
}

// testVocab is lang's words as bench/search draws them: its vocabulary,
// then generated words, size in all, plus otherWords in every language.
func testVocab(r *rand.Rand, lang string, size int) []string {
	seen := map[string]bool{}
	var v []string
	add := func(w string) {
		if !seen[w] {
			seen[w] = true
			v = append(v, w)
		}
	}
	for _, w := range strings.Fields(benchVocab[lang]) {
		add(w)
	}
	syl, suf := strings.Fields(benchSyllables[lang]), strings.Fields(benchSuffixes[lang])
	for len(v) < size {
		var b strings.Builder
		for range 1 + r.IntN(3) {
			b.WriteString(syl[r.IntN(len(syl))])
		}
		b.WriteString(suf[r.IntN(len(suf))])
		add(b.String())
	}
	for _, w := range otherWords {
		add(w)
	}
	return v
}

// testTexts are n texts of about words words per language of langs,
// drawn from each language's vocabulary by Zipf's law as bench/search
// draws them, with the separators and capitals of real text, one word
// in other drawn from otherWords (none if other is 0).
func testTexts(seed uint64, langs []string, n, words, vocab, other int) map[string][]string {
	r := rand.New(rand.NewPCG(seed, 1))
	seps := []string{" ", " ", " ", ", ", ". ", " (", ") ", "\n", " — ", "!? ", "\t", "'"}
	out := map[string][]string{}
	for _, lang := range langs {
		base := lang
		if _, ok := benchVocab[base]; !ok {
			base = "en"
		}
		v := testVocab(r, base, vocab)
		z := rand.NewZipf(r, 1.07, 1, uint64(len(v)-1))
		for range n {
			var b strings.Builder
			for i := range words {
				w := v[z.Uint64()]
				if other > 0 && r.IntN(other) == 0 {
					w = otherWords[r.IntN(len(otherWords))]
				}
				if i%12 == 0 && w != "" {
					w = strings.ToUpper(w[:1]) + w[1:]
				}
				b.WriteString(w)
				b.WriteString(seps[r.IntN(len(seps))])
			}
			out[lang] = append(out[lang], b.String())
		}
	}
	return out
}

func TestAnalyzerMatchesTerms(t *testing.T) {
	langs := []string{"en", "es", "fr", "pt", "pt-BR", "ES", "de", "ar", ""}
	texts := testTexts(7, langs, 40, 60, 5000, 10)
	// Past maxDocTerms: a one-term word, then words of two terms, so the
	// limit falls inside a word's terms.
	long := "ok " + strings.Repeat("Digitalización ", maxDocTerms/2+3)
	for _, tc := range []struct {
		name string
		a    *Analyzer
	}{
		{"nil", nil},
		{"no cache", NewAnalyzer(0)},
		{"tiny cache, evicting", NewAnalyzer(8)},
		{"default", NewAnalyzer(DefaultCacheWords)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Twice: the second pass finds the words in the cache.
			for pass := range 2 {
				for _, lang := range langs {
					for _, text := range append(texts[lang], long, "", " ,. ") {
						if got, want := tc.a.Terms(lang, text), Terms(lang, text); got != want {
							t.Fatalf("pass %d: Analyzer.Terms(%q, %.60q) =\n%.200q, want\n%.200q", pass, lang, text, got, want)
						}
					}
				}
			}
		})
	}
}

func TestAnalyzerConcurrent(t *testing.T) {
	langs := []string{"en", "es", "fr", "pt", "de"}
	texts := testTexts(11, langs, 20, 60, 3000, 10)
	a := NewAnalyzer(64) // small: goroutines evict each other's words
	var wg sync.WaitGroup
	errs := make(chan string, 4*len(langs))
	for g := range 4 {
		wg.Go(func() {
			for i, lang := range langs {
				for _, text := range texts[langs[(i+g)%len(langs)]] {
					if got, want := a.Terms(lang, text), Terms(lang, text); got != want {
						errs <- fmt.Sprintf("goroutine %d: Terms(%q, %.40q) = %.80q, want %.80q", g, lang, text, got, want)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestAnalyzerBounded(t *testing.T) {
	const size = 50
	a := NewAnalyzer(size)
	// Thousands of distinct words in many language tags, those of
	// languages without a stemmer sharing one cache.
	r := rand.New(rand.NewPCG(3, 4))
	for _, lang := range []string{"en", "es", "fr", "pt", "de", "ar", "zz", "x-" + strings.Repeat("q", 30), ""} {
		v := testVocab(r, "es", 3000)
		a.Terms(lang, strings.Join(v, " "))
	}
	if len(a.caches) != len(Stemmed)+1 {
		t.Errorf("%d caches, want %d (one per stemmed language and one for the others)", len(a.caches), len(Stemmed)+1)
	}
	for lang, c := range a.caches {
		if n := c.len(); n > 2*size || n < size {
			t.Errorf("cache %q holds %d words, want between %d and %d", lang, n, size, 2*size)
		}
		for w := range c.cur {
			if len(w) > maxCachedWordLen {
				t.Errorf("cache %q holds a word of %d bytes", lang, len(w))
			}
		}
	}
	// A frequent word stays through generations of rare ones.
	c := a.caches["en"]
	for i := range 10 * size {
		a.Terms("en", fmt.Sprintf("governance rare%d", i))
	}
	c.mu.Lock()
	_, ok := c.cur["governance"]
	c.mu.Unlock()
	if !ok {
		t.Error("a word seen in every text left the cache")
	}
}

func BenchmarkTerms(b *testing.B) {
	langs := []string{"en", "es", "fr", "pt"}
	// bench/search's posts: 60 words of its corpus.
	texts := testTexts(5, langs, 200, 60, 5000, 0)
	for _, bc := range []struct {
		name  string
		terms func(lang, text string) string
	}{
		{"impl=func", Terms},
		{"impl=analyzer", NewAnalyzer(DefaultCacheWords).Terms},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for _, lang := range langs { // warm the cache as a node's first posts do
				for _, text := range texts[lang] {
					bc.terms(lang, text)
				}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				lang := langs[i%len(langs)]
				bc.terms(lang, texts[lang][i/len(langs)%len(texts[lang])])
				i++
			}
		})
	}
}

func TestFoldLatin1(t *testing.T) {
	// Every rune below U+0100 alone and after a letter, then random
	// strings of them.
	var cases []string
	for r := rune(0); r < 0x100; r++ {
		cases = append(cases, string(r), "a"+string(r)+"Z")
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for range 2000 {
		var b strings.Builder
		for range 1 + rng.IntN(12) {
			b.WriteRune(rune(0x20 + rng.IntN(0xE0)))
		}
		cases = append(cases, b.String())
	}
	for _, s := range cases {
		lower := strings.ToLower(s)
		if f, ok := foldLatin1(lower); !ok || f != foldNorm(lower) {
			t.Errorf("foldLatin1(%q) = %q, %v; want %q", lower, f, ok, foldNorm(lower))
		}
	}
	if _, ok := foldLatin1("œuvre"); ok {
		t.Error("foldLatin1 took a rune past U+00FF")
	}
}
