package storage_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/storage"
)

// TestWalkClassLanguageLexeme: on PostgreSQL a document's tsvector holds
// its language as a lexeme, and a level of the other languages' class
// read through the GIN index leaves the reader's language out in the
// index. Each class walks exactly its matches at each level, newest
// first, whatever the languages hold: quotes and backslashes, nothing,
// or more than the lexeme's 64 characters with the same 64 first (the
// other languages' class must not leave those out with the reader's).
// And when a level's matches are all in the reader's language, the other
// languages' read finds none in the index: no row is read to be left
// out.
func TestWalkClassLanguageLexeme(t *testing.T) {
	db := postgresDB(t)
	if db == nil {
		return
	}
	s := db.Store()
	f := newFixture(t, s)
	qs := questions{f: f}
	long := strings.Repeat("x", 64)
	langs := []string{"es", "en", `o'c\h`, "", long + "a", long + "b"}
	ids := forum.NewULIDs(fixedClock{t0}, nil)
	newest := map[string][]string{} // each language's matches, newest first
	var all []string
	const n = 60
	for i := range n {
		lang := langs[i%len(langs)]
		id := forum.ID(ids.NewAt(t0.Add(time.Duration(i) * time.Minute)))
		qs.add(id, lang, fmt.Sprintf("vivienda %d", i), "<p>compras</p>", t0.Add(time.Duration(i)*time.Minute))
		newest[lang] = append([]string{string(id)}, newest[lang]...)
		all = append([]string{string(id)}, all...)
	}
	// Matches of "mercado puesto" in Spanish only.
	for i := range 30 {
		at := t0.Add(time.Duration(n+i) * time.Minute)
		qs.add(forum.ID(ids.NewAt(at)), "es", fmt.Sprintf("mercado %d", i), "<p>puesto</p>", at)
	}
	qs.store(t, s)
	_, err := db.Bun().ExecContext(ctx(t), "ANALYZE search_docs")
	wantErr(t, "ANALYZE", err, nil)

	parsed := search.Parse("vivienda compras")
	for level := 1; level <= 2; level++ {
		// Every match holding level terms, newest first, by the walk of
		// them all (no class, no lexeme).
		everyMatch, err := storage.WalkNewestHolding(ctx(t), s, search.PostQuery{Parsed: parsed}, level, n, 0)
		if level == 1 {
			everyMatch, err = storage.WalkNewest(ctx(t), s, search.PostQuery{Parsed: parsed}, n, 0)
		}
		wantErr(t, "walk every match", err, nil)
		if len(everyMatch) < n/2 {
			t.Fatalf("level %d: %d matches of %d posts", level, len(everyMatch), n)
		}
		for li, reader := range langs {
			for _, other := range []bool{false, true} {
				var want []string
				for _, id := range everyMatch {
					if slices.Contains(newest[reader], id) != other {
						want = append(want, id)
					}
				}
				q := search.PostQuery{Parsed: parsed, RankLanguage: reader}
				for _, window := range []int{0, 8} {
					t.Run(fmt.Sprintf("level %d language %d other=%v window=%d", level, li, other, window), func(t *testing.T) {
						got, err := storage.WalkClass(ctx(t), s, q, other, level, n, window)
						wantErr(t, "WalkClass", err, nil)
						same(t, "walked", got, want)
					})
				}
			}
		}
	}

	plan, err := storage.WalkClassPlan(ctx(t), s, search.PostQuery{Parsed: search.Parse("mercado puesto"), RankLanguage: "es"}, true, 2, 20)
	wantErr(t, "WalkClassPlan", err, nil)
	if !regexp.MustCompile(`Bitmap Index Scan on search_docs_tsv_idx \(actual rows=0 `).MatchString(plan) ||
		strings.Contains(plan, "Rows Removed") {
		t.Errorf("the other languages' read of a level of Spanish matches found some in the index, or read rows to leave out:\n%s", plan)
	}
}
