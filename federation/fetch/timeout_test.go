package fetch

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestTimeout: a loopback peer that stalls (before the headers, or in the
// middle of the body, or trickling) fails the call within Config.Timeout.
func TestTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	tests := []struct {
		name    string
		handler func(stop <-chan struct{}) http.HandlerFunc
	}{
		{"stall before headers", func(stop <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { <-stop }
		}},
		{"stall in body", func(stop <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/activity+json")
				w.Header().Set("Content-Length", "100")
				fmt.Fprint(w, `{"id":`)
				w.(http.Flusher).Flush()
				<-stop
			}
		}},
		{"trickle", func(stop <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/activity+json")
				fmt.Fprint(w, `{"id":"`)
				for {
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
						fmt.Fprint(w, "a")
						w.(http.Flusher).Flush()
					}
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// stop releases the stalled handler before the server closes:
			// a handler that has not read its request body is not told
			// that the client left.
			stop := make(chan struct{})
			srv := httptest.NewServer(tt.handler(stop))
			defer srv.Close()
			defer close(stop)
			cfg := testConfig()
			cfg.Timeout = timeout
			c, _ := newTestClient(t, cfg)
			calls := map[string]func() error{
				"GetObject": func() error { _, err := c.GetObject(context.Background(), srv.URL+"/x"); return err },
				"Post": func() error {
					_, err := c.Post(context.Background(), srv.URL+"/inbox", "application/activity+json", []byte("{}"))
					return err
				},
			}
			for name, call := range calls {
				start := time.Now()
				err := call()
				elapsed := time.Since(start)
				// Post returns as soon as the status is in, with whatever
				// snippet arrived in time; GetObject needs the whole body.
				if err == nil && (name == "GetObject" || tt.name == "stall before headers") {
					t.Errorf("%s: no error", name)
				}
				if elapsed > timeout+500*time.Millisecond {
					t.Errorf("%s: returned after %s, want about %s", name, elapsed, timeout)
				}
			}
		})
	}
}

// TestConnectTimeout: resolution plus dial are bounded by ConnectTimeout,
// even when the whole-request Timeout is long.
func TestConnectTimeout(t *testing.T) {
	cfg := testConfig()
	cfg.ConnectTimeout = 100 * time.Millisecond
	cfg.Timeout = 10 * time.Second
	d := &dialRecorder{block: true}
	c := newClient(cfg, d.dial, nil)
	start := time.Now()
	_, err := c.GetObject(context.Background(), "http://peer.example:8080/x")
	if err == nil {
		t.Fatal("no error")
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("failed after %s, want about %s", elapsed, cfg.ConnectTimeout)
	}
	if len(d.dialed()) != 1 {
		t.Errorf("dialled %v", d.dialed())
	}
}

// TestDefaults: zero Config values take the documented defaults.
func TestDefaults(t *testing.T) {
	c := New(Config{})
	want := Config{
		AllowedPorts: []int{80, 443}, ConnectTimeout: 5 * time.Second, Timeout: 30 * time.Second,
		MaxBody: 1 << 20, MaxRedirects: 3, MaxJSONDepth: 32, UserAgent: "agora",
	}
	got := c.cfg
	if fmt.Sprint(got.AllowedPorts) != fmt.Sprint(want.AllowedPorts) || got.ConnectTimeout != want.ConnectTimeout ||
		got.Timeout != want.Timeout || got.MaxBody != want.MaxBody || got.MaxRedirects != want.MaxRedirects ||
		got.MaxJSONDepth != want.MaxJSONDepth || got.UserAgent != want.UserAgent || got.AllowLoopback || got.Resolver == nil {
		t.Errorf("defaults = %+v", got)
	}
}
