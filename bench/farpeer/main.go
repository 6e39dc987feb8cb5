// Command farpeer is benchmark 2 of bench/README.md. First, one far peer:
// a sink that answers each request after 250 ms; a member posts answers
// (and edits some of them) and the peer's sustained rate of activities is
// measured, checking that an edit never arrives before the answer it
// edits. Then black holes: a fan-out to healthy hosts, timed alone and
// again with 10% more hosts that accept connections and never answer.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"os"
	"sort"
	"time"

	"github.com/metropolis/agora/bench/internal/fedrig"
	"github.com/metropolis/agora/bench/internal/measure"
	"github.com/metropolis/agora/federation"
)

type config struct {
	answers, editEvery      int
	latency                 time.Duration
	minRate                 float64
	hosts, followers        int
	holeShare, maxRatio     float64
	runs                    int
	timeout                 time.Duration
	delivery                federation.DeliveryConfig
	logLevel                slog.Level
	cpuProfile              string
	skipFar, skipBlackholes bool
}

func main() {
	var cfg config
	flag.IntVar(&cfg.answers, "answers", 400, "answers posted to the far peer")
	flag.IntVar(&cfg.editEvery, "edit-every", 4, "edit every n-th answer right after posting it (0: none)")
	flag.DurationVar(&cfg.latency, "latency", 250*time.Millisecond, "how long the far peer takes to answer each request")
	flag.Float64Var(&cfg.minRate, "target-rate", 50, "target: activities/s sustained to the far peer")
	flag.IntVar(&cfg.hosts, "hosts", 500, "healthy hosts of the black-hole fan-out")
	flag.IntVar(&cfg.followers, "followers", 10000, "followers spread over the healthy hosts")
	flag.Float64Var(&cfg.holeShare, "black-holes", 0.10, "share of all hosts that are black holes")
	flag.Float64Var(&cfg.maxRatio, "target-ratio", 1.2, "target: healthy hosts' time with black holes / without")
	flag.IntVar(&cfg.runs, "runs", 3, "fan-outs timed without black holes, then with; the medians are compared")
	flag.DurationVar(&cfg.timeout, "timeout", 90*time.Second, "give up on a run after")
	flag.IntVar(&cfg.delivery.Workers, "workers", 0, "delivery workers (0: the node's default)")
	flag.IntVar(&cfg.delivery.PerHost, "per-host", 0, "sends in flight per host (0: the node's default)")
	flag.DurationVar(&cfg.delivery.SlowAfter, "slow-after", 0, "a send unanswered this long gives its worker back (0: the node's default)")
	flag.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write CPU profiles of the measured parts to <this>.far and <this>.blackholes")
	flag.BoolVar(&cfg.skipFar, "skip-far", false, "skip the far peer")
	flag.BoolVar(&cfg.skipBlackholes, "skip-blackholes", false, "skip the black holes")
	verbose := flag.Bool("v", false, "log the node at info level")
	flag.Parse()
	cfg.logLevel = slog.LevelError
	if *verbose {
		cfg.logLevel = slog.LevelInfo
	}
	if !cfg.skipFar {
		if err := farPeer(cfg); err != nil {
			fmt.Fprintln(os.Stderr, "farpeer:", err)
			os.Exit(1)
		}
	}
	if !cfg.skipBlackholes {
		if err := blackHoles(cfg); err != nil {
			fmt.Fprintln(os.Stderr, "farpeer:", err)
			os.Exit(1)
		}
	}
}

func profile(cfg config, name string) (func(), error) {
	if cfg.cpuProfile == "" {
		return func() {}, nil
	}
	return measure.StartCPUProfile(cfg.cpuProfile + "." + name)
}

// farPeer posts answers, editing every editEvery-th right away, all
// announced by the forum to one peer that takes latency per request.
func farPeer(cfg config) error {
	fmt.Printf("far peer: %d answers (every %d-th edited) to one peer answering after %v\n", cfg.answers, cfg.editEvery, cfg.latency)
	ctx := context.Background()
	n, err := fedrig.StartNode(ctx, cfg.delivery, cfg.logLevel)
	if err != nil {
		return err
	}
	defer n.Close()
	sinks := fedrig.NewSinks(cfg.latency, true)
	defer sinks.Close()
	if _, err := fedrig.Fleet(ctx, n, sinks, n.ForumURI(), 3, 1, 1, true, "Application"); err != nil {
		return err
	}
	if err := fedrig.PrefetchKey(ctx, n, sinks, n.ForumURI()); err != nil {
		return err
	}
	sinks.Reset()
	stop, err := profile(cfg, "far")
	if err != nil {
		return err
	}
	want := 0
	start := time.Now()
	var posted time.Duration
	for i := range cfg.answers {
		p, err := n.Answer(ctx, fmt.Sprintf("Answer %d: public wifi in libraries.", i))
		if err != nil {
			return err
		}
		want++
		if cfg.editEvery > 0 && i%cfg.editEvery == 0 {
			if err := n.Edit(ctx, p.ID, fmt.Sprintf("Answer %d, edited: public wifi in libraries and parks.", i)); err != nil {
				return err
			}
			want++
		}
	}
	posted = time.Since(start)
	wctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	last, werr := sinks.WaitPosts(wctx, want, false)
	cancel()
	stop()
	arrivals, rejected, _ := sinks.Snapshot()
	took := last.Sub(start).Seconds()
	rate := float64(len(arrivals)) / math.Max(took, 1e-9)
	// Order: per object, Create before any Update.
	created := map[string]bool{}
	misordered := 0
	for _, a := range arrivals {
		switch a.Inner {
		case "Create":
			created[a.Object] = true
		case "Update":
			if !created[a.Object] {
				misordered++
			}
		}
	}
	measure.Detail("posted %d activities in %.2f s; %d arrived (verified), %d rejected, in %.2f s", want, posted.Seconds(), len(arrivals), rejected, took)
	measure.Detail("an edit before its answer: %d times", misordered)
	if werr != nil {
		measure.Result("farpeer", "activities_per_second", fmt.Sprintf("%.1f (timeout: %v)", rate, werr), fmt.Sprintf(">= %g", cfg.minRate), false)
	} else {
		measure.Result("farpeer", "activities_per_second", fmt.Sprintf("%.1f", rate), fmt.Sprintf(">= %g", cfg.minRate), rate >= cfg.minRate)
	}
	measure.Result("farpeer", "edits_before_their_answer", fmt.Sprint(misordered), "0", misordered == 0 && werr == nil)
	return nil
}

// blackHoles times a fan-out to healthy hosts (after a first one that
// opens the connections), then the same with black holes added.
func blackHoles(cfg config) error {
	holes := int(math.Ceil(float64(cfg.hosts) * cfg.holeShare / (1 - cfg.holeShare)))
	fmt.Printf("black holes: %d followers on %d healthy hosts, then %d black-holed hosts added (%.0f%% of all)\n",
		cfg.followers, cfg.hosts, holes, 100*float64(holes)/float64(cfg.hosts+holes))
	ctx := context.Background()
	n, err := fedrig.StartNode(ctx, cfg.delivery, cfg.logLevel)
	if err != nil {
		return err
	}
	defer n.Close()
	sinks := fedrig.NewSinks(0, false)
	defer sinks.Close() // first: black holes let go, so sends in flight end
	healthy, holeIPs, err := interleaved(cfg.hosts, holes)
	if err != nil {
		return err
	}
	if _, err := fedrig.FleetAt(ctx, n, sinks, n.ForumURI(), healthy, cfg.followers, true, "Application"); err != nil {
		return err
	}
	if err := fedrig.PrefetchKey(ctx, n, sinks, n.ForumURI()); err != nil {
		return err
	}
	fanout := func(what string) (float64, error) {
		sinks.Reset()
		start := time.Now()
		if _, err := n.Answer(ctx, "Answer: "+what); err != nil {
			return 0, err
		}
		wctx, cancel := context.WithTimeout(ctx, cfg.timeout)
		defer cancel()
		last, err := sinks.WaitPosts(wctx, cfg.hosts, true)
		took := last.Sub(start).Seconds()
		measure.Detail("%s: every healthy inbox had it after %.3f s", what, took)
		return took, err
	}
	if _, err := fanout("warm-up"); err != nil {
		return err
	}
	stop, err := profile(cfg, "blackholes")
	if err != nil {
		return err
	}
	defer stop()
	median := func(what string) (float64, error) {
		var ts []float64
		for i := range max(cfg.runs, 1) {
			t, err := fanout(fmt.Sprintf("%s %d", what, i+1))
			if err != nil {
				return 0, err
			}
			ts = append(ts, t)
		}
		sort.Float64s(ts)
		return ts[len(ts)/2], nil
	}
	base, err := median("baseline")
	if err != nil {
		return err
	}
	bases := make([]string, holes)
	for i := range bases {
		if bases[i], err = sinks.ListenBlackhole(holeIPs[i]); err != nil {
			return err
		}
	}
	if err := fedrig.SeedOn(ctx, n, n.ForumURI(), bases, cfg.followers/cfg.hosts*holes, true, "Application"); err != nil {
		return err
	}
	with, werr := median(fmt.Sprintf("with %d black holes", holes))
	ratio := with / base
	if werr != nil {
		measure.Result("farpeer", "blackholes_healthy_time_ratio", fmt.Sprintf("timeout (%v)", werr), fmt.Sprintf("<= %g", cfg.maxRatio), false)
	} else {
		measure.Result("farpeer", "blackholes_healthy_time_ratio", fmt.Sprintf("%.2f (%.3f s / %.3f s)", ratio, with, base),
			fmt.Sprintf("<= %g", cfg.maxRatio), ratio <= cfg.maxRatio)
	}
	return nil
}

// interleaved gives healthy hosts and black holes addresses that sort
// among each other: deliveries are queued in inbox order, and black holes
// all after the healthy hosts would flatter the result. Healthy hosts are
// 127.4.r.1–200, black holes 127.4.r.201–250, spread over the same rows r.
func interleaved(healthy, holes int) (ok, bad []string, err error) {
	rows := (healthy + 199) / 200
	if holes > 50*rows {
		return nil, nil, fmt.Errorf("%d black holes do not fit beside %d hosts", holes, healthy)
	}
	for i := range healthy {
		ok = append(ok, fmt.Sprintf("127.4.%d.%d", i/200, i%200+1))
	}
	for j := range holes {
		bad = append(bad, fmt.Sprintf("127.4.%d.%d", j%rows, 201+j/rows))
	}
	return ok, bad, nil
}
