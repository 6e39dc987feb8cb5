package storage_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/storage"
)

// TestRestSpans: the spans a walk's rest is read in start where the
// window's density says twice the matches still wanted are, each four
// times longer than the one before, newest first; a window that found
// none counts as one that found one; ids without a time give none.
func TestRestSpans(t *testing.T) {
	ids := forum.NewULIDs(fixedClock{t0}, nil)
	at := func(d time.Duration) string { return ids.NewAt(t0.Add(d)) }
	prefix := func(d time.Duration) string { return strings.ToLower(ids.NewAt(t0.Add(d))[:10]) }
	newest, oldest := at(10*time.Hour), at(0)
	tests := []struct {
		name           string
		newest, oldest string
		found, limit   int
		want           []time.Duration // the spans' starts, from t0
	}{
		// 10 matches in 10 hours, 10 more wanted: a unit of 10 hours.
		{"half found", newest, oldest, 10, 20, []time.Duration{-20 * time.Hour, -80 * time.Hour, -320 * time.Hour}},
		// 5 found, 15 wanted: 30 hours.
		{"a quarter found", newest, oldest, 5, 20, []time.Duration{-60 * time.Hour, -240 * time.Hour, -960 * time.Hour}},
		{"none found counts as one", newest, oldest, 0, 2, []time.Duration{-40 * time.Hour, -160 * time.Hour, -640 * time.Hour}},
		{"all found", newest, oldest, 20, 20, nil},
		{"same millisecond", oldest, oldest, 3, 20, nil},
		{"not an id", "01hz", oldest, 3, 20, nil},
		{"oldest not an id", newest, "x", 3, 20, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []string
			for _, d := range tt.want {
				want = append(want, prefix(d))
			}
			same(t, "spans", storage.RestSpans(tt.newest, tt.oldest, tt.found, tt.limit), want)
		})
	}
	// Spans reaching before 1970 stop there: the rest is read whole.
	early := forum.NewULIDs(fixedClock{time.Unix(0, 0).Add(time.Hour)}, nil)
	spans := storage.RestSpans(early.NewAt(time.Unix(0, 0).Add(2*time.Hour)), early.New(), 1, 20)
	if len(spans) != 0 {
		t.Errorf("spans before 1970: %q", spans)
	}
}

// TestWalkNewestSpans: a walk whose window holds fewer matches than it
// wants reads the older ones a span of time at a time, then all the
// rest, and finds the newest matches once each and in order, as a walk
// without a window does. The corpus has a post a minute, its matches
// dense among the newest and sparse before, so the spans the window's
// density sets hold some of the rest and not all: a span read twice, or
// skipped, repeats or misses matches.
func TestWalkNewestSpans(t *testing.T) {
	db := postgresDB(t)
	if db == nil {
		return
	}
	s := db.Store()
	f := newFixture(t, s)
	qs := questions{f: f}
	const n = 600
	for i := range n {
		at := t0.Add(time.Duration(i) * time.Minute)
		age := n - i // 1 the newest
		body := fmt.Sprintf("word%d other%d", i, i%7)
		var tr map[string]forum.Translation
		switch {
		case (age <= 60 && age%6 == 0) || (age > 60 && age%40 == 0):
			// "particip" and "portal" in English, "participation" in
			// Portuguese: the three terms of the query.
			body = "participation portal"
			tr = map[string]forum.Translation{"pt": {HTML: "<p>participation portal</p>"}}
		case (age <= 60 && age%6 == 3) || (age > 60 && age%40 == 20):
			body = "participation portal" // "particip", "portal": 2 of the 3
		}
		lang := "en"
		if i%5 == 0 {
			lang = "fr" // "particip", "portal" too
		}
		qs.add(f.ids.NewAt(at), lang, "Question", "<p>"+body+"</p>", at).Translations = tr
	}
	qs.store(t, s)
	// The condition a span reads with is the BRIN index's expression,
	// so the planner can AND the index's pages with the GIN index's
	// matches (written otherwise, it reads every match's page).
	_, err := db.Bun().ExecContext(ctx(t), "VACUUM ANALYZE search_docs")
	wantErr(t, "VACUUM ANALYZE", err, nil)
	plan, err := storage.IDTimeSpanPlan(ctx(t), s, strings.ToLower(qs.posts[n-30].ID[:10]))
	wantErr(t, "IDTimeSpanPlan", err, nil)
	if !strings.Contains(plan, "search_docs_time_brin") {
		t.Errorf("a span's condition does not use the BRIN index:\n%s", plan)
	}
	// A walk of the matches holding all three terms ("particip",
	// "participation", "portal") reads its spans testing that on each
	// match of the span, not through the GIN index.
	for _, tc := range []struct {
		q     search.PostQuery
		level int
	}{
		{search.PostQuery{Parsed: search.Parse("participation portal")}, 1},
		{search.PostQuery{Parsed: search.Parse("participation portal")}, 3},
		{search.PostQuery{Parsed: search.Parse("participation portal"), Language: "en"}, 3},
		{search.PostQuery{Parsed: search.Parse("participation"), Language: "en"}, 1},
	} {
		walk := func(limit, window int) ([]string, error) {
			if tc.level == 1 {
				return storage.WalkNewest(ctx(t), s, tc.q, limit, window)
			}
			return storage.WalkNewestHolding(ctx(t), s, tc.q, tc.level, limit, window)
		}
		for _, limit := range []int{3, 12, 15, 20, 30} {
			want, err := walk(limit, 0)
			wantErr(t, "walk, no window", err, nil)
			if len(want) == 0 {
				t.Fatalf("%q level %d: no match", tc.q.Parsed.Words, tc.level)
			}
			for _, window := range []int{8, 16, 40, 80, 160} {
				got, err := walk(limit, window)
				wantErr(t, "walk", err, nil)
				same(t, fmt.Sprintf("%q language %q level %d, limit %d, window %d", tc.q.Parsed.Words,
					tc.q.Language, tc.level, limit, window), got, want)
			}
		}
	}
}
