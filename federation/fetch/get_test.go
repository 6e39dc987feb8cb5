package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestGetObjectHeaders: Accept, User-Agent and the Host the peer sees.
func TestGetObjectHeaders(t *testing.T) {
	var got http.Header
	var host string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, host = r.Header.Clone(), r.Host
		w.Header().Set("Content-Type", "application/activity+json")
		fmt.Fprintf(w, `{"id":"http://%s%s"}`, r.Host, r.URL.Path)
	}))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	cfg := testConfig()
	cfg.UserAgent = "agora/test (+http://city.example)"
	c, _ := newTestClient(t, cfg)
	doc, err := c.GetObject(context.Background(), "http://peer.example:"+port+"/u/ana#main-key")
	if err != nil {
		t.Fatal(err)
	}
	if want := `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`; got.Get("Accept") != want {
		t.Errorf("Accept = %q, want %q", got.Get("Accept"), want)
	}
	if got.Get("User-Agent") != cfg.UserAgent {
		t.Errorf("User-Agent = %q", got.Get("User-Agent"))
	}
	if host != "peer.example:"+port {
		t.Errorf("Host = %q, want the name, not the IP", host)
	}
	if want := "http://peer.example:" + port + "/u/ana"; doc.URL != want {
		t.Errorf("URL = %q, want %q (fragment dropped)", doc.URL, want)
	}
	if doc.ContentType != "application/activity+json" {
		t.Errorf("ContentType = %q", doc.ContentType)
	}
}

// serve answers every request with the given status, content type and body.
func serve(t *testing.T, status int, ct string, body func(r *http.Request) string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body(r))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func idBody(r *http.Request) string {
	return fmt.Sprintf(`{"id":"http://%s%s","type":"Note"}`, r.Host, r.URL.Path)
}

func TestGetObjectContentType(t *testing.T) {
	tests := []struct {
		ct string
		ok bool
	}{
		{"application/activity+json", true},
		{"application/activity+json; charset=utf-8", true},
		{"Application/Activity+JSON", true},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, true},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams http://example.org/x"`, true},
		{`application/ld+json;profile=https://www.w3.org/ns/activitystreams`, false}, // unquoted URI: malformed parameter
		{"application/ld+json", false},
		{`application/ld+json; profile="http://example.org/other"`, false},
		{"application/json", false},
		{"text/html; charset=utf-8", false},
		{"text/plain", false},
		{"image/png", false},
		{"", false},
		{"application/activity+json;;;", false},
	}
	for _, tt := range tests {
		t.Run(tt.ct, func(t *testing.T) {
			srv := serve(t, 200, tt.ct, idBody)
			c, _ := newTestClient(t, testConfig())
			_, err := c.GetObject(context.Background(), srv.URL+"/note/1")
			if tt.ok && err != nil {
				t.Fatal(err)
			}
			if !tt.ok {
				mustErrorIs(t, err, ErrContentType)
			}
		})
	}
}

func TestGetObjectStatus(t *testing.T) {
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		status     int
		retryAfter string
		min, max   time.Duration
	}{
		{404, "", 0, 0},
		{410, "", 0, 0},
		{500, "", 0, 0},
		{429, "120", 120 * time.Second, 120 * time.Second},
		{503, date, 80 * time.Second, 91 * time.Second},
		{503, "soon", 0, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status, tt.retryAfter), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.Header().Set("Content-Type", "application/activity+json")
				w.WriteHeader(tt.status)
				fmt.Fprint(w, idBody(r))
			}))
			defer srv.Close()
			c, _ := newTestClient(t, testConfig())
			_, err := c.GetObject(context.Background(), srv.URL+"/x")
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("error = %v, want *StatusError", err)
			}
			if se.Code != tt.status || se.RetryAfter < tt.min || se.RetryAfter > tt.max {
				t.Errorf("got %+v, want code %d, retry after in [%s, %s]", se, tt.status, tt.min, tt.max)
			}
		})
	}
}

// padded returns a JSON object of exactly n bytes whose id is id.
func padded(id string, n int) string {
	s := fmt.Sprintf(`{"id":%q,"p":""}`, id)
	return s[:len(s)-2] + strings.Repeat("a", n-len(s)) + `"}`
}

func TestGetObjectBodyCap(t *testing.T) {
	const max = 1000
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request, id string)
		want    error
	}{
		{"exactly max", func(w http.ResponseWriter, r *http.Request, id string) {
			fmt.Fprint(w, padded(id, max))
		}, nil},
		{"max+1", func(w http.ResponseWriter, r *http.Request, id string) {
			fmt.Fprint(w, padded(id, max+1))
		}, ErrTooLarge},
		{"declared length too large", func(w http.ResponseWriter, r *http.Request, id string) {
			w.Header().Set("Content-Length", "1000000000")
			w.WriteHeader(200)
		}, ErrTooLarge},
		{"endless chunked body", func(w http.ResponseWriter, r *http.Request, id string) {
			chunk := []byte(strings.Repeat(" ", 512))
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/activity+json")
				tt.handler(w, r, "http://"+r.Host+r.URL.Path)
			}))
			defer srv.Close()
			cfg := testConfig()
			cfg.MaxBody = max
			c, _ := newTestClient(t, cfg)
			doc, err := c.GetObject(context.Background(), srv.URL+"/x")
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if len(doc.Body) != max {
					t.Fatalf("body %d bytes", len(doc.Body))
				}
				return
			}
			mustErrorIs(t, err, tt.want)
		})
	}
}

func TestGetObjectDocumentChecks(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		name string
		body func(id string) string
		want error
	}{
		{"ok", func(id string) string { return fmt.Sprintf(`{"id":%q}`, id) }, nil},
		{"depth 32", func(id string) string { return fmt.Sprintf(`{"id":%q,"a":%s}`, id, nest(31)) }, nil},
		{"depth 33", func(id string) string { return fmt.Sprintf(`{"id":%q,"a":%s}`, id, nest(32)) }, ErrTooDeep},
		{"deep bomb", func(id string) string { return fmt.Sprintf(`{"id":%q,"a":%s`, id, strings.Repeat("[", 100000)) }, ErrTooDeep},
		{"other id", func(id string) string { return `{"id":"http://other.example/x"}` }, ErrIDMismatch},
		{"id with trailing slash", func(id string) string { return fmt.Sprintf(`{"id":%q}`, id+"/") }, ErrIDMismatch},
		{"id differs in case", func(id string) string { return fmt.Sprintf(`{"id":%q}`, strings.ToUpper(id)) }, ErrIDMismatch},
		{"no id", func(id string) string { return `{"type":"Note"}` }, ErrIDMismatch},
		{"id not a string", func(id string) string { return `{"id":1}` }, ErrMalformedJSON},
		{"nested id only", func(id string) string { return fmt.Sprintf(`{"object":{"id":%q}}`, id) }, ErrIDMismatch},
		{"array", func(id string) string { return fmt.Sprintf(`[{"id":%q}]`, id) }, ErrMalformedJSON},
		{"not JSON", func(id string) string { return `<html>` }, ErrMalformedJSON},
		{"trailing data", func(id string) string { return fmt.Sprintf(`{"id":%q}{}`, id) }, ErrMalformedJSON},
		{"empty", func(id string) string { return `` }, ErrMalformedJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, 200, "application/activity+json", func(r *http.Request) string {
				return tt.body("http://" + r.Host + r.URL.Path)
			})
			c, _ := newTestClient(t, testConfig())
			_, err := c.GetObject(context.Background(), srv.URL+"/note/1")
			if tt.want == nil && err != nil {
				t.Fatal(err)
			}
			if tt.want != nil {
				mustErrorIs(t, err, tt.want)
			}
		})
	}
}

// TestHTTPSDialsIPVerifiesName: the connection goes to the checked IP while
// TLS sends SNI for, and verifies the certificate against, the host name.
func TestHTTPSDialsIPVerifiesName(t *testing.T) {
	var sni atomic.Value
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sni.Store(r.TLS.ServerName)
		w.Header().Set("Content-Type", "application/activity+json")
		fmt.Fprintf(w, `{"id":"https://%s%s"}`, r.Host, r.URL.Path)
	}))
	srv.EnableHTTP2 = true
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below
	srv.StartTLS()
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate()) // valid for example.com and 127.0.0.1

	cfg := testConfig()
	cfg.Resolver = fakeResolver{"example.com": {"127.0.0.1"}, "wrong.example": {"127.0.0.1"}}
	d := &dialRecorder{}
	c := newClient(cfg, d.dial, &tls.Config{RootCAs: pool})
	defer c.CloseIdleConnections()

	doc, err := c.GetObject(context.Background(), "https://example.com:"+port+"/u/ana")
	if err != nil {
		t.Fatal(err)
	}
	if doc.URL != "https://example.com:"+port+"/u/ana" {
		t.Errorf("URL = %q", doc.URL)
	}
	if got := sni.Load(); got != "example.com" {
		t.Errorf("SNI = %v, want example.com", got)
	}
	if got := d.dialed(); len(got) != 1 || got[0] != "127.0.0.1:"+port {
		t.Errorf("dialled %v", got)
	}
	// The certificate is not valid for wrong.example: verification uses the
	// name, not the dialled IP.
	if _, err := c.GetObject(context.Background(), "https://wrong.example:"+port+"/u/ana"); err == nil {
		t.Fatal("certificate for another name accepted")
	}
}

// TestWrapSeesEveryRequest: Wrap wraps the base transport and sees every
// hop (a signing transport signs each one).
func TestWrapSeesEveryRequest(t *testing.T) {
	var hops atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Signature") != "test" {
			http.Error(w, "unsigned", http.StatusUnauthorized)
			return
		}
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/new", http.StatusMovedPermanently)
			return
		}
		w.Header().Set("Content-Type", "application/activity+json")
		fmt.Fprint(w, idBody(r))
	}))
	defer srv.Close()
	cfg := testConfig()
	cfg.Wrap = func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			hops.Add(1)
			r = r.Clone(r.Context())
			r.Header.Set("Signature", "test")
			return next.RoundTrip(r)
		})
	}
	c, _ := newTestClient(t, cfg)
	if _, err := c.GetObject(context.Background(), srv.URL+"/old"); err != nil {
		t.Fatal(err)
	}
	if hops.Load() != 2 {
		t.Errorf("Wrap saw %d requests, want 2", hops.Load())
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestConnectionReuse: one shared transport keeps connections alive; the
// dialer (which checks) runs once per new connection.
func TestConnectionReuse(t *testing.T) {
	srv := serve(t, 200, "application/activity+json", idBody)
	c, d := newTestClient(t, testConfig())
	for i := range 5 {
		if _, err := c.GetObject(context.Background(), fmt.Sprintf("%s/n/%d", srv.URL, i)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Post(context.Background(), srv.URL+"/inbox", "application/activity+json", []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(d.dialed()); n != 1 {
		t.Errorf("%d dials for 10 sequential requests, want 1", n)
	}
	if c.transport.MaxIdleConnsPerHost < 2 || c.transport.DisableKeepAlives {
		t.Errorf("transport pool settings: %+v", c.transport)
	}
}
