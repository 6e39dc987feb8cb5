package fetch

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		ip       string
		loopback bool
		refused  bool
	}{
		{"93.184.216.34", false, false},
		{"8.8.8.8", false, false},
		{"2606:4700::1111", false, false},
		{"127.0.0.1", true, false},
		{"127.255.255.254", true, false},
		{"::1", true, false},
		{"::ffff:127.0.0.1", true, false},
		{"10.0.0.1", false, true},
		{"172.16.0.1", false, true},
		{"172.31.255.255", false, true},
		{"192.168.1.1", false, true},
		{"169.254.169.254", false, true},
		{"100.64.0.1", false, true},
		{"100.127.255.255", false, true},
		{"0.0.0.0", false, true},
		{"0.1.2.3", false, true},
		{"224.0.0.1", false, true},
		{"239.255.255.250", false, true},
		{"255.255.255.255", false, true},
		{"240.0.0.1", false, true},
		{"192.0.2.1", false, true},
		{"198.51.100.1", false, true},
		{"203.0.113.1", false, true},
		{"198.18.0.1", false, true},
		{"192.0.0.170", false, true},
		{"::", false, true},
		{"fc00::1", false, true},
		{"fd12:3456::1", false, true},
		{"fe80::1", false, true},
		{"fe80::1%eth0", false, true},
		{"fec0::1", false, true},
		{"ff02::1", false, true},
		{"::ffff:10.0.0.1", false, true},
		{"::ffff:169.254.169.254", false, true},
		{"::ffff:0.0.0.0", false, true},
		{"::10.0.0.1", false, true},          // IPv4-compatible
		{"::127.0.0.1", false, true},         // IPv4-compatible, not loopback
		{"64:ff9b::a00:1", false, true},      // NAT64 of 10.0.0.1
		{"64:ff9b::7f00:1", false, true},     // NAT64 of 127.0.0.1
		{"64:ff9b::5db8:d822", false, false}, // NAT64 of 93.184.216.34
		{"64:ff9b:1::1", false, true},
		{"2001:db8::1", false, true},
		{"2002:a00:1::1", false, true},       // 6to4
		{"2001:0:4136:e378::1", false, true}, // Teredo
		{"100::1", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			_, loopback, refused := classify(netip.MustParseAddr(tt.ip))
			if loopback != tt.loopback || (refused != "") != tt.refused {
				t.Errorf("classify(%s) = loopback %v, refused %q; want loopback %v, refused %v",
					tt.ip, loopback, refused, tt.loopback, tt.refused)
			}
		})
	}
}

// TestForbiddenAddressNeverDialled: a host resolving to any refused address
// is refused before a connection is attempted; the raw dialer is never
// called. Loopback is allowed in this config, so only the other ranges are
// refused here (see TestLoopbackNeedsConfig).
func TestForbiddenAddressNeverDialled(t *testing.T) {
	resolver := fakeResolver{
		"private.example":    {"10.0.0.1"},
		"private6.example":   {"fd00::1"},
		"meta.example":       {"169.254.169.254"},
		"linklocal6.example": {"fe80::1"},
		"cgnat.example":      {"100.64.0.1"},
		"zero.example":       {"0.0.0.0"},
		"bcast.example":      {"255.255.255.255"},
		"mcast.example":      {"224.0.0.1"},
		"mapped.example":     {"::ffff:192.168.0.1"},
		"mixed.example":      {"127.0.0.1", "10.0.0.1"},      // one good, one bad: refused
		"mixed2.example":     {"8.8.8.8", "169.254.169.254"}, // order does not matter
		"nat64.example":      {"64:ff9b::a9fe:a9fe"},         // 169.254.169.254
	}
	urls := []string{
		"http://10.0.0.1/x",
		"http://169.254.169.254/latest/meta-data/",
		"http://[fd00::1]/x",
		"http://[::ffff:10.0.0.1]/x",
		"http://0.0.0.0/x",
		"https://[fe80::1%25eth0]/x",
	}
	for h := range resolver {
		urls = append(urls, "http://"+h+"/x", "https://"+h+"/x")
	}
	for _, u := range urls {
		t.Run(u, func(t *testing.T) {
			cfg := testConfig()
			cfg.Resolver = resolver
			c, d := newTestClient(t, cfg)
			_, err := c.GetObject(context.Background(), u)
			mustErrorIs(t, err, ErrForbiddenAddress)
			_, err = c.Post(context.Background(), u, "application/activity+json", []byte(`{}`))
			mustErrorIs(t, err, ErrForbiddenAddress)
			if got := d.dialed(); len(got) != 0 {
				t.Fatalf("dialled %v", got)
			}
		})
	}
}

// TestLoopbackNeedsConfig: loopback peers, in every spelling, are refused
// unless AllowLoopback; with it they are dialled on any port.
func TestLoopbackNeedsConfig(t *testing.T) {
	srv := apServer(t, requestHost)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	resolver := fakeResolver{
		"lo.example":     {"127.0.0.1"},
		"mapped.example": {"::ffff:127.0.0.1"},
		"lo6.example":    {"::1"},
	}
	for _, host := range []string{"127.0.0.1", "lo.example", "mapped.example", "lo6.example", "[::1]", "[::ffff:127.0.0.1]"} {
		t.Run(host, func(t *testing.T) {
			cfg := testConfig()
			cfg.AllowLoopback = false
			cfg.Resolver = resolver
			c, d := newTestClient(t, cfg)
			_, err := c.GetObject(context.Background(), "http://"+host+":"+port+"/x")
			mustErrorIs(t, err, ErrForbiddenAddress)
			if got := d.dialed(); len(got) != 0 {
				t.Fatalf("dialled %v", got)
			}
		})
	}
	for _, host := range []string{"127.0.0.1", "lo.example", "mapped.example"} {
		t.Run("allowed/"+host, func(t *testing.T) {
			cfg := testConfig()
			cfg.Resolver = resolver
			c, d := newTestClient(t, cfg)
			doc, err := c.GetObject(context.Background(), "http://"+host+":"+port+"/x")
			if err != nil {
				t.Fatal(err)
			}
			if want := "http://" + host + ":" + port + "/x"; doc.URL != want {
				t.Errorf("URL = %q, want %q", doc.URL, want)
			}
			if got, want := d.dialed(), []string{"127.0.0.1:" + port}; !slices.Equal(got, want) {
				t.Errorf("dialled %v, want %v (the checked IP, not the name)", got, want)
			}
		})
	}
}

// TestDialsCheckedIP: for a public name the dialer receives the checked IP
// and port, never the name (the test dialer refuses to connect, so nothing
// leaves the machine).
func TestDialsCheckedIP(t *testing.T) {
	cfg := testConfig()
	cfg.Resolver = fakeResolver{"good.example": {"93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"}}
	c, d := newTestClient(t, cfg)
	_, err := c.GetObject(context.Background(), "https://good.example/u/ana")
	mustErrorIs(t, err, errNotLoopback)
	want := []string{"93.184.216.34:443", "[2606:2800:220:1:248:1893:25c8:1946]:443"}
	if got := d.dialed(); !slices.Equal(got, want) {
		t.Errorf("dialled %v, want %v", got, want)
	}
}

// TestURLRules: scheme, userinfo, host and ports.
func TestURLRules(t *testing.T) {
	cfg := testConfig()
	cfg.AllowLoopback = false
	cfg.Resolver = fakeResolver{"good.example": {"93.184.216.34"}}
	tests := []struct {
		url  string
		want error
	}{
		{"ftp://good.example/x", ErrForbiddenURL},
		{"file:///etc/passwd", ErrForbiddenURL},
		{"gopher://good.example/x", ErrForbiddenURL},
		{"good.example/x", ErrForbiddenURL},
		{"//good.example/x", ErrForbiddenURL},
		{"https://user:pw@good.example/x", ErrForbiddenURL},
		{"https://user@good.example/x", ErrForbiddenURL},
		{"https:///x", ErrForbiddenURL},
		{"https://good.example:99999/x", ErrForbiddenURL},
		{"https://good.example:abc/x", ErrForbiddenURL},
		{"http://good.example:8080/x", ErrForbiddenAddress},
		{"https://good.example:22/x", ErrForbiddenAddress},
		{"http://93.184.216.34:6379/x", ErrForbiddenAddress},
		{"https://good.example:0/x", ErrForbiddenURL},
		{"https://nxdomain.example/x", nil}, // resolution failure: an error, no dial
		{"https://good.example/x", errNotLoopback},
		{"http://good.example/x", errNotLoopback},
		{"https://good.example:443/x", errNotLoopback},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c, d := newTestClient(t, cfg)
			_, err := c.GetObject(context.Background(), tt.url)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if n := len(d.dialed()); (tt.want == errNotLoopback) != (n > 0) {
				t.Fatalf("dialled %v", d.dialed())
			}
		})
	}
}

// TestAllowedPorts: a configured port list replaces the default.
func TestAllowedPorts(t *testing.T) {
	cfg := testConfig()
	cfg.AllowedPorts = []int{8443}
	cfg.Resolver = fakeResolver{"good.example": {"93.184.216.34"}}
	c, d := newTestClient(t, cfg)
	_, err := c.GetObject(context.Background(), "https://good.example/x")
	mustErrorIs(t, err, ErrForbiddenAddress)
	_, err = c.GetObject(context.Background(), "https://good.example:8443/x")
	mustErrorIs(t, err, errNotLoopback)
	if got, want := d.dialed(), []string{"93.184.216.34:8443"}; !slices.Equal(got, want) {
		t.Errorf("dialled %v, want %v", got, want)
	}
}

// TestControlHook: the net.Dialer Control hook of the default dialer
// refuses what the checks refuse (second line of defence).
func TestControlHook(t *testing.T) {
	c := New(Config{})
	for addr, ok := range map[string]bool{
		"93.184.216.34:443":                        true,
		"93.184.216.34:25":                         false,
		"10.0.0.1:443":                             false,
		"127.0.0.1:443":                            false,
		"[::ffff:10.0.0.1]:80":                     false,
		"[2606:2800:220:1:248:1893:25c8:1946]:443": true,
	} {
		err := c.control("tcp", addr, nil)
		if (err == nil) != ok {
			t.Errorf("control(%s) = %v, want ok=%v", addr, err, ok)
		}
	}
}

// TestNoProxy: the environment's proxy is never used.
func TestNoProxy(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:1")
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:1")
	c := New(Config{})
	if c.transport.Proxy != nil {
		t.Fatal("transport has a proxy function")
	}
}
