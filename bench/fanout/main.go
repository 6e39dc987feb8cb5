// Command fanout is benchmark 1 (and 5, memory during fan-out) of
// bench/README.md: one new answer in a forum followed by many remote
// actors, delivered by a real node to loopback sinks that verify every
// signature. It measures the time until every inbox has the answer, the
// POSTs sent against the distinct inboxes, the CPU per delivery and the
// resident memory, first with shared inboxes (10,000 followers on 500
// hosts), then without (10,000 followers on 10,000 hosts).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/metropolis/agora/bench/internal/fedrig"
	"github.com/metropolis/agora/bench/internal/measure"
	"github.com/metropolis/agora/bench/internal/serving"
	"github.com/metropolis/agora/federation"
)

type config struct {
	followers, sharedHosts, distinctHosts int
	maxShared, maxDistinct, maxRSS        float64
	timeout                               time.Duration
	delivery                              federation.DeliveryConfig
	logLevel                              slog.Level
	cpuProfile                            string
	sqlKinds                              int
}

func main() {
	var cfg config
	flag.IntVar(&cfg.followers, "followers", 10000, "followers of the forum")
	flag.IntVar(&cfg.sharedHosts, "hosts", 500, "hosts with a shared inbox they are spread over (0 skips)")
	flag.IntVar(&cfg.distinctHosts, "distinct-hosts", 10000, "hosts, one follower each, no shared inbox (0 skips)")
	flag.Float64Var(&cfg.maxShared, "target-shared", 1, "target: seconds until every shared inbox has the answer")
	flag.Float64Var(&cfg.maxDistinct, "target-distinct", 7, "target: seconds until every distinct inbox has the answer")
	flag.Float64Var(&cfg.maxRSS, "target-rss", 250, "target: peak resident MB during fan-out")
	flag.DurationVar(&cfg.timeout, "timeout", 90*time.Second, "give up on a phase after")
	flag.IntVar(&cfg.delivery.Workers, "workers", 0, "delivery workers (0: the node's default)")
	flag.IntVar(&cfg.delivery.PerHost, "per-host", 0, "sends in flight per host (0: the node's default)")
	flag.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write CPU profiles of the measured parts to <this>.shared and <this>.distinct")
	flag.IntVar(&cfg.sqlKinds, "sql-kinds", 8, "statement kinds (operation and table) printed, the most frequent first")
	verbose := flag.Bool("v", false, "log the node at info level")
	flag.Parse()
	cfg.logLevel = slog.LevelError
	if *verbose {
		cfg.logLevel = slog.LevelInfo
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "fanout:", err)
		os.Exit(1)
	}
}

func run(cfg config) error {
	if cfg.sharedHosts > 0 {
		fmt.Printf("fan-out: %d followers on %d hosts with shared inboxes\n", cfg.followers, cfg.sharedHosts)
		if err := phase(cfg, "shared", cfg.sharedHosts, true, cfg.maxShared); err != nil {
			return err
		}
	}
	if cfg.distinctHosts > 0 {
		fmt.Printf("fan-out: %d followers on %d hosts, no shared inbox\n", cfg.distinctHosts, cfg.distinctHosts)
		if err := phase(cfg, "distinct", cfg.distinctHosts, false, cfg.maxDistinct); err != nil {
			return err
		}
	}
	return nil
}

// phase runs one fan-out on a fresh node: seed, one answer, wait until
// every inbox has it, then a short grace to catch duplicate POSTs.
func phase(cfg config, name string, hosts int, shared bool, target float64) error {
	ctx := context.Background()
	sqlc := serving.NewSQLCounter() // counts from the answer on
	n, err := fedrig.StartNode(ctx, cfg.delivery, cfg.logLevel, sqlc)
	if err != nil {
		return err
	}
	defer n.Close()
	sinks := fedrig.NewSinks(0, false)
	defer sinks.Close()
	followers := cfg.followers
	if !shared {
		followers = hosts
	}
	block := 1
	if !shared {
		block = 2
	}
	if _, err := fedrig.Fleet(ctx, n, sinks, n.ForumURI(), block, hosts, followers, shared, "Application"); err != nil {
		return err
	}
	if err := fedrig.PrefetchKey(ctx, n, sinks, n.ForumURI()); err != nil {
		return err
	}
	want := hosts // one POST per shared inbox, or per follower's inbox
	if !shared {
		want = followers
	}
	// Without shared inboxes every POST is signed on its own: the rate to
	// compare with is what this machine can sign, measured now, in this run.
	limit, signCPU := 0.0, time.Duration(0)
	if !shared {
		if limit, signCPU, err = signingLimit(ctx, announceSizedBody, 3*time.Second); err != nil {
			return err
		}
	}
	sinks.Reset()
	if err := measure.ResetPeak(); err != nil {
		measure.Detail("cannot reset VmHWM (%v); the peak below covers the whole run", err)
	}
	profile := ""
	if cfg.cpuProfile != "" {
		profile = cfg.cpuProfile + "." + name
	}
	// Profiled in memory (and to the file if asked): the sinks' samples
	// carry role=sink, the rest is the node's CPU.
	prof, err := measure.StartProfile(profile)
	if err != nil {
		return err
	}
	sampler := measure.SampleRSS(20 * time.Millisecond)
	sqlc.Start()
	cpu0 := measure.CPUSeconds()
	start := time.Now()
	if _, err := n.Answer(ctx, "We opened wifi points in every library; usage tripled in a year."); err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	last, werr := sinks.WaitPosts(wctx, want, true)
	cancel()
	took := last.Sub(start).Seconds()
	cpu := measure.CPUSeconds() - cpu0
	sqlc.Stop()
	peak := sampler.Stop()
	split, err := prof.Stop()
	if err != nil {
		return err
	}
	_, hwm := measure.Memory()
	time.Sleep(500 * time.Millisecond) // anything sent twice shows up now
	arrivals, rejected, verify := sinks.Snapshot()
	distinct := sinks.Distinct()
	st, err := n.Stats(ctx)
	if err != nil {
		return err
	}
	measure.Detail("POSTs received %d (verified), rejected %d, distinct inboxes %d of %d expected", len(arrivals), rejected, distinct, want)
	measure.Detail("queue after: pending %d done %d failed %d", st.Pending, st.Done, st.Failed)
	counts := sqlc.Counts()
	counts.Print(max(len(arrivals), 1), cfg.sqlKinds)
	if len(arrivals) > 0 {
		first := arrivals[0].At.Sub(start).Seconds()
		measure.Detail("first POST arrived after %.3f s (publishing and queueing), the last after %.3f s (%.0f deliveries/s in between)",
			first, took, float64(distinct-1)/max(took-first, 1e-9))
	}
	measure.Detail("CPU %.2f s for %d deliveries: %.2f ms each (whole process: node + sinks; sinks verified for %.2f s wall in total)",
		cpu, len(arrivals), 1000*cpu/float64(max(len(arrivals), 1)), verify.Seconds())
	nodeCPU := split.Without("role", "sink")
	perDelivery := nodeCPU / time.Duration(max(len(arrivals), 1))
	measure.Detail("from the profile: node %.2f s (%.3f ms per delivery), sinks %.2f s (%.3f ms per POST received)",
		nodeCPU.Seconds(), ms(perDelivery), split.Labelled["role=sink"].Seconds(),
		ms(split.Labelled["role=sink"]/time.Duration(max(len(arrivals), 1))))
	measure.Detail("resident memory: VmHWM %.0f MB, sampled peak %.0f MB", hwm, peak)
	if werr != nil {
		measure.Result("fanout", name+"_seconds", fmt.Sprintf("timeout (%v)", werr), fmt.Sprintf("<= %g", target), false)
	} else {
		measure.Result("fanout", name+"_seconds", fmt.Sprintf("%.3f", took), fmt.Sprintf("<= %g", target), took <= target)
	}
	if limit > 0 && werr == nil {
		rate := float64(distinct) / took
		measure.Detail("%.0f deliveries/s against a signing limit of %.0f/s", rate, limit)
		measure.Result("fanout", name+"_vs_signing_limit", fmt.Sprintf("%.2f", rate/limit), ">= 0.85", rate/limit >= 0.85)
	}
	if signCPU > 0 && perDelivery > 0 {
		// The same ratio in CPU, the node's alone (the sinks stand for
		// other machines): what the rate would be with the sinks elsewhere
		// and nothing else running. Both sides are profile samples.
		measure.Detail("node CPU per delivery %.3f ms against %.3f ms per signature in the signing limit", ms(perDelivery), ms(signCPU))
		measure.Result("fanout", name+"_node_cpu_signing_share", fmt.Sprintf("%.2f", float64(signCPU)/float64(perDelivery)), "info", true)
	}
	measure.Result("fanout", name+"_posts_vs_inboxes", fmt.Sprintf("%d/%d", len(arrivals), want), "equal", len(arrivals) == want && rejected == 0)
	measure.Result("fanout", name+"_sql_statements_per_delivery",
		fmt.Sprintf("%.2f (%.3f transactions)", float64(counts.Statements)/float64(max(len(arrivals), 1)),
			float64(counts.Transactions)/float64(max(len(arrivals), 1))), "info", true)
	measure.Result("fanout", name+"_cpu_ms_per_delivery", fmt.Sprintf("%.2f", 1000*cpu/float64(max(len(arrivals), 1))), "info", true)
	mem := max(hwm, peak)
	measure.Result("memory", "fanout_"+name+"_rss_peak_mb", fmt.Sprintf("%.0f", mem), fmt.Sprintf("<= %g", cfg.maxRSS), mem <= cfg.maxRSS)
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
