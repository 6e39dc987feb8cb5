package signature

import (
	"bytes"
	"crypto"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// received is what the loopback inbox saw.
type received struct {
	date, digest, signature string
	body                    string
	result                  Result
	err                     error
}

// inbox starts a loopback server whose handler runs Verify on every request
// with the same clock as the sender.
func inbox(t *testing.T, pub crypto.PublicKey, clk *clock) (*httptest.Server, *[]received) {
	t.Helper()
	var (
		mu  sync.Mutex
		got []received
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		res, err := Verify(r, body, &fakeKeys{cached: pub}, Options{Now: clk.Now})
		mu.Lock()
		got = append(got, received{
			date: r.Header.Get("Date"), digest: r.Header.Get("Digest"), signature: r.Header.Get("Signature"),
			body: string(body), result: res, err: err,
		})
		mu.Unlock()
		if err != nil {
			http.Error(w, err.Error(), HTTPStatus(err))
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

func TestTransportSignsVerifiably(t *testing.T) {
	ks := testKeys()
	for _, tc := range []struct {
		name, method, path, body string
		key                      crypto.Signer
		wantHeaders, wantAlg     string
	}{
		{"POST rsa", http.MethodPost, "/inbox", testBody, ks.rsa, `headers="(request-target) host date digest"`, `algorithm="rsa-sha256"`},
		{"GET rsa", http.MethodGet, "/users/ana?page=true", "", ks.rsa, `headers="(request-target) host date"`, `algorithm="rsa-sha256"`},
		{"HEAD rsa", http.MethodHead, "/users/ana", "", ks.rsa, `headers="(request-target) host date"`, `algorithm="rsa-sha256"`},
		{"POST ed25519", http.MethodPost, "/inbox", testBody, ks.ed, `headers="(request-target) host date digest"`, `algorithm="ed25519"`},
		{"POST escaped path", http.MethodPost, "/forums/caf%C3%A9%2Fbar/inbox?x=1&y=%20", testBody, ks.rsa, `digest"`, `rsa-sha256`},
		{"PUT empty body", http.MethodPut, "/inbox", "", ks.rsa, `headers="(request-target) host date digest"`, `rsa-sha256`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock{t: testNow}
			srv, got := inbox(t, tc.key.Public(), clk)
			client := &http.Client{Transport: &Transport{Base: srv.Client().Transport, KeyID: testKeyID, Key: tc.key, Now: clk.Now}}
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, body)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if len(*got) != 1 {
				t.Fatalf("inbox saw %d requests", len(*got))
			}
			g := (*got)[0]
			if g.err != nil || resp.StatusCode != http.StatusAccepted {
				t.Fatalf("status %d, Verify: %v", resp.StatusCode, g.err)
			}
			if g.result.KeyID != testKeyID || g.body != tc.body || g.date != testNow.Format(http.TimeFormat) {
				t.Errorf("got %+v", g)
			}
			if !strings.Contains(g.signature, tc.wantHeaders) || !strings.Contains(g.signature, tc.wantAlg) {
				t.Errorf("Signature = %s, want %s and %s", g.signature, tc.wantHeaders, tc.wantAlg)
			}
			if len(req.Header) != 0 {
				t.Errorf("caller's request was modified: %v", req.Header)
			}
		})
	}
}

// A retry (the transport used again on a clone of the request, after the
// clock advanced) carries a new Date and a signature that verifies.
func TestTransportRetryResigns(t *testing.T) {
	ks := testKeys()
	clk := &clock{t: testNow}
	srv, got := inbox(t, ks.rsa.Public(), clk)
	tr := &Transport{Base: srv.Client().Transport, KeyID: testKeyIDAlt, Key: ks.rsa, Now: clk.Now}

	req, err := http.NewRequest(http.MethodPost, srv.URL+"/inbox", bytes.NewReader([]byte(testBody)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/activity+json")
	want := req.Header.Clone()
	for i := 0; i < 2; i++ {
		resp, err := tr.RoundTrip(req.Clone(req.Context())) // the clone shares the consumed Body; GetBody replays it
		if err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
		resp.Body.Close()
		clk.Advance(90 * time.Minute) // past MaxSkew: a stale re-send would fail
	}
	if !reflect.DeepEqual(req.Header, want) {
		t.Errorf("caller's request headers modified: %v", req.Header)
	}
	if len(*got) != 2 {
		t.Fatalf("inbox saw %d requests", len(*got))
	}
	a, b := (*got)[0], (*got)[1]
	for i, g := range []received{a, b} {
		if g.err != nil || g.body != testBody || g.result.KeyID != testKeyIDAlt {
			t.Errorf("attempt %d: %+v", i, g)
		}
	}
	if a.date == b.date || a.signature == b.signature {
		t.Errorf("retry not re-signed: Date %q / %q", a.date, b.date)
	}
	if b.date != testNow.Add(90*time.Minute).Format(http.TimeFormat) {
		t.Errorf("retry Date = %q", b.date)
	}
}

// A request signed for one server fails at another: host is signed.
func TestTransportSignatureBoundToHost(t *testing.T) {
	ks := testKeys()
	clk := &clock{t: testNow}
	srv, got := inbox(t, ks.rsa.Public(), clk)
	var captured *http.Request
	capture := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		captured = r
		return &http.Response{StatusCode: 202, Body: http.NoBody, Request: r}, nil
	})
	tr := &Transport{Base: capture, KeyID: testKeyID, Key: ks.rsa, Now: clk.Now}
	req, _ := http.NewRequest(http.MethodPost, "https://city.example/inbox", strings.NewReader(testBody))
	if _, err := tr.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	replay, _ := http.NewRequest(http.MethodPost, srv.URL+"/inbox", strings.NewReader(testBody))
	for _, h := range []string{"Date", "Digest", "Signature"} {
		replay.Header.Set(h, captured.Header.Get(h))
	}
	if captured.Header.Get("Host") != "" {
		t.Errorf("Host left in the header map")
	}
	resp, err := srv.Client().Do(replay)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || len(*got) != 1 || (*got)[0].err == nil {
		t.Errorf("replay to another host: status %d", resp.StatusCode)
	}
}

func TestTransportRejectsBadConfig(t *testing.T) {
	ks := testKeys()
	never := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Fatal("sent an unsigned request")
		return nil, nil
	})
	for name, tr := range map[string]*Transport{
		"relative keyId": {Base: never, KeyID: "/users/bob#main-key", Key: ks.rsa},
		"no key":         {Base: never, KeyID: testKeyID},
	} {
		req, _ := http.NewRequest(http.MethodGet, "https://city.example/users/ana", nil)
		if _, err := tr.RoundTrip(req); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
