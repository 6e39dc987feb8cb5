package node_test

import (
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/forum/password"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/storage/storetest"
)

// gotosocial is a server written for the tests to behave as GoToSocial does
// where agora met trouble (its documentation and source describe each):
//
//   - every ActivityPub GET and POST must be signed, and the signer is
//     authenticated the GoToSocial way: its key document, then its actor,
//     then a WebFinger lookup of preferredUsername@host that must lead
//     back to the actor; a username outside GoToSocial's pattern fails the
//     lookup and the request is answered 500;
//   - its key ids are {actor}/main-key, served unsigned as a stub whose
//     id is the actor (not the key URL);
//   - /authorize_interaction does not exist (404);
//   - it applies a Delete only when its actor is the object's author.
//
// One account, bob. What it receives is recorded.
type gotosocial struct {
	t    *testing.T
	base string // its public URL: http://127.0.0.6:port or a port-less http://gts.test
	key  crypto.Signer
	pem  string
	// net reaches the node under test (names of port-less hosts mapped to
	// loopback listeners).
	net *loopNet
	// refuseActor answers 401 to every GET of bob's actor, as GoToSocial
	// does while it cannot authenticate the requester: the key stub is
	// then the only way to bob's key.
	refuseActor bool

	mu       sync.Mutex
	received []map[string]any
	authErrs []string
	seen     map[string]string // status id → its author, as bob saw it
	deleted  map[string]bool   // statuses removed by a Delete from their author
	statuses map[string]string // bob's statuses by path, served to signed GETs
}

// gtsUsername is the pattern GoToSocial's WebFinger lookup holds a remote
// account's username to: letters, digits, underscores, dots and dashes.
var gtsUsername = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,64}$`)

func startGoToSocial(t *testing.T, ln net.Listener, base string, nw *loopNet) *gotosocial {
	t.Helper()
	key, err := signature.GenerateRSA()
	if err != nil {
		t.Fatal(err)
	}
	pem, err := signature.EncodePublicPEM(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	g := &gotosocial{t: t, base: base, key: key, pem: pem, net: nw, deleted: map[string]bool{}, seen: map[string]string{},
		statuses: map[string]string{}}
	srv := &http.Server{Handler: http.HandlerFunc(g.serve), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return g
}

func (g *gotosocial) bob() string    { return g.base + "/users/bob" }
func (g *gotosocial) keyID() string  { return g.bob() + "/main-key" }
func (g *gotosocial) handle() string { return "bob@" + hostOf(g.base) }

func (g *gotosocial) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/.well-known/webfinger":
		if r.URL.Query().Get("resource") != "acct:"+g.handle() {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/jrd+json")
		_, _ = fmt.Fprintf(w, `{"subject":"acct:%s","aliases":[%q],"links":[
{"rel":"http://webfinger.net/rel/profile-page","type":"text/html","href":"%s/@bob"},
{"rel":"self","type":"application/activity+json","href":%q}]}`, g.handle(), g.bob(), g.base, g.bob())
	case r.Method == http.MethodGet && r.URL.Path == "/users/bob/main-key":
		// Served without a signature, so that keys can be fetched while
		// neither side knows the other yet.
		g.json(w, fmt.Sprintf(`{"@context":["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1"],
"id":%q,"preferredUsername":"bob","publicKey":{"id":%q,"owner":%q,"publicKeyPem":%q},"type":"Person"}`,
			g.bob(), g.keyID(), g.bob(), g.pem))
	case r.Method == http.MethodGet && r.URL.Path == "/users/bob":
		if g.refuseActor {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		if !g.authenticate(w, r, body) {
			return
		}
		g.json(w, fmt.Sprintf(`{"@context":["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1"],
"id":%q,"type":"Person","preferredUsername":"bob","name":"Bob","url":"%s/@bob",
"inbox":"%s/inbox","outbox":"%s/outbox","followers":"%s/followers","following":"%s/following",
"endpoints":{"sharedInbox":"%s/inbox"},"manuallyApprovesFollowers":false,
"publicKey":{"id":%q,"owner":%q,"publicKeyPem":%q}}`,
			g.bob(), g.base, g.bob(), g.bob(), g.bob(), g.bob(), g.base, g.keyID(), g.bob(), g.pem))
	case r.Method == http.MethodPost && (r.URL.Path == "/inbox" || r.URL.Path == "/users/bob/inbox"):
		if !g.authenticate(w, r, body) {
			return
		}
		var doc map[string]any
		if json.Unmarshal(body, &doc) != nil {
			http.Error(w, "not JSON", http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		g.received = append(g.received, doc)
		g.mu.Unlock()
		if o, ok := doc["object"].(map[string]any); ok && doc["type"] == "Create" {
			g.learn(o)
		}
		g.applyDelete(doc)
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodGet && g.status(r.URL.Path) != "":
		if !g.authenticate(w, r, body) {
			return
		}
		g.json(w, g.status(r.URL.Path))
	default:
		http.NotFound(w, r) // authorize_interaction among others
	}
}

// status is bob's status at path ("" if none, or deleted).
func (g *gotosocial) status(path string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.statuses[path]
}

// post stores a status of bob's (a JSON object without @context), served
// from then on, and returns its Create, signed by bob when sent.
func (g *gotosocial) post(path, note string) string {
	g.mu.Lock()
	g.statuses[path] = `{"@context":"https://www.w3.org/ns/activitystreams",` + strings.TrimPrefix(strings.TrimSpace(note), "{")
	g.mu.Unlock()
	id := g.base + path
	return fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s/activity","type":"Create","actor":%q,
"to":["https://www.w3.org/ns/activitystreams#Public"],"object":%s}`, id, g.bob(), note)
}

// unpost deletes a status of bob's: it is gone (404) from then on.
func (g *gotosocial) unpost(path string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.statuses, path)
}

func (g *gotosocial) json(w http.ResponseWriter, doc string) {
	w.Header().Set("Content-Type", "application/activity+json; charset=utf-8")
	_, _ = io.WriteString(w, doc)
}

// authenticate checks a request's signature as GoToSocial does; it
// answers the request itself (401 or 500) when that fails.
func (g *gotosocial) authenticate(w http.ResponseWriter, r *http.Request, body []byte) bool {
	if r.Header.Get("Signature") == "" {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return false
	}
	var verr error
	_, err := signature.Verify(r, body, keyFunc(func(ctx context.Context, keyID string) (crypto.PublicKey, error) {
		pub, err := g.requesterKey(ctx, keyID)
		verr = err
		return pub, err
	}), signature.Options{})
	if err == nil {
		return true
	}
	g.mu.Lock()
	g.authErrs = append(g.authErrs, fmt.Sprintf("%s %s: %v", r.Method, r.URL.Path, err))
	g.mu.Unlock()
	if verr != nil {
		// GoToSocial's dereferencing of the requester failed: it answers
		// 500, whatever the request.
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return false
	}
	http.Error(w, "Unauthorized", http.StatusUnauthorized)
	return false
}

type keyFunc func(ctx context.Context, keyID string) (crypto.PublicKey, error)

func (f keyFunc) PublicKey(ctx context.Context, keyID string, _ bool) (crypto.PublicKey, error) {
	return f(ctx, keyID)
}

// requesterKey dereferences a requester: key, actor, WebFinger.
func (g *gotosocial) requesterKey(ctx context.Context, keyID string) (crypto.PublicKey, error) {
	var doc struct {
		ID                string
		PreferredUsername string
		PublicKey         struct{ ID, Owner, PublicKeyPem string }
	}
	if err := g.get(ctx, keyID, "application/activity+json", &doc); err != nil {
		return nil, err
	}
	if doc.PublicKey.ID != keyID || doc.PublicKey.Owner != doc.ID || hostOf(doc.ID) != hostOf(keyID) {
		return nil, fmt.Errorf("key %s: not listed by its owner (%+v)", keyID, doc.PublicKey)
	}
	if !gtsUsername.MatchString(doc.PreferredUsername) {
		return nil, fmt.Errorf("webfinger %s@%s: invalid username", doc.PreferredUsername, hostOf(doc.ID))
	}
	var jrd struct {
		Subject string
		Links   []struct{ Rel, Type, Href string }
	}
	u, _ := url.Parse(doc.ID)
	wf := u.Scheme + "://" + u.Host + "/.well-known/webfinger?resource=" + url.QueryEscape("acct:"+doc.PreferredUsername+"@"+u.Host)
	if err := g.get(ctx, wf, "application/jrd+json", &jrd); err != nil {
		return nil, err
	}
	self := ""
	for _, l := range jrd.Links {
		if l.Rel == "self" {
			self = l.Href
		}
	}
	if self != doc.ID {
		return nil, fmt.Errorf("webfinger of %s leads to %q", doc.ID, self)
	}
	return signature.ParsePublicPEM(doc.PublicKey.PublicKeyPem)
}

// get fetches a document signed by bob, as GoToSocial signs its GETs.
func (g *gotosocial) get(ctx context.Context, rawURL, accept string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", accept)
	resp, err := g.client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", rawURL, resp.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(into)
}

func (g *gotosocial) client() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &signature.Transport{KeyID: g.keyID(), Key: g.key,
		Base: &http.Transport{DialContext: g.net.dial}}}
}

// send signs an activity as bob and posts it to inbox.
func (g *gotosocial) send(inbox, activity string) int {
	g.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, inbox, strings.NewReader(activity))
	req.Header.Set("Content-Type", "application/activity+json")
	resp, err := g.client().Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// fetch GETs an ActivityPub document as bob (GoToSocial resolving a URL).
func (g *gotosocial) fetch(rawURL string) map[string]any {
	g.t.Helper()
	var doc map[string]any
	if err := g.get(context.Background(), rawURL, "application/activity+json", &doc); err != nil {
		g.t.Fatal(err)
	}
	g.learn(doc)
	return doc
}

// applyDelete removes a status the way GoToSocial does: only when the
// Delete's actor is the author it knows for the status.
func (g *gotosocial) applyDelete(doc map[string]any) {
	if doc["type"] != "Delete" {
		return
	}
	id, _ := doc["object"].(string)
	if o, ok := doc["object"].(map[string]any); ok {
		id, _ = o["id"].(string)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if author, ok := g.seen[id]; ok && author == doc["actor"] {
		g.deleted[id] = true
	}
}

// learn remembers the author of a status bob has seen.
func (g *gotosocial) learn(o map[string]any) {
	id, _ := o["id"].(string)
	author, _ := o["attributedTo"].(string)
	if id == "" || author == "" {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.seen[id] = author
}

// loopNet maps the host:port of port-less test hosts (gts.test:80) to
// loopback listeners; anything else is dialled as is.
type loopNet struct {
	mu    sync.Mutex
	names map[string]string // host:port → listener address
	ips   map[string]string // host → loopback IP, for the node's resolver
}

func newLoopNet() *loopNet { return &loopNet{names: map[string]string{}, ips: map[string]string{}} }

// add serves name (host[:port] as in URLs) from the listener ln.
func (n *loopNet) add(name string, ln net.Listener) {
	n.mu.Lock()
	defer n.mu.Unlock()
	host, port, err := net.SplitHostPort(name)
	if err != nil {
		host, port = name, "80"
	}
	ip, _, _ := net.SplitHostPort(ln.Addr().String())
	n.ips[host] = ip
	n.names[net.JoinHostPort(host, port)] = ln.Addr().String()
	n.names[net.JoinHostPort(ip, port)] = ln.Addr().String()
}

func (n *loopNet) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	n.mu.Lock()
	if to, ok := n.names[addr]; ok {
		addr = to
	}
	n.mu.Unlock()
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// LookupIPAddr resolves the test names (fetch.Resolver); others fail.
func (n *loopNet) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if ip, ok := n.ips[host]; ok {
		return []net.IPAddr{{IP: net.ParseIP(ip)}}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// startNodeAt runs a node whose public URL is base (a port-less name
// served by ln through nw, or ln's own address).
func startNodeAt(t *testing.T, name, base string, ln net.Listener, nw *loopNet) *peer {
	t.Helper()
	var logOut io.Writer = io.Discard
	if os.Getenv("AGORA_TEST_LOG") != "" {
		logOut = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelDebug})).With("node", name)
	n, err := node.New(node.Config{BaseURL: base, DefaultLanguage: "en", DB: storetest.Open(t), Logger: log,
		AllowLoopbackPeers: true, Hasher: password.NewFast(), Delivery: fastDelivery, Resolver: nw, Dial: nw.dial})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &peer{name: name, Node: n, ln: ln, srv: &http.Server{Handler: n.Handler}, cancel: cancel, done: make(chan struct{})}
	go func() { _ = p.srv.Serve(ln) }()
	go func() { n.Run(ctx); close(p.done) }()
	t.Cleanup(p.stop)
	return p
}

// gtsSetup is one way of placing the node and the GoToSocial peer.
type gtsSetup struct {
	name     string
	portless bool // http://agora.test and http://gts.test instead of 127.0.0.x:port
}

var gtsSetups = []gtsSetup{{name: "port"}, {name: "portless", portless: true}}

// startWithGoToSocial runs a node (the hub) and a GoToSocial peer placed
// as setup says.
func startWithGoToSocial(t *testing.T, setup gtsSetup) (*peer, *gotosocial) {
	t.Helper()
	nw := newLoopNet()
	listen := func(ip string) net.Listener {
		ln, err := net.Listen("tcp", ip+":0")
		if err != nil {
			t.Fatal(err)
		}
		return ln
	}
	hubLn, gtsLn := listen("127.0.0.1"), listen("127.0.0.6")
	hubBase, gtsBase := "http://"+hubLn.Addr().String(), "http://"+gtsLn.Addr().String()
	if setup.portless {
		hubBase, gtsBase = "http://agora.test", "http://gts.test"
		nw.add("agora.test", hubLn)
		nw.add("gts.test", gtsLn)
	}
	g := startGoToSocial(t, gtsLn, gtsBase, nw)
	hub := startNodeAt(t, "hub", hubBase, hubLn, nw)
	return hub, g
}

// errors are GoToSocial's failures to authenticate our requests.
func (g *gotosocial) errors() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.authErrs...)
}

// gotType reports whether bob received an activity of type typ whose
// actor is actor.
func (g *gotosocial) gotType(typ, actor string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, d := range g.received {
		if d["type"] == typ && d["actor"] == actor {
			return true
		}
	}
	return false
}

func pathOf(raw string) string {
	u, _ := url.Parse(raw)
	return u.Path
}

// gotObject reports whether bob received an activity of type typ whose
// object is (or embeds) id.
func (g *gotosocial) gotObject(typ, id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, d := range g.received {
		if d["type"] != typ {
			continue
		}
		switch o := d["object"].(type) {
		case string:
			if o == id {
				return true
			}
		case map[string]any:
			if o["id"] == id {
				return true
			}
		}
	}
	return false
}

// descendants walks a status's replies collections as GoToSocial does to
// show a thread: each item is fetched, then its own replies walked.
func (g *gotosocial) descendants(id string) []string {
	g.t.Helper()
	var out []string
	seen := map[string]bool{id: true}
	queue := []string{id}
	for len(queue) > 0 && len(out) < 500 {
		status := g.fetch(queue[0])
		queue = queue[1:]
		replies, _ := status["replies"].(string)
		if replies == "" {
			continue
		}
		page, _ := g.fetch(replies)["first"].(string)
		for pages := 0; page != "" && pages < 20; pages++ {
			p := g.fetch(page)
			items, _ := p["orderedItems"].([]any)
			if items == nil {
				items, _ = p["items"].([]any)
			}
			for _, it := range items {
				s, _ := it.(string)
				if s != "" && !seen[s] {
					seen[s] = true
					out = append(out, s)
					queue = append(queue, s)
				}
			}
			page, _ = p["next"].(string)
		}
	}
	return out
}

// wasDeleted reports whether a Delete removed the status id.
func (g *gotosocial) wasDeleted(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.deleted[id]
}
