package main

import (
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/testrig"
	"github.com/metropolis/agora/uris"
)

// keyFetcher resolves the node's signing keys by fetching its actors,
// once per key.
type keyFetcher struct {
	mu   sync.Mutex
	keys map[string]crypto.PublicKey
}

func (k *keyFetcher) PublicKey(ctx context.Context, keyID string, _ bool) (crypto.PublicKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.keys[keyID]; ok {
		return key, nil
	}
	actorURL, _, _ := strings.Cut(keyID, "#")
	req, _ := http.NewRequestWithContext(ctx, "GET", actorURL, nil)
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var doc struct {
		PublicKey struct {
			ID  string `json:"id"`
			PEM string `json:"publicKeyPem"`
		} `json:"publicKey"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return nil, fmt.Errorf("actor %s: %w", actorURL, err)
	}
	if doc.PublicKey.ID != keyID {
		return nil, fmt.Errorf("actor %s lists key %q, not %q", actorURL, doc.PublicKey.ID, keyID)
	}
	key, err := signature.ParsePublicPEM(doc.PublicKey.PEM)
	if err != nil {
		return nil, err
	}
	k.keys[keyID] = key
	return key, nil
}

// sink is a remote inbox host: it checks each delivery's signature and
// counts deliveries per activity id and inbox.
type sink struct {
	srv    *httptest.Server
	keys   *keyFetcher
	mu     sync.Mutex
	counts map[string]int // "<activity id> <inbox URL>"
	total  atomic.Int64
	bad    atomic.Int64
}

func newSink(t *testing.T, keys *keyFetcher) *sink {
	s := &sink{keys: keys, counts: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sink) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if _, err := signature.Verify(r, body, s.keys, signature.Options{}); err != nil {
		s.bad.Add(1)
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var act struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &act); err != nil || act.ID == "" {
		s.bad.Add(1)
		http.Error(w, "no id", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.counts[act.ID+" "+s.srv.URL+r.URL.Path]++
	s.mu.Unlock()
	s.total.Add(1)
	time.Sleep(2 * time.Millisecond) // a remote server takes a little time
	w.WriteHeader(http.StatusAccepted)
}

// fanOut queues activities × inboxes deliveries in one transaction, as the
// publisher does: each activity, signed by the instance actor, to every
// inbox, the inboxes spread over the sinks. It returns the expected
// "<activity id> <inbox>" keys.
func fanOut(t *testing.T, store *storage.Store, urls *uris.Builder, sinks []*sink, batch string, activities, inboxes int) []string {
	t.Helper()
	ids := forum.NewULIDs(forum.SystemClock{}, nil)
	now := time.Now().UTC()
	var want []string
	err := store.FederationAtomic(t.Context(), func(ctx context.Context, tx federation.Store) error {
		for a := range activities {
			uri := urls.Activity(fmt.Sprintf("%s-%d", batch, a))
			body, _ := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": uri,
				"type": "Announce", "actor": urls.InstanceActor(), "object": urls.Base() + "/"})
			row := &federation.OutboxActivity{ID: ids.New(), URI: uri, ActorURI: urls.InstanceActor(), Type: "Announce",
				ObjectURI: urls.Base() + "/", Body: body, CreatedAt: now}
			if err := tx.AddOutboxActivity(ctx, row); err != nil {
				return err
			}
			var ds []*federation.Delivery
			for i := range inboxes {
				s := sinks[i%len(sinks)]
				inbox := s.srv.URL + "/inbox/" + strconv.Itoa(i)
				ds = append(ds, &federation.Delivery{ID: ids.New(), ActivityID: row.ID, Inbox: inbox,
					Host: strings.TrimPrefix(s.srv.URL, "http://"), State: federation.DeliveryPending, NextAttemptAt: now, CreatedAt: now})
				want = append(want, uri+" "+inbox)
			}
			if err := tx.AddDeliveries(ctx, ds); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("queue deliveries: %v", err)
	}
	return want
}

// received counts, over all sinks, the deliveries of each wanted key.
func received(sinks []*sink, want []string) (lost, doubled []string) {
	all := map[string]int{}
	for _, s := range sinks {
		s.mu.Lock()
		for k, n := range s.counts {
			all[k] += n
		}
		s.mu.Unlock()
	}
	for _, k := range want {
		switch n := all[k]; {
		case n == 0:
			lost = append(lost, k)
		case n > 1:
			doubled = append(doubled, k)
		}
	}
	return lost, doubled
}

func totalReceived(sinks []*sink) int64 {
	var n int64
	for _, s := range sinks {
		n += s.total.Load()
	}
	return n
}

var doneMetric = regexp.MustCompile(`(?m)^agora_deliveries_total\{outcome="done"\} (\d+)$`)

// deliveredBy reads a process's count of deliveries done.
func deliveredBy(t *testing.T, p *proc) int {
	t.Helper()
	status, body := newClient(t).get(p.url("/metrics"))
	if status != http.StatusOK {
		t.Fatalf("GET %s/metrics = %d", p.name, status)
	}
	m := doneMetric.FindStringSubmatch(body)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestTwoProcessesShareDeliveries runs two `agora serve` processes on one
// PostgreSQL database and fans 1,000 deliveries out to four loopback
// hosts that verify each signature: the first 500 with both processes up
// are split between them and each arrives exactly once; during the next
// 500 one process is killed (SIGKILL) and the other finishes its work
// once the dead one's claims expire: nothing is lost, and only a send the
// dead process had in flight may arrive twice (at-least-once delivery;
// receivers deduplicate by activity id).
func TestTwoProcessesShareDeliveries(t *testing.T) {
	dbURL, redisURL := services(t, false)
	lb := newBalancer(t)
	const workers = 4
	env := map[string]string{"AGORA_DATABASE_URL": dbURL, "AGORA_REDIS_URL": redisURL, "AGORA_BASE_URL": lb.base(),
		"AGORA_ALLOW_LOOPBACK_PEERS": "true", "AGORA_DELIVERY_WORKERS": strconv.Itoa(workers), "AGORA_DELIVERY_LEASE": "5s"}
	// Both start at once on the empty database: one migrates, the other waits.
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

	db, err := storage.Open(t.Context(), storage.Options{DatabaseURL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := db.Store()
	urls, _ := uris.New(lb.base())
	keys := &keyFetcher{keys: map[string]crypto.PublicKey{}}
	sinks := make([]*sink, 4)
	for i := range sinks {
		sinks[i] = newSink(t, keys)
	}
	pending := func() int {
		st, err := store.DeliveryStats(t.Context())
		if err != nil {
			t.Fatalf("delivery stats: %v", err)
		}
		if st.Failed+st.Dropped > 0 {
			t.Fatalf("deliveries failed: %+v", st)
		}
		return st.Pending
	}

	// Phase 1: both processes up.
	want1 := fanOut(t, store, urls, sinks, "one", 10, 50)
	testrig.EventuallyWithin(t, 60*time.Second, "500 deliveries", testrig.Holds(func() bool { return totalReceived(sinks) >= 500 && pending() == 0 }))
	lost, doubled := received(sinks, want1)
	if len(lost) > 0 || len(doubled) > 0 || totalReceived(sinks) != 500 {
		t.Fatalf("both up: %d lost, %d doubled, %d received; want 0, 0, 500 (lost %v, doubled %v)",
			len(lost), len(doubled), totalReceived(sinks), first(lost), first(doubled))
	}
	byA, byB := deliveredBy(t, a), deliveredBy(t, b)
	t.Logf("both up: A delivered %d, B delivered %d", byA, byB)
	if byA == 0 || byB == 0 || byA+byB != 500 {
		t.Errorf("deliveries by A %d and B %d: want both > 0, 500 in all", byA, byB)
	}
	for _, s := range sinks {
		if n := s.bad.Load(); n > 0 {
			t.Errorf("sink %s refused %d deliveries (bad signature or body)", s.srv.URL, n)
		}
	}

	// Phase 2: A is killed mid-way.
	want2 := fanOut(t, store, urls, sinks, "two", 10, 50)
	testrig.EventuallyWithin(t, 60*time.Second, "a third of the second fan-out", testrig.Holds(func() bool { return totalReceived(sinks) >= 500+150 }))
	a.kill()
	killedAt := totalReceived(sinks) - 500
	testrig.EventuallyWithin(t, 90*time.Second, "the second fan-out, by B alone", testrig.Holds(func() bool {
		lost, _ := received(sinks, want2)
		return len(lost) == 0 && pending() == 0
	}))
	lost, doubled = received(sinks, want2)
	t.Logf("A killed after %d of 500; B finished; %d sent twice (A had at most %d in flight)", killedAt, len(doubled), workers)
	if len(lost) > 0 {
		t.Errorf("%d deliveries lost: %v", len(lost), first(lost))
	}
	if len(doubled) > workers {
		t.Errorf("%d deliveries sent twice, more than the %d A could have had in flight: %v", len(doubled), workers, first(doubled))
	}
	if deliveredBy(t, b) <= byB {
		t.Errorf("B delivered nothing after A died")
	}
	// The survivor still serves.
	if status, _ := newClient(t).get(b.url("/healthz")); status != http.StatusOK {
		t.Errorf("B /healthz = %d", status)
	}
}

func first(s []string) []string {
	if len(s) > 3 {
		return s[:3]
	}
	return s
}
