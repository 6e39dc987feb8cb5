package fedrig

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/metropolis/agora/federation/signature"
)

// Arrival is one verified POST a sink accepted.
type Arrival struct {
	At    time.Time
	Inbox string // host + path
	Type  string // the activity's type
	// Inner is the type of the activity an Announce carries (Create,
	// Update…), or the Announce's object type; Object is that activity's
	// object id: what order is checked on.
	Inner, Object string
}

// Sinks are loopback inbox servers sharing one record of what arrived.
// Every POST is verified (draft-cavage signature, Digest, Date) against
// the signer's key, fetched once from the node like a real server would.
type Sinks struct {
	keys     *keyCache
	srv      *http.Server
	mu       sync.Mutex
	lns      []net.Listener
	held     []net.Conn
	arrivals []Arrival
	inboxes  map[string]int
	rejected int
	verify   time.Duration // time spent verifying signatures
	changed  chan struct{}
}

// NewSinks makes an empty set of sinks; delay is how long each request
// waits before its answer (a far peer); with parse, each activity's types
// and object are read (Arrival.Inner and Object) for order checks.
func NewSinks(delay time.Duration, parse bool) *Sinks {
	s := &Sinks{keys: &keyCache{keys: map[string]crypto.PublicKey{}}, inboxes: map[string]int{}, changed: make(chan struct{}, 1)}
	s.srv = &http.Server{Handler: s.handler(delay, parse), ReadHeaderTimeout: 10 * time.Second}
	return s
}

// Listen starts a sink on ip:0 and returns its base URL.
func (s *Sinks) Listen(ip string) (string, error) {
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		return "", fmt.Errorf("sink listen on %s: %w", ip, err)
	}
	s.mu.Lock()
	s.lns = append(s.lns, ln)
	s.mu.Unlock()
	// The sinks stand for other machines: their goroutines (each
	// connection's inherits its server's) carry role=sink, so a profile
	// tells the node's CPU from theirs.
	go pprof.Do(context.Background(), sinkLabels, func(context.Context) { _ = s.srv.Serve(ln) })
	return "http://" + ln.Addr().String(), nil
}

// ListenBlackhole starts a host on ip:0 that accepts connections and
// never answers (nor reads), and returns its base URL.
func (s *Sinks) ListenBlackhole(ip string) (string, error) {
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		return "", fmt.Errorf("black hole listen on %s: %w", ip, err)
	}
	s.mu.Lock()
	s.lns = append(s.lns, ln)
	s.mu.Unlock()
	go pprof.Do(context.Background(), sinkLabels, func(context.Context) {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.held = append(s.held, c)
			s.mu.Unlock()
		}
	})
	return "http://" + ln.Addr().String(), nil
}

// sinkLabels mark the sinks' goroutines in CPU profiles.
var sinkLabels = pprof.Labels("role", "sink")

// Close stops every sink and drops held connections.
func (s *Sinks) Close() {
	_ = s.srv.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ln := range s.lns {
		_ = ln.Close()
	}
	for _, c := range s.held {
		_ = c.Close()
	}
}

// Reset forgets what arrived so far.
func (s *Sinks) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.arrivals, s.inboxes, s.rejected, s.verify = nil, map[string]int{}, 0, 0
}

// Snapshot returns what arrived so far, rejected POSTs and the time spent
// verifying.
func (s *Sinks) Snapshot() (arrivals []Arrival, rejected int, verify time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Arrival(nil), s.arrivals...), s.rejected, s.verify
}

// Distinct is how many distinct inboxes received at least one POST.
func (s *Sinks) Distinct() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.inboxes)
}

// WaitPosts waits until at least n verified POSTs arrived, distinct
// inboxes (distinct=true) or all, and returns the time of the last
// arrival. It gives up at ctx's end.
func (s *Sinks) WaitPosts(ctx context.Context, n int, distinct bool) (time.Time, error) {
	for {
		s.mu.Lock()
		got := len(s.arrivals)
		if distinct {
			got = len(s.inboxes)
		}
		var last time.Time
		if len(s.arrivals) > 0 {
			last = s.arrivals[len(s.arrivals)-1].At
		}
		s.mu.Unlock()
		if got >= n {
			return last, nil
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("%d of %d POSTs arrived: %w", got, n, ctx.Err())
		case <-s.changed:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (s *Sinks) handler(delay time.Duration, parse bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "read body", http.StatusBadRequest)
			return
		}
		start := time.Now()
		_, verr := signature.Verify(r, body, s.keys, signature.Options{})
		took := time.Since(start)
		if verr != nil {
			s.mu.Lock()
			s.rejected++
			s.verify += took
			s.mu.Unlock()
			http.Error(w, verr.Error(), signature.HTTPStatus(verr))
			return
		}
		var a Arrival
		if parse {
			a = parseArrival(body)
		}
		a.Inbox = r.Host + r.URL.Path
		if delay > 0 {
			time.Sleep(delay)
		}
		a.At = time.Now()
		s.mu.Lock()
		s.arrivals = append(s.arrivals, a)
		s.inboxes[a.Inbox]++
		s.verify += took
		s.mu.Unlock()
		select {
		case s.changed <- struct{}{}:
		default:
		}
		w.WriteHeader(http.StatusAccepted)
	})
}

// parseArrival reads the activity's type and what it is about.
func parseArrival(body []byte) Arrival {
	var act struct {
		Type   string          `json:"type"`
		Object json.RawMessage `json:"object"`
	}
	_ = json.Unmarshal(body, &act)
	a := Arrival{Type: act.Type}
	var inner struct {
		ID     string          `json:"id"`
		Type   string          `json:"type"`
		Object json.RawMessage `json:"object"`
	}
	if json.Unmarshal(act.Object, &inner) != nil {
		var iri string
		_ = json.Unmarshal(act.Object, &iri)
		a.Object = iri
		return a
	}
	a.Inner = inner.Type
	var obj struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(inner.Object, &obj) == nil && obj.ID != "" {
		a.Object = obj.ID
	} else {
		var iri string
		_ = json.Unmarshal(inner.Object, &iri)
		a.Object = iri
	}
	return a
}

// keyCache fetches signers' public keys from their actor documents, once
// per key id (again when Verify asks for a refresh).
type keyCache struct {
	mu   sync.Mutex
	keys map[string]crypto.PublicKey
}

func (k *keyCache) PublicKey(ctx context.Context, keyID string, refresh bool) (crypto.PublicKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if pub, ok := k.keys[keyID]; ok && !refresh {
		return pub, nil
	}
	actorURL, _, _ := strings.Cut(keyID, "#")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, actorURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch key %s: %w", keyID, err)
	}
	defer resp.Body.Close()
	var doc struct {
		PublicKey struct {
			ID  string `json:"id"`
			PEM string `json:"publicKeyPem"`
		} `json:"publicKey"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("key document %s: %w", actorURL, err)
	}
	if doc.PublicKey.ID != keyID {
		return nil, errors.New("key id " + doc.PublicKey.ID + " is not " + keyID)
	}
	pub, err := signature.ParsePublicPEM(doc.PublicKey.PEM)
	if err != nil {
		return nil, err
	}
	k.keys[keyID] = pub
	return pub, nil
}
