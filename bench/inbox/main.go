// Command inbox measures how many signed activities a node accepts per
// second (issue 5, benchmark 3).
//
// It runs a real agora node in this process (node.New, SQLite in a
// temporary directory, HTTP on 127.0.0.1:0, loopback peers allowed) with a
// forum and a question, and -hosts remote servers on 127.0.0.10, .11, …
// serving the actor documents of -actors remote actors (-keys RSA-2048 keys
// shared among them, generated at start). Before the clock starts it builds
// and signs (draft-cavage rsa-sha256 over (request-target) host date digest,
// as Mastodon does) one Create{Note} per request, each a new answer to the
// question from one of the actors. A warm-up sends one activity per actor,
// so the node has fetched every actor document before the measured phase.
// Then -conns keep-alive connections (default 16: a few remote servers
// with a few connections each, as Mastodon's delivery workers send) POST
// the -n signed activities to the shared inbox, each sending the next as
// soon as the last is answered (a closed loop, so the median latency is
// about conns divided by the rate); every answer must be 202 Accepted (verified, parsed, stored
// durably). It prints accepted/s with p50/p99 latency (target ≥ 3,000/s,
// p50 ≤ 5 ms on 2 cores with SQLite) and, as information, how long the
// node's inbox worker takes to apply the backlog afterwards (bounded by
// -drain).
//
// The node and the load generator share the machine's cores. -cpuprofile
// writes a CPU profile of the measured phase; the generator's samples carry
// the label role=loadgen (go tool pprof -tagignore role=loadgen).
//
//	go run ./bench/inbox [-n 30000] [-conns 16] [-actors 1000] [-hosts 10] [-drain 30s] [-cpuprofile cpu.out]
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

	"github.com/metropolis/agora/bench/internal/serving"
	"github.com/metropolis/agora/federation/signature"
)

const public = "https://www.w3.org/ns/activitystreams#Public"

func main() {
	total := flag.Int("n", 30_000, "signed activities sent in the measured phase")
	conns := flag.Int("conns", 16, "concurrent keep-alive connections (closed loop: p50 is about conns ÷ rate)")
	maxDur := flag.Duration("duration", 30*time.Second, "upper bound on the measured phase")
	actors := flag.Int("actors", 1000, "remote actors")
	hosts := flag.Int("hosts", 10, "remote hosts (127.0.0.10 and up) the actors live on")
	keys := flag.Int("keys", 16, "distinct RSA keys among the actors")
	drain := flag.Duration("drain", 30*time.Second, "how long to wait for the inbox worker to apply the backlog (0: don't)")
	verbose := flag.Bool("v", false, "log the node's warnings on stderr")
	drainProfile := flag.String("drainprofile", "", "write a CPU profile of the drain phase (the inbox worker) to this file")
	profile := serving.ProfileFlag()
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
	seed, err := serving.Seed(ctx, n.Service, 0)
	if err != nil {
		serving.Fatal("seed", err)
	}
	if err := n.Settle(ctx, time.Minute); err != nil {
		serving.Fatal("settle", err)
	}
	question := n.URLs.Thread(seed.Thread.ID)
	forumURI := n.URLs.Forum(seed.Forum.Slug)

	t0 := time.Now()
	ks, err := generateKeys(*keys)
	if err != nil {
		serving.Fatal("keys", err)
	}
	peers := make([]*peer, *hosts)
	for i := range peers {
		if peers[i], err = startPeer(fmt.Sprintf("127.0.0.%d:0", 10+i), ks); err != nil {
			serving.Fatal("remote host", err)
		}
	}
	fmt.Printf("%d keys and %d remote hosts ready in %v\n", *keys, *hosts, time.Since(t0).Round(time.Millisecond))

	// Sign everything before the clock starts: the warm-up (one activity
	// per actor) and the measured requests.
	t0 = time.Now()
	mk := func(i int) (*serving.Request, error) {
		a := i % *actors
		p := peers[a%len(peers)]
		return p.signed(n.Base+"/inbox", a, i, question, forumURI, ks[a%len(ks)])
	}
	warm, err := signAll(*actors, 0, mk)
	if err != nil {
		serving.Fatal("sign", err)
	}
	reqs, err := signAll(*total, *actors, mk)
	if err != nil {
		serving.Fatal("sign", err)
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
	w := serving.Run(ctx, serving.Load{Conns: *conns, Next: from(warm), Want: http.StatusAccepted})
	fmt.Printf("warm-up (first activity of each actor, fetches its document): %s\n", w)
	if w.Errors > 0 {
		serving.Fatal("warm-up", fmt.Errorf("%d errors, first: %s", w.Errors, w.FirstErr))
	}

	stop := profile()
	r := serving.Run(ctx, serving.Load{Conns: *conns, Duration: *maxDur, Next: from(reqs), Want: http.StatusAccepted})
	stop()
	fmt.Printf("signed Create{Note} to the shared inbox: %s\n", r)
	if r.Errors > 0 {
		fmt.Printf("  first error: %s\n", r.FirstErr)
	}
	serving.Report("inbox", "signed activities accepted/s", r.PerSecond(), 3000, "/s", true)
	serving.Report("inbox", "accept p50", msOf(r.Percentile(50)), 5, "ms", false)
	serving.Info("inbox", "accept p99", msOf(r.Percentile(99)), "ms")

	if *drain > 0 {
		stop := func() {}
		if *drainProfile != "" {
			stop = serving.StartProfile(*drainProfile)
		}
		t0 := time.Now()
		pending := 0
		for time.Since(t0) < *drain {
			if pending, _, err = n.DB.Store().CountInbox(ctx); err != nil {
				serving.Fatal("count inbox", err)
			}
			if pending == 0 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		stop()
		applied := len(warm) + r.Requests - pending
		fmt.Printf("inbox worker: %d pending %v after the run\n", pending, time.Since(t0).Round(time.Millisecond))
		serving.Info("inbox", "backlog applied/s after the run (worker)", float64(applied)/(r.Elapsed+time.Since(t0)).Seconds(), "/s")
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
	body, err := json.Marshal(act)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, inbox, strings.NewReader(string(body)))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/activity+json")
	var cap capture
	t := &signature.Transport{Base: &cap, KeyID: actor + "#main-key", Key: key}
	if _, err := t.RoundTrip(req); err != nil {
		return nil, err
	}
	h := cap.req.Header.Clone()
	return &serving.Request{Method: http.MethodPost, URL: inbox, Header: h, Body: body}, nil
}

// capture is a RoundTripper that keeps the (signed) request instead of
// sending it.
type capture struct{ req *http.Request }

func (c *capture) RoundTrip(r *http.Request) (*http.Response, error) {
	c.req = r
	return &http.Response{StatusCode: http.StatusAccepted, Body: http.NoBody, Request: r}, nil
}
