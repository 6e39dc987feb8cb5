// Command pages measures how fast a node serves its pages (issue 5,
// benchmark 4).
//
// It runs a real agora node in this process (node.New, SQLite in a
// temporary directory, HTTP on 127.0.0.1:0), seeds it through the forum
// service with a thread of 200 answers (the page shows the first 50, the
// node's page size), and a second forum with 100,000 threads written
// through the store in batches. Then, for each endpoint in turn, -conns
// keep-alive connections (one goroutine each) send GETs for -duration after
// a -warmup, and it prints requests/s with p50/p99 latency:
//
//   - the thread page as HTML for a visitor (target ≥ 3,000 req/s, p99 ≤
//     50 ms): visitors' pages come from the page cache until the store
//     changes;
//   - the same page for a signed-in member, rendered on every request;
//   - the thread as ActivityPub JSON (its question, a Page);
//   - one answer as ActivityPub JSON, cycling over the 200 (target ≥ 15,000
//     req/s; documents are cached until the store changes);
//   - the forum list's first page and a page deep into the 100,000 threads
//     (by cursor), for a member so each is read from the database: cursor
//     pagination stays flat when the deep page costs at most 1.25× the
//     first page's CPU per request (first/deep ≥ 0.8; rates are printed
//     too, but move with whatever else the machine runs).
//
// The node and the load generator share the machine's cores, as they would
// with any client on the same host. -cpuprofile writes a CPU profile of the
// measured phases; the generator's samples carry the label role=loadgen
// (go tool pprof -tagignore role=loadgen shows the node alone).
//
//	go run ./bench/pages [-conns 64] [-duration 10s] [-threads 100000] [-cpuprofile cpu.out]
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/metropolis/agora/bench/internal/measure"
	"github.com/metropolis/agora/bench/internal/serving"
	"github.com/metropolis/agora/forum"
)

func main() {
	conns := flag.Int("conns", 64, "concurrent keep-alive connections")
	duration := flag.Duration("duration", 10*time.Second, "measured time per endpoint")
	warmup := flag.Duration("warmup", time.Second, "unmeasured time per endpoint before measuring")
	answers := flag.Int("answers", 200, "answers in the thread")
	threads := flag.Int("threads", 100_000, "threads in the big forum")
	deep := flag.Int("deep", 90_000, "position of the deep forum page (threads skipped)")
	writeRate := flag.Float64("write-rate", 20, "answers per second written, in the write phases, to another thread or to the measured one")
	only := flag.String("only", "", "measure only the endpoints whose name contains this (e.g. \"post\"); prints no RESULT lines")
	verbose := flag.Bool("v", false, "log the node's warnings on stderr")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of each measured endpoint to <this>.<endpoint> (the load generator's samples carry the label role=loadgen)")
	flag.Parse()
	ctx := context.Background()

	var log *slog.Logger
	if *verbose {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	n, err := serving.StartNode(ctx, serving.NodeOptions{Addr: "127.0.0.1:0", Logger: log})
	if err != nil {
		serving.Fatal("start node", err)
	}
	defer n.Close()

	t0 := time.Now()
	seed, err := serving.Seed(ctx, n.Service, *answers)
	if err != nil {
		serving.Fatal("seed thread", err)
	}
	big, err := serving.SeedThreads(ctx, n.DB.Store(), n.Service, "big", seed.Members[0], *threads)
	if err != nil {
		serving.Fatal("seed forum", err)
	}
	other, err := n.Service.Ask(ctx, seed.Members[1], seed.Thread.ForumID, forum.Question{Title: "Who owns city data?",
		Body: "Contracts, licences, procurement.", Language: "en"})
	if err != nil {
		serving.Fatal("seed other thread", err)
	}
	cursor, err := cursorAt(ctx, n.Service, big.ID, *deep)
	if err != nil {
		serving.Fatal("deep cursor", err)
	}
	if err := n.Settle(ctx, time.Minute); err != nil {
		serving.Fatal("settle", err)
	}
	fmt.Printf("seeded %d answers and %d threads in %v; node at %s\n", *answers, *threads, time.Since(t0).Round(time.Millisecond), n.Base)

	html := http.Header{"Accept": {"text/html,application/xhtml+xml"}, "Accept-Language": {"en"}}
	member := http.Header{"Accept": {"text/html,application/xhtml+xml"}, "Accept-Language": {"en"},
		"Cookie": {"agora_session=" + seed.Session}}
	apj := http.Header{"Accept": {"application/activity+json"}}
	thread := n.Base + "/t/" + seed.Thread.ID
	answerURLs := make([]string, len(seed.Answers))
	for i, p := range seed.Answers {
		answerURLs[i] = n.Base + "/p/" + p.ID
	}
	type endpoint struct {
		metric  string
		urls    []string
		header  http.Header
		writeTo *forum.Thread // answers are written to it during the run
	}
	endpoints := []endpoint{
		{"thread HTML (visitor)", []string{thread}, html, nil},
		{"thread HTML (visitor, answers to another thread)", []string{thread}, html, other},
		{"thread HTML (visitor, answers to this thread)", []string{thread}, html, seed.Thread},
		{"thread HTML (member)", []string{thread}, member, nil},
		{"thread AP JSON", []string{thread}, apj, nil},
		{"post AP JSON", answerURLs, apj, nil},
		{"forum list first page (member)", []string{n.Base + "/f/big"}, member, nil},
		{"forum list deep page (member)", []string{n.Base + "/f/big?after=" + cursor}, member, nil},
	}
	results := map[string]*serving.Result{}
	nodeCPU := map[string]time.Duration{} // per request, the node's samples alone
	for _, e := range endpoints {
		if *only != "" && !strings.Contains(e.metric, *only) {
			continue
		}
		load := serving.Load{Conns: *conns, Next: func(i int) (*serving.Request, bool) {
			return &serving.Request{Method: http.MethodGet, URL: e.urls[i%len(e.urls)], Header: e.header}, true
		}}
		load.Duration = *warmup
		if w := serving.Run(ctx, load); w.Errors > 0 {
			serving.Fatal(e.metric, fmt.Errorf("warm-up: %d errors, first: %s", w.Errors, w.FirstErr))
		}
		// Every phase is profiled (in memory, and to a file if asked): the
		// samples without the generator's label are the node's CPU.
		path := ""
		if *cpuProfile != "" {
			path = *cpuProfile + "." + slug(e.metric)
		}
		prof, err := measure.StartProfile(path)
		if err != nil {
			serving.Fatal("cpu profile", err)
		}
		load.Duration = *duration
		v0 := n.DB.Changes().Version()
		stopWriting, written := func() {}, func() int { return 0 }
		if e.writeTo != nil {
			stopWriting, written = writeAnswers(ctx, n.Service, seed.Members[2], e.writeTo, *writeRate)
		}
		r := serving.Run(ctx, load)
		stopWriting()
		split, err := prof.Stop()
		if err != nil {
			serving.Fatal("cpu profile", err)
		}
		if r.Requests > 0 {
			nodeCPU[e.metric] = (split.Without("role", "loadgen") / time.Duration(r.Requests)).Round(time.Microsecond)
		}
		if e.writeTo != nil {
			fmt.Printf("  answers written during the run: %d (%.1f/s)\n", written(), float64(written())/load.Duration.Seconds())
		}
		if *verbose {
			fmt.Printf("  store writes during the run: %d\n", n.DB.Changes().Version()-v0)
		}
		fmt.Printf("%-22s %s; node alone %v/request (profile)\n", e.metric+":", r, nodeCPU[e.metric])
		if r.Errors > 0 {
			fmt.Printf("  first error: %s\n", r.FirstErr)
		}
		results[e.metric] = r
	}
	if *only != "" {
		return
	}

	th := results["thread HTML (visitor)"]
	serving.Report("pages", "thread HTML (200 answers, visitor) req/s", th.PerSecond(), 3000, "req/s", true)
	serving.Report("pages", "thread HTML (visitor) p99", msOf(th.Percentile(99)), 50, "ms", false)
	for _, w := range []struct {
		metric string
		target float64
	}{{"answers to another thread", 0.9}, {"answers to this thread", 0.5}} {
		r := results["thread HTML (visitor, "+w.metric+")"]
		serving.Info("pages", fmt.Sprintf("thread HTML (visitor, %g %s/s) req/s", *writeRate, w.metric), r.PerSecond(), "req/s")
		serving.Info("pages", fmt.Sprintf("thread HTML (visitor, %g %s/s) p99", *writeRate, w.metric), msOf(r.Percentile(99)), "ms")
		serving.Report("pages", fmt.Sprintf("thread HTML (visitor) rate with %g %s/s ÷ without", *writeRate, w.metric),
			r.PerSecond()/th.PerSecond(), w.target, "×", true)
	}
	tm := results["thread HTML (member)"]
	serving.Info("pages", "thread HTML (member, 50 answers shown, rendered each time) req/s", tm.PerSecond(), "req/s")
	serving.Info("pages", "thread HTML (member) p99", msOf(tm.Percentile(99)), "ms")
	serving.Info("pages", "thread HTML (member) CPU per request, node and generator", msOf(tm.CPUPerRequest()), "ms")
	serving.Report("pages", "thread HTML (member, 50 answers) CPU per request, node alone", msOf(nodeCPU["thread HTML (member)"]), 1, "ms", false)
	ta := results["thread AP JSON"]
	serving.Info("pages", "thread AP JSON req/s", ta.PerSecond(), "req/s")
	serving.Info("pages", "thread AP JSON p99", msOf(ta.Percentile(99)), "ms")
	pa := results["post AP JSON"]
	serving.Report("pages", "post AP JSON req/s", pa.PerSecond(), 15000, "req/s", true)
	serving.Info("pages", "post AP JSON p99", msOf(pa.Percentile(99)), "ms")
	first, deepR := results["forum list first page (member)"], results["forum list deep page (member)"]
	serving.Info("pages", "forum list first page (member) req/s", first.PerSecond(), "req/s")
	serving.Info("pages", "forum list first page (member) p99", msOf(first.Percentile(99)), "ms")
	serving.Info("pages", fmt.Sprintf("forum list page after %d threads (member) req/s", *deep), deepR.PerSecond(), "req/s")
	serving.Info("pages", fmt.Sprintf("forum list page after %d threads (member) p99", *deep), msOf(deepR.Percentile(99)), "ms")
	// CPU per request compares the two pages better than their rates on
	// a machine where other work comes and goes.
	ratio := 0.0
	if deepR.CPUPerRequest() > 0 {
		ratio = float64(first.CPUPerRequest()) / float64(deepR.CPUPerRequest())
	}
	serving.Report("pages", "first/deep forum page CPU per request (cursor stays flat)", ratio, 0.8, "×", true)
}

// writeAnswers answers thread t at rate answers per second, through the
// forum service as the web handler does, until stop is called; written
// says how many were stored.
func writeAnswers(ctx context.Context, svc *forum.Service, author *forum.Member, t *forum.Thread, rate float64) (stop func(), written func() int) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	var n atomic.Int64
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if _, err := svc.Reply(ctx, author, t.ID, "", forum.Answer{Body: "Procurement rules first.", Language: "en"}); err != nil {
				if ctx.Err() == nil {
					serving.Fatal("write answer", err)
				}
				return
			}
			n.Add(1)
		}
	}()
	return func() { cancel(); <-done }, func() int { return int(n.Load()) }
}

// slug names an endpoint's profile file: its metric in lower case, words
// joined by dashes.
func slug(metric string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(metric), func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
	}), "-")
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// cursorAt walks a forum's thread list page by page, as a reader following
// "next" links would, to the page that starts after skip threads.
func cursorAt(ctx context.Context, svc *forum.Service, forumID forum.ID, skip int) (string, error) {
	cursor := ""
	for seen := 0; seen < skip; {
		list, err := svc.ListThreads(ctx, forumID, cursor)
		if err != nil {
			return "", err
		}
		if list.Threads.Next == "" {
			return "", fmt.Errorf("the forum ends after %d threads", seen+len(list.Threads.Items))
		}
		seen += len(list.Threads.Items)
		cursor = list.Threads.Next
	}
	return cursor, nil
}
