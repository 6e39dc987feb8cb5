package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/testrig"
	"github.com/metropolis/agora/uris"
)

const adminPassword = "a long test password for admin"

// liveNode is a node run as processes A and B behind a balancer, with the
// administrator's password set and a question to answer.
type liveNode struct {
	a, b   *proc
	lb     *balancer
	db     *storage.DB
	svc    *forum.Service
	admin  *forum.Member
	thread *forum.Thread
	web    *client // signed in as the administrator
}

func startLiveNode(t *testing.T, dbURL, redisURL string) *liveNode {
	t.Helper()
	return startLiveNodeWith(t, dbURL, redisURL, nil)
}

// startLiveNodeWith is startLiveNode with more settings for both processes.
func startLiveNodeWith(t *testing.T, dbURL, redisURL string, extra map[string]string) *liveNode {
	t.Helper()
	lb := newBalancer(t)
	env := map[string]string{"AGORA_DATABASE_URL": dbURL, "AGORA_REDIS_URL": redisURL, "AGORA_BASE_URL": lb.base(),
		"AGORA_ALLOW_LOOPBACK_PEERS": "true"}
	for k, v := range extra {
		env[k] = v
	}
	var a, b *proc
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a = startProc(t, "A", env) }()
	go func() { defer wg.Done(); b = startProc(t, "B", env) }()
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	lb.add(a, b)
	ctx := t.Context()
	db, err := storage.Open(ctx, storage.Options{DatabaseURL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	urls, err := uris.New(lb.base())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := newService(db, urls)
	if err != nil {
		t.Fatal(err)
	}
	admin, token, err := svc.PasswordResetToken(ctx, forum.SystemActor(), bootstrapUsername)
	if err != nil {
		t.Fatalf("the first administrator: %v", err)
	}
	if _, _, err := svc.SetPasswordWithToken(ctx, token, adminPassword); err != nil {
		t.Fatal(err)
	}
	f, err := svc.CreateForum(ctx, admin, forum.ForumInput{Slug: "digitalisation", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Learning forum on digitalisation"}}})
	if err != nil {
		t.Fatal(err)
	}
	q, err := svc.Ask(ctx, admin, f.ID, forum.Question{Title: "Has Covid-19 been a turning point for internet access?",
		Body: "Tell us about your city.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	web := newClient(t)
	web.signIn(a.url(""), bootstrapUsername, adminPassword)
	return &liveNode{a: a, b: b, lb: lb, db: db, svc: svc, admin: admin, thread: q, web: web}
}

// answer posts an answer through process p's web form and returns it.
func (n *liveNode) answer(t *testing.T, p *proc, body string) *forum.Post {
	t.Helper()
	status, _ := n.web.post(p.url("/t/"+n.thread.ID+"/reply"), url.Values{"body": {body}, "language": {"en"}})
	if status != http.StatusSeeOther {
		t.Fatalf("answer through %s: %d, want 303", p.name, status)
	}
	v, err := n.svc.ReadThread(t.Context(), nil, n.thread.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, post := range v.Posts.Items {
		if strings.Contains(post.Source, body) {
			return post
		}
	}
	t.Fatalf("answer %q not stored", body)
	return nil
}

// signInAttempts makes wrong-password sign-ins for username, on the
// processes in turn, and returns the number of the first one answered
// 429 (0 if none) and any answer that was neither 401 nor 429.
func signInAttempts(t *testing.T, procs []*proc, username string, attempts int) (first429 int, odd []string) {
	t.Helper()
	c := newClient(t)
	for i := 1; i <= attempts; i++ {
		p := procs[(i-1)%len(procs)]
		status, retry := c.post(p.url("/login"), url.Values{"username": {username}, "password": {"wrong password, sorry"}, "next": {"/"}})
		switch {
		case status == http.StatusTooManyRequests:
			if s, err := strconv.Atoi(retry); err != nil || s <= 0 {
				odd = append(odd, fmt.Sprintf("attempt %d on %s: 429 with Retry-After %q", i, p.name, retry))
			}
			if first429 == 0 {
				first429 = i
			}
		case status != http.StatusUnauthorized:
			odd = append(odd, fmt.Sprintf("attempt %d on %s: %d", i, p.name, status))
		}
	}
	return first429, odd
}

// visitorGet fetches url as HTML with no cookies: a visitor's view.
func visitorGet(t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, string(body)
}

func randomName(t *testing.T) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "nobody" + hex.EncodeToString(b)
}

// TestLiveAnswersAndLimitsAcrossProcesses: an answer posted through
// process A shows up on a thread stream opened on process B (Redis
// pub/sub), and the sign-in limit is one for both processes.
func TestLiveAnswersAndLimitsAcrossProcesses(t *testing.T) {
	dbURL, redisURL := services(t, true)
	n := startLiveNode(t, dbURL, redisURL)

	// A visitor's view of the page is cached on B before the answer.
	threadOnB := n.b.url("/t/" + n.thread.ID)
	if status, _ := visitorGet(t, threadOnB); status != http.StatusOK {
		t.Fatalf("visitor GET %s = %d", threadOnB, status)
	}
	events := testrig.OpenSSE(t, n.b.url("/t/"+n.thread.ID+"/events"))
	p := n.answer(t, n.a, "In Barcelona, connectivity became essential.")
	if !waitEvent(t, events, p.ID, 15*time.Second) {
		t.Fatalf("answer %s posted through A did not reach B's stream within 15 s", p.ID)
	}
	if status, page := n.web.get(threadOnB); status != http.StatusOK || !strings.Contains(page, `id="p-`+p.ID+`"`) {
		t.Errorf("B's thread page (%d) lacks the answer", status)
	}
	// The page script fetches the page as soon as the event comes: B's
	// cached copy, made before A wrote the answer, must not answer it.
	if status, page := visitorGet(t, threadOnB); status != http.StatusOK || !strings.Contains(page, `id="p-`+p.ID+`"`) {
		t.Errorf("B's thread page for a visitor (%d) lacks the answer its stream announced", status)
	}

	// 10 attempts per address per 5 minutes: the administrator's sign-in
	// used one, so the 10th attempt, alternating A and B, is refused. Two
	// separate in-process limits would allow 19.
	first, odd := signInAttempts(t, []*proc{n.a, n.b}, randomName(t), 12)
	if first != 10 || len(odd) > 0 {
		t.Errorf("first 429 at attempt %d (want 10, shared by A and B); unexpected answers: %v", first, odd)
	}
}

// throwawayRedis is a redis-server of the test's own, on a free port, that
// the test stops and starts again.
type throwawayRedis struct {
	t    *testing.T
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

func startThrowawayRedis(t *testing.T, port int) *throwawayRedis {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("AGORA_TEST_REDIS_URL is set but redis-server is not installed: %v", err)
	}
	if port == 0 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
	}
	r := &throwawayRedis{t: t, port: port, done: make(chan struct{})}
	r.cmd = exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", t.TempDir())
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	go func() { _ = r.cmd.Wait(); close(r.done) }()
	t.Cleanup(r.stop)
	client := redis.NewClient(&redis.Options{Addr: r.addr()})
	defer client.Close()
	testrig.EventuallyWithin(t, 10*time.Second, "redis-server on port "+strconv.Itoa(port), testrig.Holds(func() bool {
		return client.Ping(t.Context()).Err() == nil
	}))
	return r
}

func (r *throwawayRedis) addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

func (r *throwawayRedis) stop() {
	select {
	case <-r.done:
		return
	default:
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
	}
}

// remoteActor is a fediverse account on a loopback server, for signed
// inbox deliveries.
type remoteActor struct {
	srv   *httptest.Server
	keyID string
	tr    *signature.Transport
}

func newRemoteActor(t *testing.T) *remoteActor {
	t.Helper()
	rk := testrig.Key(t, "remote-other")
	key, pem := rk.Signer, rk.PublicPEM
	ra := &remoteActor{}
	ra.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/users/ines" {
			http.NotFound(w, r)
			return
		}
		actor := ra.srv.URL + "/users/ines"
		w.Header().Set("Content-Type", "application/activity+json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"@context": []string{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
			"id":       actor, "type": "Person", "preferredUsername": "ines", "inbox": actor + "/inbox",
			"publicKey": map[string]string{"id": actor + "#main-key", "owner": actor, "publicKeyPem": pem},
		})
	}))
	t.Cleanup(ra.srv.Close)
	ra.keyID = ra.srv.URL + "/users/ines#main-key"
	ra.tr = &signature.Transport{KeyID: ra.keyID, Key: key}
	return ra
}

// like POSTs a signed Like of object to inbox and returns its status.
func (ra *remoteActor) like(t *testing.T, inbox, object, id string) int {
	t.Helper()
	actor := ra.srv.URL + "/users/ines"
	body, _ := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
		"id": actor + "/likes/" + id, "type": "Like", "actor": actor, "object": object})
	req, _ := http.NewRequest("POST", inbox, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/activity+json")
	resp, err := (&http.Client{Transport: ra.tr, Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", inbox, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestRedisRestart stops the node's Redis in the middle of its work and
// starts it again: meanwhile both processes keep serving pages, take
// answers and inbox activities durably, and limit sign-ins in process
// (never an error); once Redis is back they reconnect: /readyz is ready,
// live answers and the shared limit work again.
func TestRedisRestart(t *testing.T) {
	dbURL, _ := services(t, true)
	rds := startThrowawayRedis(t, 0)
	n := startLiveNode(t, dbURL, "redis://"+rds.addr()+"/0")
	remote := newRemoteActor(t)
	threadURL := n.lb.base() + "/t/" + n.thread.ID

	rds.stop()
	for _, p := range []*proc{n.a, n.b} {
		for _, path := range []string{"/", "/t/" + n.thread.ID, "/healthz"} {
			if status, _ := n.web.get(p.url(path)); status != http.StatusOK {
				t.Errorf("Redis down: %s GET %s = %d, want 200", p.name, path, status)
			}
		}
		if status, body := n.web.get(p.url("/readyz")); status != http.StatusServiceUnavailable || body != "not ready: redis unavailable\n" {
			t.Errorf("Redis down: %s /readyz = %d %q, want 503 naming Redis", p.name, status, body)
		}
	}
	during := n.answer(t, n.a, "Posted while Redis was away.")
	if status := remote.like(t, n.lb.base()+"/inbox", threadURL, "during"); status != http.StatusAccepted {
		t.Errorf("Redis down: signed Like = %d, want 202", status)
	}
	stored, err := n.db.Bun().NewSelect().Table("inbox_items").
		Where("activity_id = ?", remote.srv.URL+"/users/ines/likes/during").Count(t.Context())
	if err != nil || stored != 1 {
		t.Errorf("the accepted Like is stored %d times (%v), want 1", stored, err)
	}
	// Sign-ins are limited in each process meanwhile: 10 per address on A.
	first, odd := signInAttempts(t, []*proc{n.a}, randomName(t), 11)
	if first != 11 || len(odd) > 0 {
		t.Errorf("Redis down: first 429 on A at attempt %d, want 11; unexpected answers: %v", first, odd)
	}

	startThrowawayRedis(t, rds.port) // empty: it kept nothing
	for _, p := range []*proc{n.a, n.b} {
		testrig.EventuallyWithin(t, 30*time.Second, p.name+" ready again", testrig.Holds(func() bool {
			status, _ := n.web.get(p.url("/readyz"))
			return status == http.StatusOK
		}))
	}
	// Live answers again: B's subscription comes back by itself.
	events := testrig.OpenSSE(t, n.b.url("/t/"+n.thread.ID+"/events"))
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; ; i++ {
		p := n.answer(t, n.a, fmt.Sprintf("After the restart, answer %d.", i))
		if waitEvent(t, events, p.ID, 3*time.Second) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no live answer reached B within 30 s of Redis coming back")
		}
	}
	// The shared limit holds again (the new Redis starts from zero).
	first, odd = signInAttempts(t, []*proc{n.a, n.b}, randomName(t), 12)
	if first != 11 || len(odd) > 0 {
		t.Errorf("Redis back: first 429 at attempt %d, want 11 (shared by A and B); unexpected answers: %v", first, odd)
	}
	// Nothing acknowledged during the outage was lost.
	if status, page := n.web.get(n.b.url("/t/" + n.thread.ID)); status != http.StatusOK || !strings.Contains(page, `id="p-`+during.ID+`"`) {
		t.Errorf("the answer posted during the outage is missing from B's page (%d)", status)
	}
}
