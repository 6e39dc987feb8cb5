package storage_test

import (
	"fmt"
	"testing"

	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/storetest"
)

// TestFindPostsNewestWalk: on SQLite, a query matching many documents is
// answered newest first by walking the documents (search_newest_fts5.go)
// and one matching few by joining its matches; both give the same pages
// (limits, cursors) and the walk keeps the filters and the visibility
// rules (deleted, blocked, deleted thread) of every corpus query.
func TestFindPostsNewestWalk(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		if b.Name != "sqlite" {
			continue // the walk is SQLite's; PostgreSQL plans its own
		}
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t).Store()
			c := newCorpus(t, s)
			names := c.nameList
			for _, tc := range searchCases(c) {
				q := tc.q
				q.Sort = search.Newest
				for _, limit := range []int{1, 2, 50} {
					q.Limit, q.Before = limit, ""
					joined, err := storage.FindNewestFTS5(ctx(t), s, q, 1<<30)
					wantErr(t, "join", err, nil)
					walked, err := storage.FindNewestFTS5(ctx(t), s, q, 0)
					wantErr(t, "walk", err, nil)
					same(t, fmt.Sprintf("%s, limit %d", tc.name, limit), names(walked), names(joined))
					if limit == 50 {
						same(t, tc.name+": found", sorted(names(walked)), sorted(tc.want))
					}
					if len(joined) > 0 {
						q.Before = joined[0]
						joined, err = storage.FindNewestFTS5(ctx(t), s, q, 1<<30)
						wantErr(t, "join after", err, nil)
						walked, err = storage.FindNewestFTS5(ctx(t), s, q, 0)
						wantErr(t, "walk after", err, nil)
						same(t, fmt.Sprintf("%s, limit %d, after the first", tc.name, limit), names(walked), names(joined))
					}
				}
			}
		})
	}
}

// TestFindPostsNewestWalkPG: on PostgreSQL, newest first by walking the
// matches in search_docs (the newest documents first, then the GIN
// index) and reading only the walked posts gives the pages of joining
// every match (limits, cursors), with the filters and the visibility
// rules of every corpus query, for windows that hold the page and too
// small ones.
func TestFindPostsNewestWalkPG(t *testing.T) {
	db := postgresDB(t)
	if db == nil {
		return
	}
	s := db.Store()
	c := newCorpus(t, s)
	names := c.nameList
	for _, tc := range searchCases(c) {
		q := tc.q
		q.Sort = search.Newest
		for _, limit := range []int{1, 2, 50} {
			q.Limit, q.Before = limit, ""
			joined, err := storage.FindNewestPG(ctx(t), s, q, 0)
			wantErr(t, "join", err, nil)
			if limit == 50 {
				same(t, tc.name+": found", sorted(names(joined)), sorted(tc.want))
			}
			for _, window := range []int{1, 3, 1 << 20} {
				q.Before = ""
				walked, err := storage.FindNewestPG(ctx(t), s, q, window)
				wantErr(t, "walk", err, nil)
				same(t, fmt.Sprintf("%s, limit %d, window %d", tc.name, limit, window), names(walked), names(joined))
				if len(joined) > 0 {
					q.Before = joined[0]
					after, err := storage.FindNewestPG(ctx(t), s, q, 0)
					wantErr(t, "join after", err, nil)
					walked, err = storage.FindNewestPG(ctx(t), s, q, window)
					wantErr(t, "walk after", err, nil)
					same(t, fmt.Sprintf("%s, limit %d, window %d, after the first", tc.name, limit, window),
						names(walked), names(after))
				}
			}
		}
	}
}

// TestWalkNewestParts checks that a walk through a window read in parts
// (its first eighth, the rest from where it ended, then the older
// matches from where the window ended) returns the newest matches once
// each and in order, whatever the window and the cursor: a part that
// started at the wrong document would skip a match or repeat one.
func TestWalkNewestParts(t *testing.T) {
	db := postgresDB(t)
	if db == nil {
		return
	}
	s := db.Store()
	c := newCorpus(t, s)
	for _, tc := range searchCases(c) {
		q := tc.q
		for _, limit := range []int{1, 2, 3, 5, 50} {
			q.Before = ""
			want, err := storage.WalkNewest(ctx(t), s, q, limit, 0)
			wantErr(t, "walk, no window", err, nil)
			befores := []string{""}
			if len(want) > 1 {
				befores = append(befores, want[0], want[1])
			}
			for _, before := range befores {
				q.Before = before
				want, err := storage.WalkNewest(ctx(t), s, q, limit, 0)
				wantErr(t, "walk, no window", err, nil)
				for _, window := range []int{1, 2, 4, 8, 12, 16, 20, 24, 32, 40, 48, 64, 80, 1 << 20} {
					got, err := storage.WalkNewest(ctx(t), s, q, limit, window)
					wantErr(t, "walk", err, nil)
					same(t, fmt.Sprintf("%s, limit %d, window %d, before %q", tc.name, limit, window, before), got, want)
				}
			}
		}
	}
}
