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
// (-answers/roundSize rounds of each, at least minRounds), so the
// machine's load (shared, it varies by the second) weighs on both alike. The CPU figures are the
// median of the rounds' CPU per pair of writes: a burst of the node's
// workers or of another process lands in a few rounds and is left out
// (the totals of an earlier version swung from +3 % to +33 % between runs
// of the same code).
//
// "Off" on SQLite runs no indexer: the node is started with its indexer
// off (storage.SearchIndexing.Off), and the rounds with the index on run
// one (db.RunSearchIndexer, as node.Run does) from before their writes
// until it has caught up with them, inside the round's CPU time; after a
// round with it off, a search brings the index up to date, outside it.
// The posts' own transactions write no document there
// (storage/search_follow.go): the difference is all the indexing costs,
// the analysis included. On PostgreSQL, where the document is written in
// the post's transaction, "off" makes the database ignore it (a DO
// INSTEAD NOTHING rule, so neither the row, its tsvector nor its GIN
// entries are written), and the analysis in Go (stemming the text,
// package search), which still runs then, is timed alone and added to
// the difference.
//
// On PostgreSQL the database's work is done by the server's backends, not
// this process: the CPU per pair then adds theirs (read from /proc, see
// pgcpu.go), without which the index's GIN and tsvector writes did not
// count at all.

const roundSize = 20

// minRounds is the fewest rounds of each kind a run measures, whatever
// -answers asks: with one round each (40 answers of each kind, what
// -answers 0 measured) two runs of the same code at load 10 gave an
// index share of 208 % and 497 %, with 15 each 42 % and 56 %.
const minRounds = 10

// settle is how long each round idles after its writes, before it waits
// for the search indexer to catch up (if it has not) and its CPU time is
// read: longer than the indexer's delay (storage.SearchIndexing).
const settle = 100 * time.Millisecond

// skipIndexPG turns PostgreSQL's index writes off, and on again.
var skipIndexPG = [2]string{`CREATE RULE bench_skip_index AS ON INSERT TO search_docs DO INSTEAD NOTHING`,
	`DROP RULE bench_skip_index ON search_docs`}

// switchIndex turns the index on or off before a round: on SQLite by
// starting the indexer (the returned function stops it, after the round),
// on PostgreSQL by the rule.
func switchIndex(ctx context.Context, n *serving.Node, backend string, on bool) (stop func(), err error) {
	if backend == "postgres" {
		if on {
			return func() {}, nil
		}
		if _, err := n.DB.Bun().ExecContext(ctx, skipIndexPG[0]); err != nil {
			return nil, fmt.Errorf("index off: %w", err)
		}
		return func() {}, nil
	}
	if !on {
		return func() {}, nil
	}
	ictx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { n.DB.RunSearchIndexer(ictx, storage.SearchIndexing{}); close(done) }()
	return func() { cancel(); <-done }, nil
}

// afterRound undoes a round's switch once its CPU time is read: on
// PostgreSQL the rule goes; on SQLite a search indexes what a round with
// the index off wrote, so no later round does it.
func afterRound(ctx context.Context, n *serving.Node, backend string, on bool) error {
	if on {
		return nil
	}
	if backend == "postgres" {
		if _, err := n.DB.Bun().ExecContext(ctx, skipIndexPG[1]); err != nil {
			return fmt.Errorf("index on: %w", err)
		}
		return nil
	}
	if _, err := n.DB.Store().FindPosts(ctx, search.PostQuery{Parsed: search.Parse("city"), Limit: 1}); err != nil {
		return fmt.Errorf("index what the round wrote: %w", err)
	}
	return nil
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
	per, rounds := roundSize, max(minRounds, count/roundSize)
	// run keeps the received answers' ids apart from those of an earlier
	// run on a kept corpus: a known id is a duplicate, refused before any
	// write, and would time nothing.
	w := &writer{n: n, s: s, c: c, t: t, root: root, remote: remote, run: time.Now().UnixNano(),
		analyzer: search.NewAnalyzer(search.DefaultCacheWords)}
	// A round before the measured ones, untimed: the first writes of a
	// run pay for cold caches (pages, prepared statements, the analyzer's
	// words), and the first measured round is one with the index on.
	stop, err := switchIndex(ctx, n, backend, true)
	if err != nil {
		return err
	}
	for i := range per {
		if err := w.pair(ctx, -1, i, true); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
	}
	if err := caughtUp(ctx, n.DB.Store()); err != nil {
		return err
	}
	stop()
	w.reply, w.receive, w.analysis = costs{}, costs{}, nil
	reply, receive := &w.reply, &w.receive
	var cpuOn, cpuOff, serverOn, serverOff time.Duration
	var roundOn, roundOff []time.Duration // CPU per pair, per round
	for round := range 2 * rounds {
		indexed := round%2 == 0
		stop, err := switchIndex(ctx, n, backend, indexed)
		if err != nil {
			return fmt.Errorf("round %d: %w", round, err)
		}
		var pg0 map[int]time.Duration
		if backend == "postgres" {
			var err error
			if pg0, err = pgBackendCPU(ctx, n.DB.Bun()); err != nil {
				return err
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
		if indexed {
			if err := caughtUp(ctx, n.DB.Store()); err != nil {
				return err
			}
		}
		stop()
		d := measure.CPUTime() - cpu0
		var server time.Duration
		if backend == "postgres" {
			var err error
			if server, err = pgCPUSince(ctx, n.DB.Bun(), pg0); err != nil {
				return err
			}
		}
		if indexed {
			cpuOn += d + server
			serverOn += server
			roundOn = append(roundOn, (d+server)/time.Duration(per))
		} else {
			cpuOff += d + server
			serverOff += server
			roundOff = append(roundOff, (d+server)/time.Duration(per))
		}
		if err := afterRound(ctx, n, backend, indexed); err != nil {
			return fmt.Errorf("round %d: %w", round, err)
		}
	}
	an := p50(w.analysis)
	fmt.Printf("%s: %d answers posted and %d received, half with the index off; analysis alone p50 %.3f ms\n",
		backend, len(reply.on)+len(reply.off), len(receive.on)+len(receive.off), ms(an))
	if backend == "sqlite" {
		an = 0 // not run with the index off: the difference holds it
	}
	for _, k := range []struct {
		name string
		c    costs
	}{{"reply", *reply}, {"receive", *receive}} {
		on, off := p50(k.c.on), p50(k.c.off)
		serving.Info("search", backend+"_"+k.name+"_p50_ms", ms(on), "ms")
		serving.Info("search", backend+"_"+k.name+"_unindexed_p50_ms", ms(off), "ms")
		serving.Report("search", backend+"_index_share_of_"+k.name+"_pct", 100*float64(on-off+an)/float64(off), 10, "%", false)
	}
	// CPU of the whole process (the node's workers included), and on
	// PostgreSQL of the server's backends, per pair of writes (one reply,
	// one received answer).
	pairs := time.Duration(len(reply.on))
	if backend == "postgres" {
		fmt.Printf("%s: CPU per pair counts this process and the server's backends; the server's alone: %.3f ms on, %.3f ms off\n",
			backend, ms(serverOn/pairs), ms(serverOff/pairs))
		serving.Info("search", backend+"_server_cpu_per_pair_ms", ms(serverOn/pairs), "ms")
		serving.Info("search", backend+"_server_cpu_per_pair_unindexed_ms", ms(serverOff/pairs), "ms")
	}
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
	// analyzer analyzes what the store analyzes, in the same order, so
	// its cache holds what the store's holds (less the corpus when it was
	// written by this run: then the figure is a little high).
	analyzer *search.Analyzer
}

func (w *writer) pair(ctx context.Context, round, i int, indexed bool) error {
	lang := langs[i%len(langs)]
	body := w.c.text(lang, 60)
	start := time.Now()
	if _, err := w.n.Service.Reply(ctx, w.s.Members[i%len(w.s.Members)], w.t.ID, "", forum.Answer{Body: body, Language: lang}); err != nil {
		return err
	}
	w.reply.add(indexed, time.Since(start))
	_ = w.analyzer.Terms(lang, body)
	// The received answer's analysis is timed before the store's, whose
	// would find every word in the cache.
	html := "<p>" + w.c.text(lang, 60) + "</p>"
	start = time.Now()
	_ = w.analyzer.Terms(lang, search.PlainText(html))
	w.analysis = append(w.analysis, time.Since(start))
	start = time.Now()
	if _, err := w.n.Service.ReceiveAnswer(ctx, w.t, w.root, forum.RemotePost{URI: fmt.Sprintf("https://peer.example/notes/%d-%d-%d", w.run, round, i),
		Author: w.remote, HTML: html, Language: lang, Published: time.Now()}); err != nil {
		return err
	}
	w.receive.add(indexed, time.Since(start))
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
