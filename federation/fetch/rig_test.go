package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// fakeResolver answers from a fixed table and never touches DNS.
type fakeResolver map[string][]string

func (r fakeResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	ss, ok := r[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []net.IPAddr
	for _, s := range ss {
		a := netip.MustParseAddr(s)
		out = append(out, net.IPAddr{IP: net.IP(a.AsSlice()), Zone: a.Zone()})
	}
	return out, nil
}

// errNotLoopback is what the test dialer answers for a non-loopback address:
// tests never send traffic anywhere but 127.0.0.1.
var errNotLoopback = errors.New("test dialer: refusing a non-loopback address")

// dialRecorder is the raw dialer of test clients: it records every address
// it is asked to dial and connects only to loopback ones.
type dialRecorder struct {
	mu    sync.Mutex
	addrs []string
	block bool // wait for the context instead of dialling
}

func (d *dialRecorder) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.addrs = append(d.addrs, addr)
	d.mu.Unlock()
	if d.block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || !ap.Addr().IsLoopback() {
		return nil, fmt.Errorf("%w: %s", errNotLoopback, addr)
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, addr)
}

func (d *dialRecorder) dialed() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.addrs...)
}

// testConfig is loopback-friendly with short timeouts and a fake resolver.
func testConfig() Config {
	return Config{
		AllowLoopback:  true,
		ConnectTimeout: time.Second,
		Timeout:        2 * time.Second,
		Resolver: fakeResolver{
			"peer.example":  {"127.0.0.1"},
			"evil.example":  {"10.0.0.1"},
			"meta.example":  {"169.254.169.254"},
			"mixed.example": {"127.0.0.1", "10.0.0.1"},
		},
	}
}

func newTestClient(t *testing.T, cfg Config) (*Client, *dialRecorder) {
	t.Helper()
	d := &dialRecorder{}
	c := newClient(cfg, d.dial, nil)
	t.Cleanup(c.CloseIdleConnections)
	return c, d
}

// apServer serves, at every path, an ActivityPub document whose id is the
// URL it was fetched at through host (the name the client uses).
func apServer(t *testing.T, host func(r *http.Request) string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/activity+json")
		fmt.Fprintf(w, `{"@context":"https://www.w3.org/ns/activitystreams","id":"http://%s%s","type":"Note"}`, host(r), r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func requestHost(r *http.Request) string { return r.Host }

func mustErrorIs(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}
