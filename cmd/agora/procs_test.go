package main

// A harness for tests that run the node as several real `agora serve`
// processes: the test binary runs itself as the child (TestMain), so the
// children are built exactly like the test (with -race in CI).

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
)

// childEnv marks a test binary started as an agora process.
const childEnv = "AGORA_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// services returns a fresh empty PostgreSQL database and the Redis URL for
// a multi-process test: it skips when either variable is unset, and fails
// (through storetest) when PostgreSQL is set but down.
func services(t *testing.T, needRedis bool) (dbURL, redisURL string) {
	t.Helper()
	redisURL = os.Getenv("AGORA_TEST_REDIS_URL")
	if needRedis && redisURL == "" {
		t.Skip("AGORA_TEST_REDIS_URL not set")
	}
	dbURL = storetest.EmptyPostgres(t)
	if dbURL == "" {
		t.Skip(storetest.EnvDatabaseURL + " not set")
	}
	return dbURL, redisURL
}

// proc is one running `agora serve` child process.
type proc struct {
	t              *testing.T
	name           string
	cmd            *exec.Cmd
	addr           string // host:port it listens on
	stdout, stderr *syncBuffer
	exited         chan struct{}
	alive          atomic.Bool
}

// startProc runs `agora serve` with env (over a clean environment) and
// waits until it listens.
func startProc(t *testing.T, name string, env map[string]string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--listen", "127.0.0.1:0")
	cmd.Env = []string{childEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"GORACE=" + os.Getenv("GORACE"), "AGORA_DATA=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &proc{t: t, name: name, cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p.alive.Store(true)
	go func() { _ = cmd.Wait(); p.alive.Store(false); close(p.exited) }()
	t.Cleanup(p.stop)
	deadline := time.After(90 * time.Second)
	for {
		if m := listeningLine.FindStringSubmatch(p.stdout.String()); m != nil {
			p.addr = m[1]
			return p
		}
		select {
		case <-p.exited:
			t.Fatalf("%s exited before listening (%v)\nstderr:\n%s", name, cmd.ProcessState, p.stderr)
		case <-deadline:
			t.Fatalf("%s did not listen within 90 s\nstderr:\n%s", name, p.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (p *proc) url(path string) string { return "http://" + p.addr + path }

// kill ends the process with SIGKILL: no shutdown, leases left behind.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// stop ends the process with SIGTERM (graceful shutdown) and checks it
// stopped cleanly, without a data race report.
func (p *proc) stop() {
	select {
	case <-p.exited:
	default:
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
			if code := p.cmd.ProcessState.ExitCode(); code != 0 {
				p.t.Errorf("%s exited with %d after SIGTERM\nstderr:\n%s", p.name, code, tail(p.stderr.String(), 4000))
			}
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.exited
			p.t.Errorf("%s did not stop within 30 s of SIGTERM", p.name)
		}
	}
	if strings.Contains(p.stderr.String(), "WARNING: DATA RACE") {
		p.t.Errorf("%s reported a data race:\n%s", p.name, tail(p.stderr.String(), 8000))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// balancer is the node's public address in front of its processes, as a
// reverse proxy would be: it forwards each request to the next live
// process, keeping the Host header (signatures cover it).
type balancer struct {
	ln    net.Listener
	mu    sync.Mutex
	procs []*proc
	next  int
}

func newBalancer(t *testing.T) *balancer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &balancer{ln: ln}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			target, _ := url.Parse("http://" + b.pick())
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
		},
		FlushInterval: -1,
		ErrorLog:      nil,
	}
	srv := &http.Server{Handler: proxy}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return b
}

func (b *balancer) base() string { return "http://" + b.ln.Addr().String() }

func (b *balancer) add(ps ...*proc) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.procs = append(b.procs, ps...)
}

func (b *balancer) pick() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	for range b.procs {
		p := b.procs[b.next%len(b.procs)]
		b.next++
		if p.alive.Load() {
			return p.addr
		}
	}
	return "127.0.0.1:1" // none alive: the proxy answers 502
}

// client is a browser-like HTTP client with cookies that does not follow
// redirects.
type client struct {
	t *testing.T
	c *http.Client
}

func newClient(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, c: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) get(u string) (int, string) {
	c.t.Helper()
	resp, err := c.c.Get(u)
	if err != nil {
		c.t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// csrf is the CSRF cookie for the host of u, fetched with a page first.
func (c *client) csrf(u string) string {
	c.t.Helper()
	pu, _ := url.Parse(u)
	find := func() string {
		for _, k := range c.c.Jar.Cookies(pu) {
			if k.Name == "agora_csrf" {
				return k.Value
			}
		}
		return ""
	}
	if v := find(); v != "" {
		return v
	}
	c.get(pu.Scheme + "://" + pu.Host + "/login")
	if v := find(); v != "" {
		return v
	}
	c.t.Fatalf("no CSRF cookie from %s", pu.Host)
	return ""
}

// post submits a form with the CSRF token and returns the status and the
// Retry-After header.
func (c *client) post(u string, form url.Values) (int, string) {
	c.t.Helper()
	form.Set("csrf", c.csrf(u))
	resp, err := c.c.PostForm(u, form)
	if err != nil {
		c.t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// signIn signs in on the process at base (each process shares the
// database, so the session works on every process of the node).
func (c *client) signIn(base, username, password string) {
	c.t.Helper()
	status, _ := c.post(base+"/login", url.Values{"username": {username}, "password": {password}, "next": {"/"}})
	if status != http.StatusSeeOther {
		c.t.Fatalf("sign in as %s on %s: %d", username, base, status)
	}
}

// waitEvent waits for an "answer" event naming post.
func waitEvent(t *testing.T, events <-chan testrig.SSEEvent, post string, within time.Duration) bool {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return false
			}
			if ev.Name == "answer" && strings.Contains(ev.Data, fmt.Sprintf("%q", post)) {
				return true
			}
		case <-timeout:
			return false
		}
	}
}
