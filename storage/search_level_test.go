package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/storage"
)

// TestLevelWordByWord: on PostgreSQL the tsquery a walk reads a level
// with (the matches holding at least n of the query's terms), written
// word by word, matches exactly the documents that match the query and
// hold n of its terms, as the sets of n terms beside the query do, at
// every level of each query (of fewer terms than the query has words
// too); a query whose words share a term is read with the sets.
func TestLevelWordByWord(t *testing.T) {
	db := postgresDB(t)
	if db == nil {
		return
	}
	s := db.Store()
	f := newFixture(t, s)
	qs := questions{f: f}
	ids := forum.NewULIDs(fixedClock{t0}, nil)
	// Titles holding the words in several forms and languages, some with
	// translations (indexed in their languages in the same document), so
	// the documents hold from one to all of a query's terms.
	titles := []struct{ lang, title, tr string }{
		{"es", "vivienda compras", ""}, {"es", "viviendas compra", "en"}, {"es", "vivienda", "pt"},
		{"es", "compras públicas", ""}, {"en", "housing purchases", ""}, {"en", "vivienda compras", "es"},
		{"pt", "vivienda compras", "fr"}, {"fr", "viviendas comprar", ""},
		{"en", "health resilience", "fr"}, {"en", "resilient health", ""}, {"en", "healthy resilience resilient", "es"},
		{"fr", "résilience santé health", ""}, {"es", "salud resiliencia health", "en"}, {"en", "health", ""},
		{"en", "planning plan", "es"}, {"en", "plans planning", ""}, {"es", "plan planificación", ""},
		{"es", "vivienda compras health", "en"}, {"en", "health housing purchases", ""},
	}
	for i := range 3 {
		for j, tt := range titles {
			at := t0.Add(time.Duration(i*len(titles)+j) * time.Minute)
			p := qs.add(forum.ID(ids.NewAt(at)), tt.lang, tt.title, fmt.Sprintf("<p>%s %d</p>", tt.title, i), at)
			if tt.tr != "" && i > 0 {
				p.Translations = map[string]forum.Translation{tt.tr: {HTML: "<p>" + tt.title + "</p>"}}
			}
		}
	}
	qs.store(t, s)

	narrower := 0 // levels whose matches are some of the query's, not none nor all
	// Three words: a level of fewer terms than words holds every match.
	for _, words := range []string{"vivienda compras", "health resilience", "resilient health", "planning plan", "plan",
		"vivienda compras health"} {
		q := search.PostQuery{Parsed: search.Parse(words)}
		all, _, err := storage.LevelMatches(ctx(t), s, q, 1, false)
		wantErr(t, "LevelMatches", err, nil)
		for n := 2; n <= len(storage.QueryTerms(q.Parsed)); n++ {
			t.Run(fmt.Sprintf("%s holding %d", words, n), func(t *testing.T) {
				want, _, err := storage.LevelMatches(ctx(t), s, q, n, true)
				wantErr(t, "LevelMatches with the sets", err, nil)
				got, wordByWord, err := storage.LevelMatches(ctx(t), s, q, n, false)
				wantErr(t, "LevelMatches", err, nil)
				same(t, "level's matches", got, want)
				if !wordByWord && words != "planning plan" {
					t.Errorf("read with the sets of terms, not word by word")
				}
				if len(got) > 0 && len(got) < len(all) {
					narrower++
				}
			})
		}
	}
	if narrower < 4 {
		t.Errorf("%d levels hold some of their query's matches and not all: the corpus tests too little", narrower)
	}
}
