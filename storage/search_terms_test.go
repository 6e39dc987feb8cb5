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

// TestWalkClassLanguageLexeme: on PostgreSQL a walk of a class of
// languages reads the GIN index with the class's language as a lexeme
// of the query. Each class walks exactly its matches, newest first,
// whatever the languages hold: quotes and backslashes, nothing, or more
// than the lexeme's 64 characters with the same 64 first (the other
// languages' class must not leave those out with the reader's). And
// when every match is in the reader's language, the other languages'
// read finds none in the index: no row is read to be left out.
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
	// Matches of "mercado" in Spanish only.
	for i := range 30 {
		at := t0.Add(time.Duration(n+i) * time.Minute)
		qs.add(forum.ID(ids.NewAt(at)), "es", fmt.Sprintf("mercado %d", i), "<p>puesto</p>", at)
	}
	qs.store(t, s)
	_, err := db.Bun().ExecContext(ctx(t), "ANALYZE search_docs")
	wantErr(t, "ANALYZE", err, nil)

	parsed := search.Parse("vivienda compras")
	for li, reader := range langs {
		for _, other := range []bool{false, true} {
			var want []string
			for _, id := range all {
				if in := slices.Contains(newest[reader], id); in != other {
					want = append(want, id)
				}
			}
			q := search.PostQuery{Parsed: parsed, RankLanguage: reader}
			for _, window := range []int{0, 8} {
				t.Run(fmt.Sprintf("language %d other=%v window=%d", li, other, window), func(t *testing.T) {
					got, err := storage.WalkClass(ctx(t), s, q, other, n, window)
					wantErr(t, "WalkClass", err, nil)
					same(t, "walked", got, want)
				})
			}
		}
	}

	plan, err := storage.WalkClassPlan(ctx(t), s, search.PostQuery{Parsed: search.Parse("mercado"), RankLanguage: "es"}, true, 20)
	wantErr(t, "WalkClassPlan", err, nil)
	if !regexp.MustCompile(`Bitmap Index Scan on search_docs_terms_idx \(actual rows=0 `).MatchString(plan) ||
		strings.Contains(plan, "Rows Removed") {
		t.Errorf("the other languages' read of Spanish matches found some in the index, or read rows to leave out:\n%s", plan)
	}
}
