package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// TestBlocksCovers: what a block covers — the host, its subdomains and
// every port, in any case, with or without the trailing dot, written in
// Unicode or punycode — and what it does not: look-alike names, parents,
// other ports of a host:port block, parents of an IP address.
func TestBlocksCovers(t *testing.T) {
	b := NewBlocks([]string{"bad.example", "Port.Example:8443", "bäd.example", "xn--spm-rla.example", "10.0.0.7", "[2001:db8::7]:8443", "2001:db8::8"})
	tests := []struct {
		host string
		want bool
	}{
		{"bad.example", true},
		{"x.bad.example", true},
		{"a.b.bad.example", true},
		{"bad.example:8443", true},
		{"x.bad.example:443", true},
		{"BAD.Example", true},
		{"X.BAD.EXAMPLE:80", true},
		{"bad.example.", true},
		{"notbad.example", false},
		{"bad.example.org", false},
		{"example", false},
		{"bad-example", false},
		{"port.example:8443", true},
		{"a.port.example:8443", true},
		{"port.example", false},
		{"port.example:443", false},
		{"xn--bd-via.example", true}, // bäd.example blocked in Unicode
		{"bäd.example", true},
		{"BÄD.example", true},
		{"x.bäd.example:8443", true},
		{"späm.example", true}, // blocked in punycode
		{"spam.example", false},
		{"10.0.0.7", true},
		{"10.0.0.7:8443", true},
		{"110.0.0.7", false},
		{"2001:db8::7", false},
		{"[2001:db8::7]:8443", true},
		{"[2001:db8::7]:443", false},
		{"[2001:db8::8]:443", true},
		{"", false},
	}
	for _, tt := range tests {
		if got := b.Covers(tt.host); got != tt.want {
			t.Errorf("Covers(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
	if NewBlocks([]string{"0.0.7"}).Covers("10.0.0.7") {
		t.Error("an IP address is covered by a block of its last octets")
	}
	if NewBlocks(nil).Covers("bad.example") {
		t.Error("an empty set blocks")
	}
}

func TestCanonicalHost(t *testing.T) {
	tests := []struct{ url, want string }{
		{"https://Bad.Example/x", "bad.example"},
		{"https://bad.example./x", "bad.example"},
		{"https://bad.example:8443/x", "bad.example:8443"},
		{"https://BÄD.example/x", "xn--bd-via.example"},
		{"https://[2001:DB8::1]:8443/x", "[2001:db8::1]:8443"},
		{"https://[2001:db8::1]/x", "2001:db8::1"},
		{"http://127.0.0.7:9000/x", "127.0.0.7:9000"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		got, err := CanonicalHost(u)
		if err != nil || got != tt.want {
			t.Errorf("CanonicalHost(%s) = %q, %v; want %q", tt.url, got, err, tt.want)
		}
	}
}

// staticBlocklist answers from a fixed set, and counts the questions.
type staticBlocklist struct {
	blocks Blocks
	asked  atomic.Int32
	err    error
}

func (s *staticBlocklist) Blocked(_ context.Context, host string) (bool, error) {
	s.asked.Add(1)
	return s.blocks.Covers(host), s.err
}

// blockRig is one loopback server that every test name resolves to, and
// counts every request it receives; /to?u=URL redirects to URL.
func blockRig(t *testing.T, bl Blocklist) (c *Client, port string, hits *atomic.Int32) {
	t.Helper()
	hits = &atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch {
		case r.URL.Path == "/to":
			http.Redirect(w, r, r.URL.Query().Get("u"), http.StatusFound)
		case r.URL.Path == "/.well-known/webfinger":
			w.Header().Set("Content-Type", "application/jrd+json")
			fmt.Fprint(w, `{"subject":"acct:ana@peer.example"}`)
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusAccepted)
		default:
			w.Header().Set("Content-Type", "application/activity+json")
			fmt.Fprintf(w, `{"id":"http://%s%s","type":"Note"}`, r.Host, r.URL.Path)
		}
	}))
	t.Cleanup(srv.Close)
	_, port, _ = strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	cfg := testConfig()
	res := fakeResolver{}
	for _, name := range []string{"peer.example", "bad.example", "x.bad.example", "a.b.bad.example", "notbad.example",
		"xn--bd-via.example", "port.example"} {
		res[name] = []string{"127.0.0.1"}
	}
	cfg.Resolver = res
	cfg.Blocklist = bl
	c, _ = newTestClient(t, cfg)
	return c, port, hits
}

// TestClientRefusesBlockedHosts: GetObject, GetJRD and Post never reach a
// blocked host — nor a redirect's target on one — and fail with
// ErrBlocked; other hosts, look-alikes included, are reached as before.
func TestClientRefusesBlockedHosts(t *testing.T) {
	bl := &staticBlocklist{}
	c, port, hits := blockRig(t, bl)
	bl.blocks = NewBlocks([]string{"bad.example", "bäd.example", "port.example:" + port})
	at := func(host, path string) string { return "http://" + host + ":" + port + path }
	type call func(ctx context.Context, u string) error
	get := func(ctx context.Context, u string) error { _, err := c.GetObject(ctx, u); return err }
	jrd := func(ctx context.Context, u string) error { _, err := c.GetJRD(ctx, u); return err }
	post := func(ctx context.Context, u string) error {
		_, err := c.Post(ctx, u, "application/activity+json", []byte(`{}`))
		return err
	}
	tests := []struct {
		name     string
		do       call
		url      string
		blocked  bool
		wantHits int32 // requests the server receives
	}{
		{"exact host", get, at("bad.example", "/n/1"), true, 0},
		{"subdomain", get, at("x.bad.example", "/n/1"), true, 0},
		{"deeper subdomain", get, at("a.b.bad.example", "/n/1"), true, 0},
		{"upper case", get, at("X.BAD.EXAMPLE", "/n/1"), true, 0},
		{"trailing dot", get, at("bad.example.", "/n/1"), true, 0},
		{"IDN in Unicode", get, at("BÄD.example", "/n/1"), true, 0},
		{"IDN in punycode", get, at("xn--bd-via.example", "/n/1"), true, 0},
		{"host:port block", get, at("port.example", "/n/1"), true, 0},
		{"look-alike not blocked", get, at("notbad.example", "/n/1"), false, 1},
		{"unblocked", get, at("peer.example", "/n/1"), false, 1},
		{"redirect to a blocked host", get, at("peer.example", "/to?u="+url.QueryEscape(at("bad.example", "/n/1"))), true, 1},
		{"redirect to a blocked subdomain", get, at("peer.example", "/to?u="+url.QueryEscape(at("x.bad.example", "/n/1"))), true, 1},
		{"WebFinger", jrd, at("x.bad.example", "/.well-known/webfinger?resource=acct:ana@x.bad.example"), true, 0},
		{"WebFinger redirected", jrd, at("peer.example", "/to?u="+url.QueryEscape(at("bad.example", "/.well-known/webfinger"))), true, 1},
		{"WebFinger unblocked", jrd, at("peer.example", "/.well-known/webfinger?resource=acct:ana@peer.example"), false, 1},
		{"delivery", post, at("x.bad.example", "/inbox"), true, 0},
		{"delivery unblocked", post, at("notbad.example", "/inbox"), false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := hits.Load()
			err := tt.do(context.Background(), tt.url)
			if tt.blocked {
				mustErrorIs(t, err, ErrBlocked)
			} else if err != nil {
				t.Fatalf("unblocked host: %v", err)
			}
			if got := hits.Load() - before; got != tt.wantHits {
				t.Errorf("the server received %d request(s), want %d", got, tt.wantHits)
			}
		})
	}
}

// TestClientBlocklistFailsClosed: a block list that cannot answer stops
// the request (with its own error, not ErrBlocked: the failure is ours and
// passes); a blocked request spends no budget.
func TestClientBlocklistFailsClosed(t *testing.T) {
	down := errors.New("database down")
	bl := &staticBlocklist{err: down}
	c, port, hits := blockRig(t, bl)
	_, err := c.GetObject(context.Background(), "http://peer.example:"+port+"/n/1")
	mustErrorIs(t, err, down)
	if errors.Is(err, ErrBlocked) {
		t.Errorf("an unavailable block list reads as a block: %v", err)
	}
	if hits.Load() != 0 || bl.asked.Load() != 1 {
		t.Errorf("server hits %d, block list asked %d times; want 0 and 1", hits.Load(), bl.asked.Load())
	}

	bl.err = nil
	bl.blocks = NewBlocks([]string{"bad.example"})
	ctx := WithBudget(context.Background(), 1)
	_, err = c.GetObject(ctx, "http://bad.example:"+port+"/n/1")
	mustErrorIs(t, err, ErrBlocked)
	if _, err := c.GetObject(ctx, "http://peer.example:"+port+"/n/1"); err != nil {
		t.Errorf("the blocked request spent the budget: %v", err)
	}
}
