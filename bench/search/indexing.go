package main

import (
	"context"
	"fmt"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/metropolis/agora/bench/internal/measure"
	"github.com/metropolis/agora/bench/internal/serving"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/storage"
)

// What indexing adds to posting an answer (forum.Service.Reply) and to
// applying a received one (forum.Service.ReceiveAnswer, what the inbox
// worker calls), measured side by side in the same run: rounds of
// roundSize answers of each kind alternate with the index on and off
// (-answers/roundSize rounds of each), so the machine's load (shared, it
// varies by the second) weighs on both alike. The CPU figures are the
// median of the rounds' CPU per pair of writes: a burst of the node's
// workers or of another process lands in a few rounds and is left out
// (the totals of an earlier version swung from +3 % to +33 % between runs
// of the same code).
//
// "Off" makes the database ignore the index's writes (SQLite: a BEFORE
// INSERT trigger on search_docs that RAISE(IGNORE)s, so the FTS5 trigger
// never runs; PostgreSQL: a DO INSTEAD NOTHING rule, so neither the row,
// its tsvector nor its GIN entries are written). The analysis in Go
// (stemming the text, package search) still runs when off: it is timed
// alone and added to the difference.

const roundSize = 20

// settle is how long each round idles after its writes, before it waits
// for the search indexer to catch up (if it has not) and its CPU time is
// read: longer than the indexer's delay (storage.SearchIndexing).
const settle = 100 * time.Millisecond

// skipIndex is the statement that turns the index's writes off, and the
// one that turns them on again, per backend.
var skipIndex = map[string][2]string{
	"sqlite": {`CREATE TRIGGER bench_skip_index BEFORE INSERT ON search_docs BEGIN SELECT RAISE(IGNORE); END`,
		`DROP TRIGGER bench_skip_index`},
	"postgres": {`CREATE RULE bench_skip_index AS ON INSERT TO search_docs DO INSTEAD NOTHING`,
		`DROP RULE bench_skip_index ON search_docs`},
}

// costs are one kind of write's timings with the index on and off.
type costs struct{ on, off []time.Duration }

func (c *costs) add(indexed bool, d time.Duration) {
	if indexed {
		c.on = append(c.on, d)
	} else {
		c.off = append(c.off, d)
	}
}

func indexing(ctx context.Context, n *serving.Node, s *serving.Seeded, c *corpus, count int, backend string) error {
	t, err := n.Service.Ask(ctx, s.Members[0], s.Forum.ID, forum.Question{Title: "Indexing cost", Body: "Answers follow.", Language: "en"})
	if err != nil {
		return err
	}
	remote, err := n.Service.SaveRemoteMember(ctx, forum.RemoteProfile{URI: "https://peer.example/users/rui",
		Username: "rui", Domain: "peer.example", Languages: []string{"pt"}})
	if err != nil {
		return err
	}
	root, err := n.DB.Store().PostByID(ctx, t.RootPostID)
	if err != nil {
		return err
	}
	per, rounds := roundSize, max(1, count/roundSize)
	// run keeps the received answers' ids apart from those of an earlier
	// run on a kept corpus: a known id is a duplicate, refused before any
	// write, and would time nothing.
	w := &writer{n: n, s: s, c: c, t: t, root: root, remote: remote, run: time.Now().UnixNano()}
	reply, receive := &w.reply, &w.receive
	var cpuOn, cpuOff time.Duration
	var roundOn, roundOff []time.Duration // CPU per pair, per round
	for round := range 2 * rounds {
		indexed := round%2 == 0
		if !indexed {
			if _, err := n.DB.Bun().ExecContext(ctx, skipIndex[backend][0]); err != nil {
				return fmt.Errorf("index off: %w", err)
			}
		}
		cpu0 := measure.CPUTime()
		// The label splits a profile of this phase (-index-cpuprofile):
		// pprof -tagfocus index=on, or index=off.
		var werr error
		pprof.Do(ctx, pprof.Labels("index", map[bool]string{true: "on", false: "off"}[indexed]), func(ctx context.Context) {
			for i := range per {
				if werr = w.pair(ctx, round, i, indexed); werr != nil {
					return
				}
			}
		})
		if werr != nil {
			return werr
		}
		// Every round idles as long, so the node's background work
		// (publishing the round's posts; the search indexer) lands in
		// the round that caused it, whether the index was on or off:
		// waiting for the indexer in the rounds with it on only gave
		// them the publishing of the round before as well.
		time.Sleep(settle)
		if err := caughtUp(ctx, n.DB.Store()); err != nil {
			return err
		}
		if indexed {
			d := measure.CPUTime() - cpu0
			cpuOn += d
			roundOn = append(roundOn, d/time.Duration(per))
		} else {
			d := measure.CPUTime() - cpu0
			cpuOff += d
			roundOff = append(roundOff, d/time.Duration(per))
			if _, err := n.DB.Bun().ExecContext(ctx, skipIndex[backend][1]); err != nil {
				return fmt.Errorf("index on: %w", err)
			}
		}
	}
	an := p50(w.analysis)
	fmt.Printf("%s: %d answers posted and %d received, half with the index off; analysis alone p50 %.3f ms\n",
		backend, len(reply.on)+len(reply.off), len(receive.on)+len(receive.off), ms(an))
	for _, k := range []struct {
		name string
		c    costs
	}{{"reply", *reply}, {"receive", *receive}} {
		on, off := p50(k.c.on), p50(k.c.off)
		serving.Info("search", backend+"_"+k.name+"_p50_ms", ms(on), "ms")
		serving.Info("search", backend+"_"+k.name+"_unindexed_p50_ms", ms(off), "ms")
		serving.Report("search", backend+"_index_share_of_"+k.name+"_pct", 100*float64(on-off+an)/float64(off), 10, "%", false)
	}
	// CPU of the whole process (the node's workers included) per pair of
	// writes (one reply, one received answer).
	pairs := time.Duration(len(reply.on))
	serving.Info("search", backend+"_cpu_per_pair_ms", ms(cpuOn/pairs), "ms")
	serving.Info("search", backend+"_cpu_per_pair_unindexed_ms", ms(cpuOff/pairs), "ms")
	serving.Info("search", backend+"_index_cpu_share_total_pct", 100*float64(cpuOn-cpuOff+2*an*pairs)/float64(cpuOff), "%")
	mOn, mOff := p50(roundOn), p50(roundOff)
	serving.Info("search", backend+"_cpu_per_pair_median_ms", ms(mOn), "ms")
	serving.Info("search", backend+"_cpu_per_pair_unindexed_median_ms", ms(mOff), "ms")
	serving.Report("search", backend+"_index_cpu_share_pct", 100*float64(mOn-mOff+2*an)/float64(mOff), 10, "%", false)
	return nil
}

// writer posts one answer and applies one received answer at a time,
// timing each.
type writer struct {
	n              *serving.Node
	s              *serving.Seeded
	c              *corpus
	t              *forum.Thread
	root           *forum.Post
	remote         *forum.Member
	reply, receive costs
	analysis       []time.Duration
	run            int64
}

func (w *writer) pair(ctx context.Context, round, i int, indexed bool) error {
	lang := langs[i%len(langs)]
	body := w.c.text(lang, 60)
	start := time.Now()
	if _, err := w.n.Service.Reply(ctx, w.s.Members[i%len(w.s.Members)], w.t.ID, "", forum.Answer{Body: body, Language: lang}); err != nil {
		return err
	}
	w.reply.add(indexed, time.Since(start))
	html := "<p>" + w.c.text(lang, 60) + "</p>"
	start = time.Now()
	if _, err := w.n.Service.ReceiveAnswer(ctx, w.t, w.root, forum.RemotePost{URI: fmt.Sprintf("https://peer.example/notes/%d-%d-%d", w.run, round, i),
		Author: w.remote, HTML: html, Language: lang, Published: time.Now()}); err != nil {
		return err
	}
	w.receive.add(indexed, time.Since(start))
	start = time.Now()
	_ = search.Terms(lang, search.PlainText(html))
	w.analysis = append(w.analysis, time.Since(start))
	return nil
}

// caughtUp waits until the node's search indexer has indexed what the
// round wrote (SQLite indexes in batches after the commits,
// storage/search_fts_pending.go): the round's CPU time then holds that
// work too, not the next round's.
func caughtUp(ctx context.Context, s *storage.Store) error {
	for {
		n, err := s.SearchPending(ctx)
		if err != nil {
			return fmt.Errorf("search index backlog: %w", err)
		}
		if n == 0 {
			return nil
		}
		time.Sleep(time.Millisecond)
	}
}

func p50(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
