package deliver_test

import (
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/federation/blocks"
	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/keys"
	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/markup"
	"github.com/metropolis/agora/forum/password"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
	"github.com/metropolis/agora/uris"
)

// dqConfig is the default queue configuration of these tests.
var dqConfig = deliver.Settings{BaseBackoff: 30 * time.Second, MaxAge: 72 * time.Hour,
	BreakerAfter: 3, BreakerPeriod: 10 * time.Minute, Poll: 20 * time.Millisecond}

// dqRig is one node's delivery queue on a fresh database, with a local
// forum whose actor signs what is queued, and a clock the test moves.
type dqRig struct {
	t      *testing.T
	ctx    context.Context
	store  *storage.Store
	db     *storage.DB
	runner *deliver.Runner
	ring   *keys.Ring
	ids    forum.IDs
	clock  *testrig.Clock
	urls   *uris.Builder
	forum  forum.ID
	actor  string // the forum's actor URI: the signer of every activity
	seq    int    // numbers the activities queued
}

func newDQRig(t *testing.T, cfg deliver.Settings) *dqRig {
	t.Helper()
	ctx := t.Context()
	db := storetest.Open(t)
	// Whole seconds: the database may keep less than nanoseconds.
	clock := testrig.NewClockAt(time.Now().UTC().Truncate(time.Second))
	ids := forum.NewULIDs(clock, nil)
	svc, err := forum.NewService(forum.Deps{Store: db.Store(), Clock: clock, IDs: ids,
		Hasher: password.NewFast(), Renderer: markup.New()})
	if err != nil {
		t.Fatal(err)
	}
	urls, err := uris.New("http://hub.test")
	if err != nil {
		t.Fatal(err)
	}
	var logOut io.Writer = io.Discard
	if os.Getenv("AGORA_TEST_LOG") != "" {
		logOut = os.Stderr
	}
	// Wired as the node wires it: the client signs with the keyring and
	// refuses blocked hosts.
	store := db.Store()
	ring := keys.NewRing(store, clock, nil)
	bl := blocks.New(store, clock)
	client := fetch.New(fetch.Config{AllowLoopback: true, UserAgent: "agora-test", Wrap: ring.Transport(urls, clock), Blocklist: bl})
	runner, err := deliver.New(deliver.Config{Store: store,
		Atomic: func(ctx context.Context, fn func(ctx context.Context, tx deliver.Outcomes) error) error {
			return store.FederationAtomic(ctx, func(ctx context.Context, tx federation.Store) error { return fn(ctx, tx) })
		},
		Client: client, Owners: keys.Owners{URLs: urls, Forum: svc}, Blocks: bl, URLs: urls, Clock: clock,
		Log: slog.New(slog.NewTextHandler(logOut, nil)), Settings: cfg})
	if err != nil {
		t.Fatal(err)
	}
	fo, err := svc.CreateForum(ctx, forum.SystemActor(), forum.ForumInput{Slug: "digitalisation", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Learning forum on digitalisation"}}})
	if err != nil {
		t.Fatal(err)
	}
	return &dqRig{t: t, ctx: ctx, store: store, db: db, runner: runner, ring: ring, ids: ids,
		clock: clock, urls: urls, forum: fo.ID, actor: urls.Forum(fo.Slug)}
}

// queue stores an activity of the forum with deliveries to inboxes.
func (r *dqRig) queue(inboxes ...string) forum.ID {
	r.t.Helper()
	r.seq++
	body := fmt.Appendf(nil, `{"@context":"https://www.w3.org/ns/activitystreams","type":"Create","actor":%q,"n":%d}`,
		r.actor, r.seq)
	id := r.ids.New()
	act := &deliver.Outgoing{ID: id, URI: r.urls.Activity(id), ActorURI: r.actor, Type: "Create", Body: body, Inboxes: inboxes}
	err := r.store.FederationAtomic(r.ctx, func(ctx context.Context, tx federation.Store) error {
		return deliver.Enqueue(ctx, tx, r.ids, r.urls, r.clock.Now(), []*deliver.Outgoing{act})
	})
	if err != nil {
		r.t.Fatal(err)
	}
	r.runner.Wake()
	return id
}

// attempt claims what is due now and makes one attempt at each, in turn.
func (r *dqRig) attempt() []*stored.Delivery {
	r.t.Helper()
	ds, err := r.store.ClaimDeliveries(r.ctx, r.clock.Now(), time.Minute, 100, 0)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, d := range ds {
		r.runner.Attempt(r.ctx, d)
	}
	return ds
}

// dqRow is a delivery as stored (the Store interface has no getter).
type dqRow struct {
	bun.BaseModel `bun:"table:deliveries"`
	ID            string     `bun:"id,pk"`
	ActivityID    string     `bun:"activity_id"`
	Inbox         string     `bun:"inbox"`
	Host          string     `bun:"host"`
	State         string     `bun:"state"`
	Attempts      int        `bun:"attempts"`
	NextAttemptAt time.Time  `bun:"next_attempt_at"`
	LeaseUntil    *time.Time `bun:"lease_until"`
	LastStatus    int        `bun:"last_status"`
	LastError     string     `bun:"last_error"`
	FinishedAt    *time.Time `bun:"finished_at"`
}

func (r *dqRig) deliveries() []dqRow {
	r.t.Helper()
	var rows []dqRow
	if err := r.db.Bun().NewSelect().Model(&rows).OrderExpr("id ASC").Scan(r.ctx); err != nil {
		r.t.Fatal(err)
	}
	return rows
}

// only is the single delivery stored.
func (r *dqRig) only() dqRow {
	r.t.Helper()
	rows := r.deliveries()
	if len(rows) != 1 {
		r.t.Fatalf("%d deliveries stored, want 1: %+v", len(rows), rows)
	}
	return rows[0]
}

func (r *dqRig) host(host string) *stored.HostHealth {
	r.t.Helper()
	h, err := r.store.Host(r.ctx, host)
	if errors.Is(err, forum.ErrNotFound) {
		return &stored.HostHealth{Host: host}
	}
	if err != nil {
		r.t.Fatal(err)
	}
	return h
}

// sink is a loopback inbox that answers a configurable status and keeps
// what it receives.
type dqSink struct {
	srv *httptest.Server
	// arrived gets a value when a request arrives (if anyone listens).
	arrived chan struct{}

	mu         sync.Mutex
	status     int
	retryAfter string
	delay      time.Duration
	check      func(r *http.Request, body []byte) error
	requests   []dqRequest
	checkErrs  []error
}

type dqRequest struct {
	Method, Path string
	Header       http.Header
	Body         []byte
}

func newDQSink(t *testing.T, status int) *dqSink {
	t.Helper()
	s := &dqSink{status: status, arrived: make(chan struct{}, 16)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *dqSink) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests = append(s.requests, dqRequest{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	status, retryAfter, delay, check := s.status, s.retryAfter, s.delay, s.check
	s.mu.Unlock()
	select {
	case s.arrived <- struct{}{}:
	default:
	}
	if check != nil {
		if err := check(r, body); err != nil {
			s.mu.Lock()
			s.checkErrs = append(s.checkErrs, err)
			s.mu.Unlock()
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
	}
	if delay > 0 {
		time.Sleep(delay)
	}
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.WriteHeader(status)
}

func (s *dqSink) set(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = status
}

func (s *dqSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func (s *dqSink) received() []dqRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]dqRequest(nil), s.requests...)
}

func (s *dqSink) inbox() string { return s.srv.URL + "/inbox" }

// host is the sink's host as the queue records it (host:port).
func (s *dqSink) host() string { return s.srv.Listener.Addr().String() }

func TestDeliveryOutcomeByStatus(t *testing.T) {
	r := newDQRig(t, dqConfig)
	tests := []struct {
		status int
		want   string // done, failed or retry
	}{
		{200, "done"}, {202, "done"}, {204, "done"},
		{400, "failed"}, {403, "failed"}, {404, "failed"}, {410, "failed"},
		{401, "retry"}, {408, "retry"}, {429, "retry"}, {500, "retry"}, {502, "retry"}, {503, "retry"},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			r.t = t
			s := newDQSink(t, tt.status)
			id := r.queue(s.inbox())
			now := r.clock.Now()
			if got := len(r.attempt()); got == 0 {
				t.Fatal("nothing claimed")
			}
			var d dqRow
			for _, row := range r.deliveries() {
				if row.ActivityID == id {
					d = row
				}
			}
			if s.count() != 1 {
				t.Fatalf("%d requests, want 1", s.count())
			}
			if d.Attempts != 1 || d.LastStatus != tt.status {
				t.Errorf("attempts %d, last status %d; want 1, %d", d.Attempts, d.LastStatus, tt.status)
			}
			if d.LeaseUntil != nil {
				t.Errorf("lease kept after the attempt: %v", d.LeaseUntil)
			}
			h := r.host(s.host())
			switch tt.want {
			case "done":
				if d.State != "done" || d.FinishedAt == nil {
					t.Errorf("state %q, finished %v; want done", d.State, d.FinishedAt)
				}
				if h.Delivered != 1 || h.Failed != 0 || h.ConsecutiveFails != 0 || h.LastSuccess == nil {
					t.Errorf("host health %+v, want 1 delivered", h)
				}
			case "failed":
				if d.State != "failed" || d.FinishedAt == nil {
					t.Errorf("state %q, finished %v; want failed at once", d.State, d.FinishedAt)
				}
				if h.Failed != 1 || h.Delivered != 0 {
					t.Errorf("host health %+v, want 1 failure", h)
				}
				// Never retried, however long we wait.
				r.clock.Advance(24 * time.Hour)
				r.attempt()
				if s.count() != 1 {
					t.Errorf("%d requests after a day, want 1 (no retry of %d)", s.count(), tt.status)
				}
			case "retry":
				if d.State != "pending" || d.FinishedAt != nil {
					t.Errorf("state %q, want pending", d.State)
				}
				wait := d.NextAttemptAt.Sub(now)
				if wait < dqConfig.BaseBackoff/2 || wait > dqConfig.BaseBackoff {
					t.Errorf("next attempt in %s, want within [%s, %s]", wait, dqConfig.BaseBackoff/2, dqConfig.BaseBackoff)
				}
				if h.Failed != 1 || h.ConsecutiveFails != 1 || h.LastFailure == nil {
					t.Errorf("host health %+v, want 1 consecutive failure", h)
				}
				// Not before it is due; then once more, with attempts+1.
				r.attempt()
				if s.count() != 1 {
					t.Fatalf("retried before it was due: %d requests", s.count())
				}
				r.clock.Advance(wait)
				r.attempt()
				if s.count() != 2 {
					t.Fatalf("%d requests once due, want 2", s.count())
				}
				for _, row := range r.deliveries() {
					if row.ActivityID == id && (row.Attempts != 2 || row.State != "pending" || !row.NextAttemptAt.After(r.clock.Now())) {
						t.Errorf("after the 2nd attempt: %+v, want pending, 2 attempts, next attempt later", row)
					}
				}
			}
		})
	}
}

func TestDeliveryRetryAfter(t *testing.T) {
	r := newDQRig(t, dqConfig)
	s := newDQSink(t, http.StatusTooManyRequests)
	s.retryAfter = "120"
	r.queue(s.inbox())
	now := r.clock.Now()
	r.attempt()
	d := r.only()
	if d.State != "pending" || d.Attempts != 1 || d.LastStatus != 429 {
		t.Fatalf("delivery %+v, want pending after one 429", d)
	}
	if min := now.Add(120 * time.Second); d.NextAttemptAt.Before(min) {
		t.Errorf("next attempt at %s, want at or after now+120 s (%s)", d.NextAttemptAt, min)
	}
	// Retry-After shorter than the backoff does not shorten it.
	r.clock.Advance(d.NextAttemptAt.Sub(now))
	s.mu.Lock()
	s.retryAfter = "1"
	s.mu.Unlock()
	at := r.clock.Now()
	r.attempt()
	if d := r.only(); d.NextAttemptAt.Sub(at) < dqConfig.BaseBackoff { // 2nd backoff: [30 s, 60 s]
		t.Errorf("next attempt in %s after Retry-After: 1, want the backoff (≥ %s)", d.NextAttemptAt.Sub(at), dqConfig.BaseBackoff)
	}
}

func TestDeliveryNetworkError(t *testing.T) {
	r := newDQRig(t, dqConfig)
	s := newDQSink(t, 200)
	inbox, host := s.inbox(), s.host()
	s.srv.Close() // nothing listens there any more
	r.queue(inbox)
	now := r.clock.Now()
	r.attempt()
	d := r.only()
	if d.State != "pending" || d.Attempts != 1 || d.LastStatus != 0 || d.LastError == "" || !d.NextAttemptAt.After(now) {
		t.Errorf("delivery %+v, want pending, 1 attempt, an error, a later next attempt", d)
	}
	if h := r.host(host); h.ConsecutiveFails != 1 || h.Failed != 1 {
		t.Errorf("host health %+v, want 1 failure", h)
	}
}

func TestDeliveryGivesUpAfterMaxAge(t *testing.T) {
	r := newDQRig(t, dqConfig)
	s := newDQSink(t, http.StatusServiceUnavailable)
	r.queue(s.inbox())
	r.attempt()
	if d := r.only(); d.State != "pending" {
		t.Fatalf("first failure: state %q, want pending", d.State)
	}
	// Within MaxAge it keeps trying.
	r.clock.Advance(dqConfig.MaxAge - time.Minute)
	r.attempt()
	if d := r.only(); d.State != "pending" || d.Attempts != 2 {
		t.Fatalf("before MaxAge: %+v, want pending after 2 attempts", d)
	}
	r.clock.Advance(2 * time.Minute)
	r.attempt()
	d := r.only()
	if d.State != "failed" || d.Attempts != 3 || !strings.HasPrefix(d.LastError, "gave up") || d.FinishedAt == nil {
		t.Errorf("after MaxAge: %+v, want failed, 3 attempts, \"gave up…\"", d)
	}
	r.clock.Advance(24 * time.Hour)
	r.attempt()
	if s.count() != 3 {
		t.Errorf("%d requests, want 3 (none after giving up)", s.count())
	}
}

func TestDeliveryCircuitBreaker(t *testing.T) {
	r := newDQRig(t, dqConfig)
	s := newDQSink(t, http.StatusInternalServerError)
	for range dqConfig.BreakerAfter {
		r.queue(s.inbox())
	}
	now := r.clock.Now()
	r.attempt()
	h := r.host(s.host())
	if h.ConsecutiveFails != dqConfig.BreakerAfter || h.OpenUntil == nil {
		t.Fatalf("after %d failures: %+v, want the circuit open", dqConfig.BreakerAfter, h)
	}
	if want := now.Add(dqConfig.BreakerPeriod); !h.OpenUntil.Equal(want) {
		t.Errorf("open until %s, want %s", h.OpenUntil, want)
	}
	sent := s.count()

	// The retries come due, and a new activity too: all wait for the
	// circuit to close, without a request and without spending an attempt.
	r.queue(s.inbox())
	r.clock.Advance(time.Minute)
	if n := len(r.attempt()); n != dqConfig.BreakerAfter+1 {
		t.Fatalf("%d deliveries claimed, want %d", n, dqConfig.BreakerAfter+1)
	}
	if s.count() != sent {
		t.Errorf("%d requests while the circuit is open, want %d", s.count(), sent)
	}
	for _, d := range r.deliveries() {
		if d.State != "pending" || !d.NextAttemptAt.Equal(*h.OpenUntil) {
			t.Errorf("delivery %+v, want pending until %s", d, h.OpenUntil)
		}
		if (d.Attempts != 1 && d.Attempts != 0) || d.LeaseUntil != nil {
			t.Errorf("delivery %+v: an attempt spent, or the lease kept, while postponed", d)
		}
	}
	if len(r.attempt()) != 0 {
		t.Error("postponed deliveries claimed again before the circuit closes")
	}

	// The circuit closes; the host is back: everything goes, health resets.
	s.set(http.StatusAccepted)
	r.clock.Advance(h.OpenUntil.Sub(r.clock.Now()))
	r.attempt()
	if got, want := s.count(), sent+dqConfig.BreakerAfter+1; got != want {
		t.Errorf("%d requests after the circuit closed, want %d", got, want)
	}
	for _, d := range r.deliveries() {
		if d.State != "done" {
			t.Errorf("delivery %+v, want done", d)
		}
	}
	if h := r.host(s.host()); h.ConsecutiveFails != 0 || h.OpenUntil != nil || h.Delivered == 0 {
		t.Errorf("host health %+v, want the circuit closed", h)
	}
}

func TestDeliveryBreakerReopensOnFailure(t *testing.T) {
	r := newDQRig(t, dqConfig)
	s := newDQSink(t, http.StatusBadGateway)
	for range dqConfig.BreakerAfter {
		r.queue(s.inbox())
	}
	r.attempt()
	h := r.host(s.host())
	if h.OpenUntil == nil {
		t.Fatalf("circuit not open: %+v", h)
	}
	// After the period one attempt is made (half-open); it fails: the
	// circuit opens again at once.
	r.clock.Advance(h.OpenUntil.Sub(r.clock.Now()))
	sent := s.count()
	ds, err := r.store.ClaimDeliveries(r.ctx, r.clock.Now(), time.Minute, 1, 0)
	if err != nil || len(ds) != 1 {
		t.Fatalf("claim: %v, %d", err, len(ds))
	}
	r.runner.Attempt(r.ctx, ds[0])
	if s.count() != sent+1 {
		t.Fatalf("%d requests, want %d", s.count(), sent+1)
	}
	h2 := r.host(s.host())
	if h2.OpenUntil == nil || !h2.OpenUntil.After(r.clock.Now()) {
		t.Errorf("after a failed trial: %+v, want the circuit open again", h2)
	}
	r.attempt()
	if s.count() != sent+1 {
		t.Errorf("%d requests, want %d: the rest wait for the circuit", s.count(), sent+1)
	}
}

func TestDeliveryBackoff(t *testing.T) {
	const samples = 200
	prevMax := time.Duration(0)
	for attempts := 1; attempts <= 30; attempts++ {
		d := 30 * time.Second << min(attempts-1, 20)
		if d > 12*time.Hour {
			d = 12 * time.Hour
		}
		seen := map[time.Duration]bool{}
		lo, hi := time.Duration(1<<62), time.Duration(0)
		for range samples {
			b := deliver.Backoff(30*time.Second, attempts)
			if b < d/2 || b > d {
				t.Fatalf("backoff(%d) = %s, want within [%s, %s]", attempts, b, d/2, d)
			}
			seen[b] = true
			lo, hi = min(lo, b), max(hi, b)
		}
		if len(seen) < samples/2 {
			t.Errorf("backoff(%d): %d distinct values in %d, want jitter", attempts, len(seen), samples)
		}
		// Jitter spreads over most of [d/2, d].
		if hi-lo < d/4 {
			t.Errorf("backoff(%d) spans [%s, %s], want a spread of at least %s", attempts, lo, hi, d/4)
		}
		if d < 12*time.Hour && hi <= prevMax/2 {
			t.Errorf("backoff(%d) does not grow: max %s after %s", attempts, hi, prevMax)
		}
		prevMax = hi
	}
	for _, attempts := range []int{64, 1000, 1 << 30} {
		if b := deliver.Backoff(30*time.Second, attempts); b < 6*time.Hour || b > 12*time.Hour {
			t.Errorf("backoff(%d) = %s, want the 12 h cap with jitter", attempts, b)
		}
	}
}

func TestDeliveryToBlockedDomainDropped(t *testing.T) {
	for _, tt := range []struct {
		name  string
		block func(s *dqSink) string
	}{
		{"host and port", func(s *dqSink) string { return s.host() }},
		{"domain without port", func(*dqSink) string { return "127.0.0.1" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newDQRig(t, dqConfig)
			s := newDQSink(t, 200)
			r.queue(s.inbox())
			if err := r.store.BlockDomain(r.ctx, &stored.DomainBlock{Domain: tt.block(s), Reason: "spam",
				CreatedAt: r.clock.Now()}); err != nil {
				t.Fatal(err)
			}
			r.attempt()
			if d := r.only(); d.State != "dropped" || d.FinishedAt == nil {
				t.Errorf("delivery %+v, want dropped", d)
			}
			if s.count() != 0 {
				t.Errorf("%d requests to a blocked domain", s.count())
			}
		})
	}
}

func TestDeliverySigned(t *testing.T) {
	r := newDQRig(t, dqConfig)
	s := newDQSink(t, http.StatusAccepted)
	keyID := r.actor + "#main-key"
	key, err := r.ring.Get(r.ctx, keys.Forum(r.forum))
	if err != nil {
		t.Fatal(err)
	}
	pub := key.Signer.Public()
	s.check = func(req *http.Request, body []byte) error {
		_, err := signature.Verify(req, body, dqKey{keyID: keyID, pub: pub}, signature.Options{Now: r.clock.Now})
		return err
	}
	r.queue(s.inbox())
	r.attempt()
	if len(s.checkErrs) > 0 {
		t.Fatalf("signature refused: %v", s.checkErrs)
	}
	reqs := s.received()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	req := reqs[0]
	if req.Method != http.MethodPost || req.Path != "/inbox" {
		t.Errorf("%s %s, want POST /inbox", req.Method, req.Path)
	}
	if ct := req.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/activity+json") {
		t.Errorf("Content-Type %q", ct)
	}
	sig := req.Header.Get("Signature")
	if !strings.Contains(sig, `keyId="`+keyID+`"`) {
		t.Errorf("Signature %q does not name keyId %s", sig, keyID)
	}
	for _, h := range []string{"(request-target)", "host", "date", "digest"} {
		if !strings.Contains(sig, h) {
			t.Errorf("Signature %q does not sign %s", sig, h)
		}
	}
	sum := sha256.Sum256(req.Body)
	if want := "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:]); req.Header.Get("Digest") != want {
		t.Errorf("Digest %q, want %q", req.Header.Get("Digest"), want)
	}
	if d := r.only(); d.State != "done" {
		t.Errorf("delivery %+v, want done", d)
	}
}

type dqKey struct {
	keyID string
	pub   crypto.PublicKey
}

func (k dqKey) PublicKey(_ context.Context, keyID string, _ bool) (crypto.PublicKey, error) {
	if keyID != k.keyID {
		return nil, fmt.Errorf("unknown key %s", keyID)
	}
	return k.pub, nil
}

// Each inbox queued gets the activity once: a shared inbox once however
// many of its host's actors it stands for (the publisher's inbox set
// already holds it once: see federation's TestFollowerInboxesOncePerSharedInbox),
// and the same inbox twice in one activity is one delivery.
func TestDeliveryOncePerInbox(t *testing.T) {
	r := newDQRig(t, dqConfig)
	s := newDQSink(t, http.StatusAccepted)
	other := newDQSink(t, http.StatusAccepted)
	r.queue(s.inbox(), other.srv.URL+"/u/dan/inbox")
	r.attempt()
	if reqs := s.received(); len(reqs) != 1 || reqs[0].Path != "/inbox" {
		t.Errorf("shared inbox host got %d requests (%v), want 1 POST /inbox", len(reqs), reqs)
	}
	if reqs := other.received(); len(reqs) != 1 || reqs[0].Path != "/u/dan/inbox" {
		t.Errorf("other host got %d requests, want 1 POST /u/dan/inbox", len(reqs))
	}
	r.queue(s.inbox(), s.inbox())
	r.attempt()
	if s.count() != 2 {
		t.Errorf("%d requests, want 2 (one per activity)", s.count())
	}
}

func TestRunDeliveriesFinishesInFlightOnShutdown(t *testing.T) {
	r := newDQRig(t, dqConfig)
	s := newDQSink(t, http.StatusAccepted)
	s.delay = 200 * time.Millisecond
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		r.runner.Run(ctx)
		close(done)
	}()
	r.queue(s.inbox())
	select {
	case <-s.arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the delivery was not sent within 10 s")
	}
	cancel() // the send in flight must still finish
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("runDeliveries did not return within 10 s of the cancellation")
	}
	if d := r.only(); d.State != "done" || d.Attempts != 1 || d.LeaseUntil != nil {
		t.Errorf("delivery %+v, want done after one attempt", d)
	}
	if h := r.host(s.host()); h.Delivered != 1 {
		t.Errorf("host health %+v, want 1 delivered", h)
	}
}

func TestRunDeliveriesPerHostLimit(t *testing.T) {
	cfg := dqConfig
	cfg.Workers, cfg.PerHost = 8, 2
	r := newDQRig(t, cfg)
	s := newDQSink(t, http.StatusAccepted)
	var mu sync.Mutex
	inFlight, peak := 0, 0
	release := make(chan struct{})
	s.check = func(*http.Request, []byte) error {
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		mu.Unlock()
		<-release
		mu.Lock()
		inFlight--
		mu.Unlock()
		return nil
	}
	for range 6 {
		r.queue(s.inbox())
	}
	ctx, cancel := context.WithCancel(r.ctx)
	done := make(chan struct{})
	go func() {
		r.runner.Run(ctx)
		close(done)
	}()
	for range cfg.PerHost {
		<-s.arrived
	}
	// Give the pool a chance to exceed the limit, if it would.
	select {
	case <-s.arrived:
		t.Error("a third send to one host started while two were in flight")
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	deadline := time.Now().Add(10 * time.Second)
	for s.count() < 6 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if peak > cfg.PerHost {
		t.Errorf("%d sends to one host at once, want at most %d", peak, cfg.PerHost)
	}
	for _, d := range r.deliveries() {
		if d.State != "done" {
			t.Errorf("delivery %+v, want done", d)
		}
	}
}

// STYLE.md §7: messages for a failing host are kept in order. A delivery
// queued after one that failed must not overtake it.
func TestDeliveryOrderPerFailingHost(t *testing.T) {
	r := newDQRig(t, dqConfig)
	s := newDQSink(t, http.StatusServiceUnavailable)
	first := r.queue(s.inbox())
	r.attempt() // fails: waits for its retry
	s.set(http.StatusAccepted)
	second := r.queue(s.inbox())
	r.attempt()
	r.clock.Advance(time.Hour)
	r.attempt()
	reqs := s.received()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3 (a failure, then both activities)", len(reqs))
	}
	if string(reqs[1].Body) != string(reqs[0].Body) {
		t.Errorf("activity %s (queued second) was delivered before %s, which was queued first and awaited its retry",
			second, first)
	}
}

// Concurrent failed sends to one host (PerHost > 1) must each count in
// the host's record, or the circuit opens later than BreakerAfter says.
func TestDeliveryHostHealthUnderConcurrency(t *testing.T) {
	cfg := dqConfig
	cfg.Workers, cfg.PerHost, cfg.BreakerAfter = 8, 4, 100
	r := newDQRig(t, cfg)
	s := newDQSink(t, http.StatusInternalServerError)
	var all sync.WaitGroup
	all.Add(cfg.PerHost)
	s.check = func(*http.Request, []byte) error {
		all.Done()
		all.Wait() // answer once all four are in flight
		return nil
	}
	for range cfg.PerHost {
		r.queue(s.inbox())
	}
	ctx, cancel := context.WithCancel(r.ctx)
	done := make(chan struct{})
	go func() {
		r.runner.Run(ctx)
		close(done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		settled := true
		for _, d := range r.deliveries() {
			settled = settled && d.Attempts == 1 && d.LeaseUntil == nil
		}
		if settled {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if h := r.host(s.host()); h.Failed != cfg.PerHost || h.ConsecutiveFails != cfg.PerHost {
		t.Errorf("host health %+v after %d concurrent failures, want Failed and ConsecutiveFails %d",
			h, cfg.PerHost, cfg.PerHost)
	}
}

// An inbox at an address the SSRF guard refuses fails at once, and says
// nothing about the host's health: the fault is ours to refuse, not theirs.
func TestDeliveryToRefusedAddressFailsAtOnce(t *testing.T) {
	r := newDQRig(t, dqConfig)
	r.queue("http://10.0.0.1/inbox")
	r.attempt()
	if d := r.only(); d.State != "failed" || d.Attempts != 1 {
		t.Errorf("delivery %+v, want failed after one attempt", d)
	}
	if h := r.host("10.0.0.1"); h != nil && (h.Failed != 0 || h.ConsecutiveFails != 0) {
		t.Errorf("host record %+v counts our refusal against the host", h)
	}
	r.clock.Advance(24 * time.Hour)
	if ds := r.attempt(); len(ds) != 0 {
		t.Errorf("refused delivery claimed again: %+v", ds)
	}
}
