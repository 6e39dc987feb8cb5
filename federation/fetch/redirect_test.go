package fetch

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// chainServer redirects /hop/N to /hop/N-1 until /hop/0, which serves a
// document whose id is its URL.
func chainServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hop/"))
		if n > 0 {
			http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/activity+json")
		fmt.Fprint(w, idBody(r))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestRedirectLimit(t *testing.T) {
	srv, _ := chainServer(t)
	tests := []struct {
		maxRedirects, hops int
		want               error
	}{
		{0, 3, nil}, // default 3
		{0, 4, ErrTooManyRedirects},
		{1, 1, nil},
		{1, 2, ErrTooManyRedirects},
		{-1, 0, nil},
		{-1, 1, ErrTooManyRedirects},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("max%d/hops%d", tt.maxRedirects, tt.hops), func(t *testing.T) {
			cfg := testConfig()
			cfg.MaxRedirects = tt.maxRedirects
			c, _ := newTestClient(t, cfg)
			doc, err := c.GetObject(context.Background(), fmt.Sprintf("%s/hop/%d", srv.URL, tt.hops))
			if tt.want != nil {
				mustErrorIs(t, err, tt.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if doc.URL != srv.URL+"/hop/0" {
				t.Errorf("URL = %q, want the final URL %s/hop/0", doc.URL, srv.URL)
			}
		})
	}
}

// TestRedirectRevalidated: each hop passes the same rules; a redirect from
// an allowed loopback server to a forbidden address or URL is refused
// without dialling it.
func TestRedirectRevalidated(t *testing.T) {
	tests := []struct {
		location string
		want     error
	}{
		{"http://10.0.0.1/x", ErrForbiddenAddress},
		{"http://169.254.169.254/latest/meta-data/", ErrForbiddenAddress},
		{"http://evil.example/x", ErrForbiddenAddress},
		{"http://meta.example/x", ErrForbiddenAddress},
		{"http://mixed.example/x", ErrForbiddenAddress},
		{"http://[::ffff:10.0.0.1]/x", ErrForbiddenAddress},
		{"http://user:pw@peer.example/x", ErrForbiddenURL},
		{"ftp://peer.example/x", ErrForbiddenURL},
		{"file:///etc/passwd", ErrForbiddenURL},
	}
	for _, tt := range tests {
		t.Run(tt.location, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", tt.location)
				w.WriteHeader(http.StatusFound)
			}))
			defer srv.Close()
			c, d := newTestClient(t, testConfig())
			_, err := c.GetObject(context.Background(), srv.URL+"/start")
			mustErrorIs(t, err, tt.want)
			for _, a := range d.dialed() {
				if !strings.HasPrefix(a, "127.0.0.1:") {
					t.Errorf("dialled %s", a)
				}
			}
		})
	}
}

// TestRedirectNoDowngrade: a redirect from https to http is refused.
func TestRedirectNoDowngrade(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+r.Host+"/plain", http.StatusFound)
	}))
	defer srv.Close()
	d := &dialRecorder{}
	c := newClient(testConfig(), d.dial, srv.Client().Transport.(*http.Transport).TLSClientConfig)
	defer c.CloseIdleConnections()
	_, err := c.GetObject(context.Background(), srv.URL+"/x")
	mustErrorIs(t, err, ErrForbiddenURL)
}

// TestRedirectIDMustBeFinalURL: after a redirect the id must match the
// final URL, not the one first asked for.
func TestRedirectIDMustBeFinalURL(t *testing.T) {
	var first string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/new", http.StatusMovedPermanently)
			return
		}
		w.Header().Set("Content-Type", "application/activity+json")
		fmt.Fprintf(w, `{"id":%q}`, first)
	}))
	defer srv.Close()
	first = srv.URL + "/old"
	c, _ := newTestClient(t, testConfig())
	_, err := c.GetObject(context.Background(), first)
	mustErrorIs(t, err, ErrIDMismatch)
}
