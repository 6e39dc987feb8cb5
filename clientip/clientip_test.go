package clientip

import (
	"net/http/httptest"
	"testing"
)

func TestOf(t *testing.T) {
	tests := []struct {
		name    string
		trusted string
		remote  string
		xff     []string
		want    string
	}{
		{"no proxy trusted: the connection", "", "203.0.113.7:5000", nil, "203.0.113.7"},
		{"no proxy trusted: a forged header is ignored", "", "203.0.113.7:5000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"an untrusted peer's header is ignored", "10.0.0.0/8", "203.0.113.7:5000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"behind a trusted proxy", "10.0.0.0/8", "10.0.0.2:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a forged hop left of the real one", "10.0.0.0/8", "10.0.0.2:5000", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"two trusted proxies", "10.0.0.0/8, 172.16.0.0/12", "10.0.0.2:5000", []string{"198.51.100.1, 172.16.0.9"}, "198.51.100.1"},
		{"several header lines", "10.0.0.2", "10.0.0.2:5000", []string{"1.2.3.4", "198.51.100.1"}, "198.51.100.1"},
		{"IPv6 client", "10.0.0.0/8", "10.0.0.2:5000", []string{"2001:db8::1"}, "2001:db8::1"},
		{"IPv4-mapped proxy", "10.0.0.0/8", "[::ffff:10.0.0.2]:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"trusted proxy without a header", "10.0.0.0/8", "10.0.0.2:5000", nil, "10.0.0.2"},
		{"every hop trusted", "10.0.0.0/8", "10.0.0.2:5000", []string{"10.0.0.3"}, "10.0.0.2"},
		{"malformed header", "10.0.0.0/8", "10.0.0.2:5000", []string{"not-an-ip"}, "10.0.0.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.trusted)
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			if got := r.Of(req); got != tt.want {
				t.Errorf("Of = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	for _, s := range []string{"10.0.0.0/33", "proxy.example", "10.0.0.1/8/1"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted it", s)
		}
	}
}
