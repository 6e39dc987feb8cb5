package node_test

import (
	"crypto"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/testrig"
)

// fakeServer is a foreign server written for the fixture tests (Mastodon,
// GoToSocial, Lemmy, NodeBB, Discourse): on 127.0.0.5, it serves the
// documents it is given by path (actors, notes, collections), answers 410
// for what it was told is gone, and records every POST to an inbox. Every
// actor it serves lists a key id of its own, all backed by one RSA key:
// the rig's fixed key "remote-<name>".
type fakeServer struct {
	t        *testing.T
	name     string
	srv      *httptest.Server
	base     string
	key      crypto.Signer
	pem      string
	mu       sync.Mutex
	docs     map[string]string // path → JSON
	gone     map[string]bool   // path → answers 410
	moved    map[string]string // path → where it redirects (302)
	received []fakeDelivery
	requests int      // every request received, whatever it was
	agents   []string // the User-Agent of each (a node's names its base URL)
	// hold, while set, keeps every request waiting until it is closed (a
	// server that accepts connections and does not answer).
	hold chan struct{}
}

type fakeDelivery struct {
	path      string
	userAgent []string // as received (nil: no header)
	signature string
	doc       map[string]any
}

func startFakeServer(t *testing.T, name string) *fakeServer {
	t.Helper()
	return startFakeServerAt(t, name, "127.0.0.5:0", "")
}

// startFakeServerAt starts a fake server on addr (a loopback address and
// a port, 0 for any), named host in its URLs ("": the address itself; a
// name needs a node whose resolver maps it to the address).
func startFakeServerAt(t *testing.T, name, addr, host string) *fakeServer {
	t.Helper()
	key := testrig.Key(t, "remote-"+name)
	s := &fakeServer{t: t, name: name, key: key.Signer, pem: key.PublicPEM, docs: map[string]string{}, gone: map[string]bool{}, moved: map[string]string{}}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.handle))
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	s.base = s.srv.URL
	if host != "" {
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		s.base = "http://" + net.JoinHostPort(host, port)
	}
	return s
}

// requestCount is how many requests the server received so far.
func (s *fakeServer) requestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// requestsFrom is how many requests came from the node at base (its
// User-Agent names it).
func (s *fakeServer) requestsFrom(base string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, a := range s.agents {
		if strings.Contains(a, "(+"+base+")") {
			n++
		}
	}
	return n
}

// redirect answers GETs of path with a 302 to location from now on.
func (s *fakeServer) redirect(path, location string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.moved[path] = location
}

// url is the absolute URL of a path on the server.
func (s *fakeServer) url(path string) string { return s.base + path }

// host is the server's host:port, as member domains show it.
func (s *fakeServer) host() string { return strings.TrimPrefix(s.base, "http://") }

// put serves doc (JSON) at path (with its query, if any) from now on.
func (s *fakeServer) put(path, doc string) {
	s.t.Helper()
	if !json.Valid([]byte(doc)) {
		s.t.Fatalf("%s: fixture for %s is not valid JSON:\n%s", s.name, path, doc)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[path] = doc
	delete(s.gone, path)
}

// drop stops serving path: it answers 410 Gone, as Mastodon does for a
// deleted status.
func (s *fakeServer) drop(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.docs, path)
	s.gone[path] = true
}

// holdRequests makes the server hang: requests wait until release.
func (s *fakeServer) holdRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold = make(chan struct{})
}

// release answers the held requests, and the next ones at once.
func (s *fakeServer) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold != nil {
		close(s.hold)
		s.hold = nil
	}
}

func (s *fakeServer) handle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.agents = append(s.agents, r.Header.Get("User-Agent"))
	location, moved := s.moved[r.URL.RequestURI()]
	if !moved {
		location, moved = s.moved[r.URL.Path] // WebFinger: any query
	}
	hold := s.hold
	s.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case r.Method == http.MethodGet && moved:
		http.Redirect(w, r, location, http.StatusFound)
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "inbox"):
		var doc map[string]any
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("Signature") == "" || json.Unmarshal(body, &doc) != nil {
			http.Error(w, "unsigned or not JSON", http.StatusUnauthorized)
			return
		}
		s.mu.Lock()
		s.received = append(s.received, fakeDelivery{path: r.URL.Path, userAgent: r.Header.Values("User-Agent"),
			signature: r.Header.Get("Signature"), doc: doc})
		s.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodGet:
		s.mu.Lock()
		doc, ok := s.docs[r.URL.RequestURI()]
		gone := s.gone[r.URL.RequestURI()]
		s.mu.Unlock()
		switch {
		case ok:
			w.Header().Set("Content-Type", "application/activity+json; charset=utf-8")
			_, _ = io.WriteString(w, doc)
		case gone:
			http.Error(w, "gone", http.StatusGone)
		default:
			http.NotFound(w, r)
		}
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// fakeActor describes an actor the server serves.
type fakeActor struct {
	Path     string // e.g. /users/alice
	Type     string // Person, Group, Service…
	Username string
	Name     string
	// KeyID is the actor's key id relative to its URL: "#main-key"
	// (Mastodon, Lemmy) or "/main-key" (GoToSocial).
	KeyID string
	// Extra is appended to the document: more JSON members, starting with
	// a comma.
	Extra string
}

// actor serves an actor document (and, for a /main-key key id, the key
// document GoToSocial serves there), and returns the actor's id.
func (s *fakeServer) actor(a fakeActor) string {
	s.t.Helper()
	id := s.url(a.Path)
	keyID := id + a.KeyID
	doc, _ := json.Marshal(map[string]any{
		"@context":          []string{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
		"id":                id,
		"type":              a.Type,
		"preferredUsername": a.Username,
		"name":              a.Name,
		"url":               s.url("/@" + a.Username),
		"inbox":             id + "/inbox",
		"outbox":            id + "/outbox",
		"followers":         id + "/followers",
		"following":         id + "/following",
		"publicKey":         map[string]string{"id": keyID, "owner": id, "publicKeyPem": s.pem},
	})
	full := string(doc)
	if a.Extra != "" {
		full = full[:len(full)-1] + a.Extra + "}"
	}
	s.put(a.Path, full)
	if strings.HasPrefix(a.KeyID, "/") {
		key, _ := json.Marshal(map[string]any{
			"@context":  []string{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
			"id":        keyID,
			"type":      a.Type,
			"publicKey": map[string]string{"id": keyID, "owner": id, "publicKeyPem": s.pem},
		})
		s.put(a.Path+a.KeyID, string(key))
	}
	return id
}

// delivery is one activity the server sends.
type delivery struct {
	KeyID       string // absolute
	Inbox       string
	Body        string
	ContentType string // default application/activity+json
	HS2019      bool   // name the algorithm hs2019 (GoToSocial) instead of rsa-sha256
	NoUserAgent bool   // send no User-Agent header at all
}

// send signs and posts an activity, returning the status.
func (s *fakeServer) send(d delivery) int {
	s.t.Helper()
	if !json.Valid([]byte(d.Body)) {
		s.t.Fatalf("%s: activity is not valid JSON:\n%s", s.name, d.Body)
	}
	if d.ContentType == "" {
		d.ContentType = "application/activity+json"
	}
	req, _ := http.NewRequest(http.MethodPost, d.Inbox, strings.NewReader(d.Body))
	req.Header.Set("Content-Type", d.ContentType)
	base := http.RoundTripper(http.DefaultTransport)
	if d.HS2019 || d.NoUserAgent {
		base = rewriteRequest{base: base, hs2019: d.HS2019, noUA: d.NoUserAgent}
	}
	c := &http.Client{Timeout: 10 * time.Second, Transport: &signature.Transport{Base: base, KeyID: d.KeyID, Key: s.key}}
	resp, err := c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		s.t.Logf("%s: POST %s: %d %s", s.name, d.Inbox, resp.StatusCode, body)
	}
	return resp.StatusCode
}

// rewriteRequest changes a signed request the way some servers send it:
// algorithm="hs2019" (the algorithm is not part of the signed string) and
// no User-Agent.
type rewriteRequest struct {
	base   http.RoundTripper
	hs2019 bool
	noUA   bool
}

func (rw rewriteRequest) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if rw.hs2019 {
		sig := r.Header.Get("Signature")
		if !strings.Contains(sig, `algorithm="rsa-sha256"`) {
			panic("signature without algorithm=\"rsa-sha256\": " + sig)
		}
		r.Header.Set("Signature", strings.Replace(sig, `algorithm="rsa-sha256"`, `algorithm="hs2019"`, 1))
	}
	if rw.noUA {
		r.Header["User-Agent"] = []string{""} // net/http then sends none
	}
	return rw.base.RoundTrip(r)
}

// receivedAt lists the activities of a type posted to an inbox path (any
// inbox if path is "").
func (s *fakeServer) receivedAt(path, typ string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, d := range s.received {
		if (path == "" || d.path == path) && d.doc["type"] == typ {
			out = append(out, d.doc)
		}
	}
	return out
}

// receivedIn lists the activities posted to an inbox path, in the order
// they arrived.
func (s *fakeServer) receivedIn(path string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, d := range s.received {
		if d.path == path {
			out = append(out, d.doc)
		}
	}
	return out
}

var placeholder = regexp.MustCompile(`\{[A-Za-z]+\}`)

// fill replaces each {name} in a JSON fixture by its value, escaped as
// the inside of a JSON string.
func fill(fixture string, pairs ...string) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		v, _ := json.Marshal(pairs[i+1])
		fixture = strings.ReplaceAll(fixture, "{"+pairs[i]+"}", string(v[1:len(v)-1]))
	}
	if left := placeholder.FindString(fixture); left != "" {
		panic("fixture placeholder left unfilled: " + left)
	}
	return fixture
}

// actorDoc fetches an actor of ours as a foreign server does.
func actorDoc(t *testing.T, uri string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, uri, nil)
	req.Header.Set("Accept", `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", uri, resp.StatusCode, err)
	}
	return doc
}
