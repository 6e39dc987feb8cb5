package federation_test

// Test rig for the inbox security tests: one real agora node on
// 127.0.0.1, a scripted remote peer ("evil" server) on 127.0.0.2 that serves
// actor documents and counts every request it receives, and helpers that
// sign deliveries as the peer's actors.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/password"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/storetest"
)

const secPublic = "https://www.w3.org/ns/activitystreams#Public"

// secKeys are the RSA keys of the peer's actors, generated once per test
// binary: main signs for every ordinary actor, trudy for /users/trudy, and
// other belongs to nobody (a forged or rotated-away key).
type secKeyset struct {
	main, trudy, other *rsa.PrivateKey
}

var secKeys = sync.OnceValue(func() secKeyset {
	var ks [3]*rsa.PrivateKey
	for i := range ks {
		k, err := signature.GenerateRSA()
		if err != nil {
			panic(err)
		}
		ks[i] = k
	}
	return secKeyset{main: ks[0], trudy: ks[1], other: ks[2]}
})

// ---- the agora node under test ----

// secNode is a running agora node on its own loopback address.
type secNode struct {
	*node.Node
	base string
}

// secStartNode runs a fresh node on 127.0.0.1:0 until the test ends.
func secStartNode(t testing.TB, authorizedFetch bool) *secNode {
	t.Helper()
	return secStartNodeOn(t, storetest.Open(t), authorizedFetch)
}

// secStartNodeOn is secStartNode on a database of the test's choosing.
func secStartNodeOn(t testing.TB, db *storage.DB, authorizedFetch bool) *secNode {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var logOut io.Writer = io.Discard
	if os.Getenv("AGORA_TEST_LOG") != "" {
		logOut = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelDebug}))
	base := "http://" + ln.Addr().String()
	n, err := node.New(node.Config{BaseURL: base, DefaultLanguage: "en", DB: db, Logger: log,
		AllowLoopbackPeers: true, AuthorizedFetch: authorizedFetch, Hasher: password.NewFast(),
		Delivery: federation.DeliveryConfig{Poll: 20 * time.Millisecond, BaseBackoff: 50 * time.Millisecond,
			Workers: 2, PerHost: 2, BreakerAfter: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: n.Handler, ReadHeaderTimeout: 10 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = srv.Serve(ln) }()
	go func() { n.Run(ctx); close(done) }()
	t.Cleanup(func() {
		_ = srv.Close()
		cancel()
		<-done
	})
	return &secNode{Node: n, base: base}
}

// member creates a local member.
func (n *secNode) member(t testing.TB, username string, role forum.Role) *forum.Member {
	t.Helper()
	m, err := n.Service.CreateMember(context.Background(), forum.SystemActor(), forum.NewAccount{Username: username,
		Profile: forum.Profile{DisplayName: strings.ToUpper(username[:1]) + username[1:], Organisation: "City of Test", Languages: []string{"en"}}}, role)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// inboxRows counts the inbox items stored for an activity id, whatever
// their state.
func (n *secNode) inboxRows(t *testing.T, activityID string) int {
	t.Helper()
	c, err := n.DB.Bun().NewSelect().Table("inbox_items").Where("activity_id = ?", activityID).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(c)
}

// allInboxRows counts every inbox item.
func (n *secNode) allInboxRows(t *testing.T) int {
	t.Helper()
	c, err := n.DB.Bun().NewSelect().Table("inbox_items").Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(c)
}

// inboxSettled reports whether the worker has had its go at the activity:
// applied, given up, or failed at least once.
func (n *secNode) inboxSettled(t *testing.T, activityID string) (bool, string) {
	t.Helper()
	var rows []struct {
		ProcessedAt *time.Time `bun:"processed_at"`
		FailedAt    *time.Time `bun:"failed_at"`
		Attempts    int        `bun:"attempts"`
		LastError   string     `bun:"last_error"`
	}
	err := n.DB.Bun().NewSelect().Table("inbox_items").Column("processed_at", "failed_at", "attempts", "last_error").
		Where("activity_id = ?", activityID).Scan(context.Background(), &rows)
	if err != nil {
		return false, err.Error()
	}
	if len(rows) != 1 {
		return false, fmt.Sprintf("%d inbox rows for %s", len(rows), activityID)
	}
	r := rows[0]
	state := fmt.Sprintf("processed=%v failed=%v attempts=%d last_error=%q", r.ProcessedAt != nil, r.FailedAt != nil, r.Attempts, r.LastError)
	return r.ProcessedAt != nil || r.FailedAt != nil || r.Attempts > 0, state
}

// postStored reports whether a post with this ActivityPub id exists.
func (n *secNode) postStored(t testing.TB, uri string) bool {
	t.Helper()
	_, err := n.Service.PostByURI(context.Background(), uri)
	switch {
	case err == nil:
		return true
	case errors.Is(err, forum.ErrNotFound):
		return false
	default:
		t.Fatalf("PostByURI(%s): %v", uri, err)
		return false
	}
}

// threadPostsWithURI counts the posts of a thread whose id is uri.
func (n *secNode) threadPostsWithURI(t *testing.T, threadID forum.ID, uri string) int {
	t.Helper()
	v, err := n.Service.ReadThread(context.Background(), nil, threadID, "")
	if err != nil {
		t.Fatal(err)
	}
	c := 0
	for _, p := range v.Posts.Items {
		if p.URI == uri {
			c++
		}
	}
	return c
}

// secWait polls cond until it holds, failing after a bound: no sleep
// without a condition.
func secWait(t testing.TB, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: not reached within 15 s; last state: %s", what, last)
}

// ---- the remote peer ----

// secPeer is a scripted ActivityPub server. Every /users/<name> is a
// Person signing with secKeys().main, except trudy (her own key) and broken
// (a document whose id is not its URL). /notes/<id> serves notes put there
// by a test. It counts every request by path.
type secPeer struct {
	base string
	srv  *http.Server

	mu    sync.Mutex
	hits  map[string]int
	total int
	notes map[string][]byte        // by path
	posts [][]byte                 // bodies of the deliveries received
	held  map[string]chan struct{} // paths answered only once their channel is closed
}

func startSecPeer(t testing.TB, addr string) *secPeer {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p := &secPeer{base: "http://" + ln.Addr().String(), hits: map[string]int{}, notes: map[string][]byte{}}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	t.Cleanup(func() { _ = p.srv.Close() })
	return p
}

func (p *secPeer) host() string { return strings.TrimPrefix(p.base, "http://") }

func (p *secPeer) actor(name string) string { return p.base + "/users/" + name }

func (p *secPeer) keyID(name string) string { return p.actor(name) + "#main-key" }

// fetches counts the requests for one path; total for all of them.
func (p *secPeer) fetches(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits[path]
}

func (p *secPeer) allRequests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.total
}

// received are the bodies of the deliveries the peer received so far.
func (p *secPeer) received() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]byte(nil), p.posts...)
}

// hold makes requests for path wait until the returned function is called
// (at the latest when the test ends): a fetch the test keeps in flight.
func (p *secPeer) hold(t testing.TB, path string) (release func()) {
	ch := make(chan struct{})
	p.mu.Lock()
	if p.held == nil {
		p.held = map[string]chan struct{}{}
	}
	p.held[path] = ch
	p.mu.Unlock()
	var once sync.Once
	release = func() { once.Do(func() { close(ch) }) }
	t.Cleanup(release)
	return release
}

func (p *secPeer) putNote(path string, doc map[string]any) {
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.notes[path] = b
}

func (p *secPeer) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.hits[r.URL.Path]++
	p.total++
	note, isNote := p.notes[r.URL.Path]
	held := p.held[r.URL.Path]
	p.mu.Unlock()
	if held != nil {
		select {
		case <-held:
		case <-r.Context().Done():
			return
		}
	}
	if r.Method != http.MethodGet {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		p.mu.Lock()
		p.posts = append(p.posts, body)
		p.mu.Unlock()
		w.WriteHeader(http.StatusAccepted) // deliveries from the node
		return
	}
	if isNote {
		w.Header().Set("Content-Type", "application/activity+json")
		_, _ = w.Write(note)
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, "/users/")
	if !ok || name == "" || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	key := &secKeys().main.PublicKey
	id := p.actor(name)
	switch name {
	case "trudy":
		key = &secKeys().trudy.PublicKey
	case "broken":
		id = p.actor("someone-else") // the document lies about where it lives
	}
	pemText, err := signature.EncodePublicPEM(key)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	typ := "Person"
	switch name {
	case "group": // a forum elsewhere
		typ = "Group"
	case "relay": // a server's instance actor
		typ = "Application"
	}
	doc := map[string]any{
		"@context":          []any{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
		"id":                id,
		"type":              typ,
		"preferredUsername": name,
		"name":              name,
		"inbox":             id + "/inbox",
		"outbox":            id + "/outbox",
		"followers":         id + "/followers",
		"endpoints":         map[string]any{"sharedInbox": p.base + "/inbox"},
		"publicKey":         map[string]any{"id": id + "#main-key", "owner": id, "publicKeyPem": pemText},
	}
	b, _ := json.Marshal(doc)
	w.Header().Set("Content-Type", "application/activity+json")
	_, _ = w.Write(b)
}

// ---- deliveries ----

var secSeq atomic.Int64

// secUnique is a fresh path segment for ids.
func secUnique(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano(), secSeq.Add(1))
}

// noteDoc is a Note by actor answering inReplyTo.
func secNote(id, actor, inReplyTo, text string) map[string]any {
	return map[string]any{
		"id": id, "type": "Note", "attributedTo": actor, "inReplyTo": inReplyTo,
		"content": "<p>" + text + "</p>", "contentMap": map[string]any{"en": "<p>" + text + "</p>"},
		"published": time.Now().UTC().Add(-time.Minute).Format(time.RFC3339),
		"to":        []any{secPublic},
	}
}

// activityDoc is an activity with an id on actor's host.
func secActivity(p *secPeer, typ, actor string, object any) map[string]any {
	return map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       p.base + "/activities/" + secUnique(strings.ToLower(typ)),
		"type":     typ, "actor": actor, "object": object,
		"to": []any{secPublic},
	}
}

func secJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// secDelivery is one POST to the node's inbox, signed (or not) as told.
type secDelivery struct {
	path        string        // default /inbox
	body        []byte        // what is signed
	contentType string        // default application/activity+json
	keyID       string        // "" sends it unsigned
	key         crypto.Signer // the signing key
	date        time.Time     // zero: now
	// after changes the request once it is signed, just before it is sent.
	after func(r *http.Request)
}

// secTamper is a RoundTripper that lets a test change a signed request.
type secTamper struct {
	after func(r *http.Request)
	base  http.RoundTripper
}

func (tr secTamper) RoundTrip(r *http.Request) (*http.Response, error) {
	if tr.after != nil {
		r = r.Clone(r.Context())
		tr.after(r)
	}
	return tr.base.RoundTrip(r)
}

// setBody replaces a request's body (after signing).
func secSetBody(r *http.Request, b []byte, chunked bool) {
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	r.ContentLength = int64(len(b))
	if chunked {
		r.ContentLength = -1
		r.GetBody = nil
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b))) // unknown length: sent chunked
	}
}

// send posts d to the node and returns the status.
func (n *secNode) send(t testing.TB, d secDelivery) int {
	t.Helper()
	return n.sendWithHost(t, d, "")
}

// sendWithHost is send with the request addressed (Host header, and so the
// signed host) to host instead of the node's own.
func (n *secNode) sendWithHost(t testing.TB, d secDelivery, host string) int {
	t.Helper()
	// An Expect: 100-continue request (the oversized ones) waits for the
	// node's go-ahead, so a refusal before the body is read arrives as a
	// response rather than as a reset connection.
	base := http.RoundTripper(&http.Transport{DisableKeepAlives: true, ExpectContinueTimeout: 10 * time.Second})
	rt := http.RoundTripper(secTamper{after: d.after, base: base})
	if d.keyID != "" {
		tr := &signature.Transport{Base: rt, KeyID: d.keyID, Key: d.key}
		if !d.date.IsZero() {
			at := d.date
			tr.Now = func() time.Time { return at }
		}
		rt = tr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	path := d.path
	if path == "" {
		path = "/inbox"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.base+path, bytes.NewReader(d.body))
	if err != nil {
		t.Fatal(err)
	}
	ct := d.contentType
	if ct == "" {
		ct = "application/activity+json"
	}
	req.Header.Set("Content-Type", ct)
	if host != "" {
		req.Host = host
	}
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	t.Logf("POST %s → %d %s", path, resp.StatusCode, strings.TrimSpace(string(msg)))
	return resp.StatusCode
}

// get fetches path from the node with an Accept header, signed when keyID
// is set, and returns the response with its body read.
func (n *secNode) get(t *testing.T, path, accept, keyID string, key crypto.Signer) (*http.Response, []byte) {
	t.Helper()
	rt := http.RoundTripper(&http.Transport{DisableKeepAlives: true})
	if keyID != "" {
		rt = &signature.Transport{Base: rt, KeyID: keyID, Key: key}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, n.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	client := &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp, body
}
