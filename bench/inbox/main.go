// Command inbox measures how fast a node takes in signed activities and
// applies them (issue 5, benchmark 3; issue 11): accepted/s at the shared
// inbox, and replies accepted *and visible on the thread* per second, end
// to end.
//
// It runs a real agora node in this process (node.New, HTTP on
// 127.0.0.1:0, loopback peers allowed; SQLite in a temporary directory, or
// a throwaway PostgreSQL database with -db or AGORA_BENCH_DATABASE_URL) with
// a forum and a question. The forum has -followers server followers (type
// Application) on -follower-hosts loopback sinks with shared inboxes, so
// every received reply costs its Announce to them, as on a forum people
// follow. -hosts remote servers on 127.0.0.10, .11, … serve the actor
// documents of -actors remote actors (-keys RSA-2048 keys shared among
// them, generated at start). Before the clock starts it builds and signs
// (draft-cavage rsa-sha256 over (request-target) host date digest, as
// Mastodon does) one Create{Note} per request, each a new answer to the
// question from one of the actors.
//
// A warm-up sends one activity per actor (so the node fetches every actor
// document) and waits until each is applied, visible, and its Announce
// delivered: none of that is counted. Then -conns keep-alive connections
// POST the -n signed activities in a closed loop (the burst; every answer
// must be 202 Accepted: verified, parsed, stored durably), and the
// benchmark waits (at most -drain) until every accepted reply is a post of
// the thread in the store. It prints:
//   - accepted/s with p50/p99 (target ≥ 3,000/s, p50 ≤ 5 ms on 2 cores);
//   - end to end: replies accepted and visible per second, from the first
//     send to the last reply seen on the thread (target ≥ 1,000/s);
//   - the rate replies became visible during the burst, against the
//     accepted rate (target ≥ 80%);
//   - items that failed (not counted as applied; target 0);
//   - as information, replies visible and announced per second: until
//     every event is published and every Announce delivered to the
//     followers' inboxes (also bounded by -drain);
//   - SQL statements and transactions (BEGINs) per reply: every statement
//     the node ran from the burst's start until then — accepting,
//     applying, publishing and delivering — divided by the replies, with
//     the most frequent kinds.
//
// The node, the sinks and the load generator share the machine's cores.
// -cpuprofile writes a CPU profile of the burst (the generator's samples
// carry the label role=loadgen: go tool pprof -tagignore role=loadgen);
// -applyprofile one of the drain after it, when the node only applies,
// publishes and delivers.
//
//	go run ./bench/inbox [-n 20000] [-actors 1000] [-followers 300] [-db postgres://…] [-applyprofile apply.out]
package main

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/bench/internal/fedrig"
	"github.com/metropolis/agora/bench/internal/measure"
	"github.com/metropolis/agora/bench/internal/serving"
	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/forum"
)

const public = "https://www.w3.org/ns/activitystreams#Public"

type config struct {
	total, conns, actors, hosts, keys int
	followers, followerHosts          int
	maxDur, drain                     time.Duration
	verbose                           bool
	applyProfile, dbURL, sqliteQuery  string
	backlog                           int
	backlogProfile                    string
	sqlKinds                          int
	profile                           func() func()
}

func main() {
	var c config
	flag.IntVar(&c.total, "n", 20_000, "signed activities (replies) sent in the measured burst")
	flag.IntVar(&c.conns, "conns", 16, "concurrent keep-alive connections (closed loop: p50 is about conns ÷ rate)")
	flag.DurationVar(&c.maxDur, "duration", time.Minute, "upper bound on the burst")
	flag.IntVar(&c.actors, "actors", 1000, "remote actors")
	flag.IntVar(&c.hosts, "hosts", 10, "remote hosts (127.0.0.10 and up) the actors live on")
	flag.IntVar(&c.keys, "keys", 16, "distinct RSA keys among the actors")
	flag.IntVar(&c.followers, "followers", 300, "server followers of the forum (each received reply is announced to them)")
	flag.IntVar(&c.followerHosts, "follower-hosts", 3, "loopback hosts the followers live on, one shared inbox each (one Announce POST per host and reply)")
	flag.DurationVar(&c.drain, "drain", 2*time.Minute, "how long to wait after the burst for every accepted reply to be visible")
	flag.BoolVar(&c.verbose, "v", false, "log the node's warnings on stderr")
	flag.StringVar(&c.applyProfile, "applyprofile", "", "write a CPU profile of the drain after the burst (applying, publishing, delivering) to this file")
	flag.StringVar(&c.dbURL, "db", os.Getenv(serving.EnvDatabaseURL), "PostgreSQL server (admin URL) to run on, in a throwaway database; empty: SQLite (default: $"+serving.EnvDatabaseURL+")")
	flag.StringVar(&c.sqliteQuery, "sqlite-query", "", "parameters added to the SQLite database URL, to compare settings (e.g. _pragma=mmap_size(268435456))")
	flag.IntVar(&c.backlog, "backlog", 2000, "replies stored straight into the inbox after the burst, then applied alone: the apply rate and its CPU per item without accepting alongside (0: skip)")
	flag.IntVar(&c.sqlKinds, "sql-kinds", 25, "statement kinds (operation and table) printed, the most frequent first")
	flag.StringVar(&c.backlogProfile, "backlogprofile", "", "write a CPU profile of applying the backlog to this file (the inbox workers' samples carry the label role=apply)")
	c.profile = serving.ProfileFlag()
	flag.Parse()
	if err := run(context.Background(), c); err != nil {
		serving.Fatal("inbox", err)
	}
}

func run(ctx context.Context, c config) error {
	var log *slog.Logger
	if c.verbose {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	dbURL, backend := "", "sqlite"
	if c.dbURL != "" {
		u, drop, err := serving.TempPostgres(ctx, c.dbURL)
		if err != nil {
			return err
		}
		defer drop()
		dbURL, backend = u, "postgres"
	}
	// Figures on PostgreSQL are named apart from SQLite's (the targets are
	// SQLite's).
	metric := func(m string) string {
		if backend == "sqlite" {
			return m
		}
		return m + " [" + backend + "]"
	}
	sql := serving.NewSQLCounter()
	n, err := serving.StartNode(ctx, serving.NodeOptions{Addr: "127.0.0.1:0", Logger: log, DatabaseURL: dbURL,
		SQLiteQuery: c.sqliteQuery, QueryHooks: []bun.QueryHook{sql}})
	if err != nil {
		return fmt.Errorf("start node: %w", err)
	}
	defer n.Close()
	fmt.Printf("node on %s (%s)\n", n.Base, backend)
	seed, err := serving.Seed(ctx, n.Service, 0)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if err := n.Settle(ctx, time.Minute); err != nil {
		return fmt.Errorf("settle: %w", err)
	}
	question := n.URLs.Thread(seed.Thread.ID)
	forumURI := n.URLs.Forum(seed.Forum.Slug)

	sinks := fedrig.NewSinks(0, false)
	defer sinks.Close()
	if c.followers > 0 {
		bases := make([]string, max(1, c.followerHosts))
		for i := range bases {
			if bases[i], err = sinks.Listen(fedrig.HostIP(40, i)); err != nil {
				return err
			}
		}
		if err := fedrig.SeedFollowersIn(ctx, n.DB.Store(), forumURI,
			fedrig.Followers(bases, c.followers, true, "Application")); err != nil {
			return fmt.Errorf("seed followers: %w", err)
		}
		if err := sinks.Prefetch(ctx, n.URLs.KeyID(forumURI)); err != nil {
			return err
		}
		fmt.Printf("%d server followers of the forum on %d hosts (shared inboxes)\n", c.followers, len(bases))
	}

	t0 := time.Now()
	ks, err := generateKeys(c.keys)
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	peers := make([]*peer, c.hosts)
	for i := range peers {
		if peers[i], err = startPeer(fmt.Sprintf("127.0.0.%d:0", 10+i), ks); err != nil {
			return fmt.Errorf("remote host: %w", err)
		}
	}
	fmt.Printf("%d keys and %d remote hosts ready in %v\n", c.keys, c.hosts, time.Since(t0).Round(time.Millisecond))

	// Sign everything before the clock starts: the warm-up (one activity
	// per actor) and the measured requests.
	t0 = time.Now()
	mk := func(i int) (*serving.Request, error) {
		a := i % c.actors
		p := peers[a%len(peers)]
		return p.signed(n.Base+"/inbox", a, i, question, forumURI, ks[a%len(ks)])
	}
	warm, err := signAll(c.actors, 0, mk)
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	reqs, err := signAll(c.total, c.actors, mk)
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	fmt.Printf("signed %d activities in %v\n", len(warm)+len(reqs), time.Since(t0).Round(time.Millisecond))

	from := func(list []*serving.Request) func(int) (*serving.Request, bool) {
		return func(i int) (*serving.Request, bool) {
			if i >= len(list) {
				return nil, false
			}
			return list[i], true
		}
	}
	obs := &observer{n: n, thread: seed.Thread.ID}
	w := serving.Run(ctx, serving.Load{Conns: c.conns, Next: from(warm), Want: http.StatusAccepted})
	fmt.Printf("warm-up (first activity of each actor, fetches its document): %s\n", w)
	if w.Errors > 0 {
		return fmt.Errorf("warm-up: %d errors, first: %s", w.Errors, w.FirstErr)
	}
	t0 = time.Now()
	if err := obs.quiet(ctx, w.Requests, c.drain); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	before, err := obs.state(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("warm-up applied, visible and announced in %v: %d replies on the thread, %d failed items\n",
		time.Since(t0).Round(time.Millisecond), before.visible, before.failed)
	sinks.Reset()

	// The burst.
	sql.Start()
	cpu0 := measure.CPUTime()
	stop := c.profile()
	r := serving.Run(ctx, serving.Load{Conns: c.conns, Duration: c.maxDur, Next: from(reqs), Want: http.StatusAccepted})
	stop()
	atBurstEnd, err := obs.state(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("signed Create{Note} to the shared inbox: %s\n", r)
	if r.Errors > 0 {
		fmt.Printf("  first error: %s\n", r.FirstErr)
	}
	serving.Report("inbox", metric("signed activities accepted/s"), r.PerSecond(), 3000, "/s", true)
	serving.Report("inbox", metric("accept p50"), msOf(r.Percentile(50)), 5, "ms", false)
	serving.Info("inbox", metric("accept p99"), msOf(r.Percentile(99)), "ms")

	// The drain: until every accepted reply is on the thread, or nothing
	// is left to apply, or the time is up.
	stop = func() {}
	if c.applyProfile != "" {
		stop = serving.StartProfile(c.applyProfile)
	}
	burstStart := time.Now().Add(-r.Elapsed) // when Run started, near enough
	last, lastAt := atBurstEnd, time.Now()
	deadline := time.Now().Add(c.drain)
	for last.visible-before.visible < r.Requests && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		st, err := obs.state(ctx)
		if err != nil {
			return err
		}
		if st.visible != last.visible {
			lastAt = time.Now()
		}
		if st.pending == 0 && st.visible == last.visible {
			last = st
			break // nothing left to apply: the rest failed
		}
		last = st
	}
	stop()
	visible := last.visible - before.visible
	failed := last.failed - before.failed
	elapsed := lastAt.Sub(burstStart)
	duringBurst := float64(atBurstEnd.visible-before.visible) / r.Elapsed.Seconds()
	fmt.Printf("drain: %d of %d accepted replies visible %v after the burst began (%d still pending, %d failed)\n",
		visible, r.Requests, elapsed.Round(time.Millisecond), last.pending, failed)
	if t, err := n.DB.Store().ThreadByID(serving.Quiet(ctx), seed.Thread.ID); err != nil {
		return fmt.Errorf("read the thread: %w", err)
	} else if t.ReplyCount != last.visible {
		fmt.Printf("  WARNING: the thread counts %d replies, the store holds %d posts in it\n", t.ReplyCount, last.visible)
	}
	ds, err := n.DB.Store().DeliveryStats(serving.Quiet(ctx))
	if err != nil {
		return fmt.Errorf("delivery stats: %w", err)
	}
	unpublished, err := n.DB.Bun().NewSelect().Table("events").Where("published_at IS NULL").Count(serving.Quiet(ctx))
	if err != nil {
		return fmt.Errorf("count events: %w", err)
	}
	arrived, rejected, _ := sinks.Snapshot()
	fmt.Printf("  fan-out when the last reply was visible: %d events not yet published; %d Announce POSTs verified at the followers' inboxes "+
		"(%d expected in the end, %d rejected); deliveries %d pending, %d done, %d failed\n",
		unpublished, len(arrived), visible*min(c.followers, max(1, c.followerHosts)), rejected, ds.Pending, ds.Done, ds.Failed)

	// Then until the forum has announced every visible reply to its
	// followers (every event published, every delivery done): the
	// fan-out is part of the work a received reply costs.
	expected := visible * min(c.followers, max(1, c.followerHosts))
	announced := false
	for time.Now().Before(deadline) {
		st, err := obs.state(ctx)
		if err != nil {
			return err
		}
		if got, _, _ := sinks.Snapshot(); !st.unpublished && st.deliveries == 0 && len(got) >= expected {
			announced = true
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	announcedIn := time.Since(burstStart)
	sql.Stop()
	cpu := measure.CPUTime() - cpu0
	if announced {
		fmt.Printf("  every visible reply announced to the followers %v after the burst began\n", announcedIn.Round(time.Millisecond))
	} else {
		st, err := obs.state(ctx)
		if err != nil {
			return err
		}
		got, _, _ := sinks.Snapshot()
		unpublished, err := n.DB.Bun().NewSelect().Table("events").Where("published_at IS NULL").Count(serving.Quiet(ctx))
		if err != nil {
			return fmt.Errorf("count events: %w", err)
		}
		fmt.Printf("  not every visible reply was announced within -drain %v: %d events not yet published, %d deliveries pending, "+
			"%d of %d Announce POSTs arrived\n", c.drain, unpublished, st.deliveries, len(got), expected)
	}
	fmt.Printf("  CPU of the whole process (node, sinks, generator) from the burst until then: %v, %.2f ms per reply\n",
		cpu.Round(time.Millisecond), float64(cpu.Microseconds())/1000/float64(max(1, visible)))
	counts := sql.Counts()
	counts.Print(visible, c.sqlKinds)

	complete := visible >= r.Requests
	e2e := float64(visible) / elapsed.Seconds()
	if !complete {
		fmt.Printf("  not every accepted reply was visible within -drain %v: the end-to-end rate counts only those seen\n", c.drain)
	}
	serving.Report("inbox", metric("replies accepted and visible on the thread/s (end to end)"), e2e, 1000, "/s", true)
	if announced {
		serving.Info("inbox", metric("replies visible and announced to the followers/s (end to end)"), float64(visible)/announcedIn.Seconds(), "/s")
	} else {
		measure.Result("inbox", metric("replies visible and announced to the followers/s (end to end)"),
			fmt.Sprintf("not all within %v", c.drain), "-", true)
	}
	serving.Info("inbox", metric("replies visible/s during the burst"), duringBurst, "/s")
	serving.Report("inbox", metric("visible during the burst ÷ accepted rate"), 100*duringBurst/r.PerSecond(), 80, "%", true)
	serving.Report("inbox", metric("items failed"), float64(failed), 0, "", false)
	if visible > 0 {
		serving.Info("inbox", metric("SQL statements per reply"), float64(counts.Statements)/float64(visible), "")
		serving.Info("inbox", metric("SQL transactions per reply"), float64(counts.Transactions)/float64(visible), "")
	}
	if c.backlog > 0 {
		return applyBacklog(ctx, c, n, obs, sql, peers, question, forumURI, metric)
	}
	return nil
}

// observer reads what the node did, with statements the SQL counter
// ignores.
type observer struct {
	n      *serving.Node
	thread forum.ID
}

type nodeState struct {
	visible         int // replies in the thread, in the store
	pending, failed int // inbox items
	unpublished     bool
	deliveries      int // pending deliveries
}

func (o *observer) state(ctx context.Context) (nodeState, error) {
	ctx = serving.Quiet(ctx)
	var st nodeState
	n, err := o.n.DB.Bun().NewSelect().Table("posts").Where("thread_id = ?", o.thread).
		Where("id <> ?", o.thread).Where("deleted_at IS NULL").Count(ctx)
	if err != nil {
		return st, fmt.Errorf("count the thread's posts: %w", err)
	}
	st.visible = int(n)
	if st.pending, st.failed, err = o.n.DB.Store().CountInbox(ctx); err != nil {
		return st, fmt.Errorf("count inbox: %w", err)
	}
	ev, err := o.n.DB.Store().UnpublishedEvents(ctx, 1)
	if err != nil {
		return st, fmt.Errorf("unpublished events: %w", err)
	}
	st.unpublished = len(ev) > 0
	ds, err := o.n.DB.Store().DeliveryStats(ctx)
	if err != nil {
		return st, fmt.Errorf("delivery stats: %w", err)
	}
	st.deliveries = ds.Pending
	return st, nil
}

// quiet waits until want replies are visible, nothing is left to apply or
// publish, and every delivery is done: the warm-up's work must not run in
// the measured phase.
func (o *observer) quiet(ctx context.Context, want int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		st, err := o.state(ctx)
		if err != nil {
			return err
		}
		if st.failed > 0 {
			return fmt.Errorf("%d items failed", st.failed)
		}
		if st.visible >= want && st.pending == 0 && !st.unpublished && st.deliveries == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not quiet after %v: %+v", limit, st)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func generateKeys(n int) ([]*rsa.PrivateKey, error) {
	out := make([]*rsa.PrivateKey, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range out {
		wg.Go(func() {
			k, err := signature.GenerateRSA()
			if err != nil {
				errs <- err
				return
			}
			out[i] = k
		})
	}
	wg.Wait()
	close(errs)
	return out, <-errs
}

// signAll signs count requests numbered from first, on every core.
func signAll(count, first int, mk func(int) (*serving.Request, error)) ([]*serving.Request, error) {
	out := make([]*serving.Request, count)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < count; i += workers {
				r, err := mk(first + i)
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				out[i] = r
			}
		})
	}
	wg.Wait()
	return out, firstErr
}

// peer is a remote server serving actor documents: /users/a<i>, whose key
// is keys[i % len(keys)].
type peer struct {
	base string
	keys []*rsa.PrivateKey
	pems []string
}

func startPeer(addr string, keys []*rsa.PrivateKey) (*peer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	p := &peer{base: "http://" + ln.Addr().String(), keys: keys}
	for _, k := range keys {
		pem, err := signature.EncodePublicPEM(&k.PublicKey)
		if err != nil {
			return nil, err
		}
		p.pems = append(p.pems, pem)
	}
	srv := &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return p, nil
}

func (p *peer) actor(i int) string { return fmt.Sprintf("%s/users/a%d", p.base, i) }

func (p *peer) serve(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, "/users/a")
	var i int
	if _, err := fmt.Sscanf(name, "%d", &i); !ok || err != nil || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	id := p.actor(i)
	doc, _ := json.Marshal(map[string]any{
		"@context":          []any{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
		"id":                id,
		"type":              "Person",
		"preferredUsername": fmt.Sprintf("a%d", i),
		"name":              fmt.Sprintf("Remote actor %d", i),
		"inbox":             id + "/inbox",
		"outbox":            id + "/outbox",
		"followers":         id + "/followers",
		"endpoints":         map[string]any{"sharedInbox": p.base + "/inbox"},
		"publicKey":         map[string]any{"id": id + "#main-key", "owner": id, "publicKeyPem": p.pems[i%len(p.pems)]},
	})
	w.Header().Set("Content-Type", "application/activity+json")
	_, _ = w.Write(doc)
}

// signed is the i-th activity: a Create{Note} by actor a answering the
// question, signed with key as the actor's sending server would.
func (p *peer) signed(inbox string, a, i int, question, forumURI string, key *rsa.PrivateKey) (*serving.Request, error) {
	body, err := p.create(a, i, question, forumURI)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, inbox, strings.NewReader(string(body)))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/activity+json")
	var cap capture
	t := &signature.Transport{Base: &cap, KeyID: p.actor(a) + "#main-key", Key: key}
	if _, err := t.RoundTrip(req); err != nil {
		return nil, err
	}
	h := cap.req.Header.Clone()
	return &serving.Request{Method: http.MethodPost, URL: inbox, Header: h, Body: body}, nil
}

// create is the i-th activity's body: a Create{Note} by actor a answering
// the question.
func (p *peer) create(a, i int, question, forumURI string) ([]byte, error) {
	actor := p.actor(a)
	note := map[string]any{
		"id": fmt.Sprintf("%s/notes/%d", p.base, i), "type": "Note", "attributedTo": actor, "inReplyTo": question,
		"content":   fmt.Sprintf("<p>Answer %d from a remote actor: we publish our budget data every month, with a named contact for each dataset.</p>", i),
		"published": time.Now().UTC().Format(time.RFC3339),
		"to":        []any{public}, "cc": []any{forumURI, actor + "/followers"}, "audience": forumURI,
	}
	act := map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       fmt.Sprintf("%s/activities/%d", p.base, i), "type": "Create", "actor": actor,
		"to": []any{public}, "cc": []any{forumURI}, "object": note,
	}
	return json.Marshal(act)
}

// capture is a RoundTripper that keeps the (signed) request instead of
// sending it.
type capture struct{ req *http.Request }

func (c *capture) RoundTrip(r *http.Request) (*http.Response, error) {
	c.req = r
	return &http.Response{StatusCode: http.StatusAccepted, Body: http.NoBody, Request: r}, nil
}
