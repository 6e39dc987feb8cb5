package fetch

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestPost(t *testing.T) {
	date := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		name       string
		status     int
		retryAfter string
		respBody   string
		wantRetry  time.Duration
		wantBody   int
	}{
		{"accepted", 202, "", "", 0, 0},
		{"ok with body", 200, "", "thanks", 0, 6},
		{"rate limited", 429, "30", "slow down", 30 * time.Second, 9},
		{"unavailable with date", 503, date, "", time.Hour, 0},
		{"huge error page", 500, "", strings.Repeat("x", 100<<10), 0, MaxSnippet},
		{"gone", 410, "", "", 0, 0},
		{"redirect not followed", 308, "", "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotCT, gotBody, gotMethod string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				gotCT, gotBody, gotMethod = r.Header.Get("Content-Type"), string(b), r.Method
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				if tt.status == 308 {
					w.Header().Set("Location", "/elsewhere")
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.respBody)
			}))
			defer srv.Close()
			c, d := newTestClient(t, testConfig())
			const ct = `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
			resp, err := c.Post(context.Background(), srv.URL+"/inbox", ct, []byte(`{"type":"Create"}`))
			if err != nil {
				t.Fatal(err)
			}
			if gotMethod != "POST" || gotCT != ct || gotBody != `{"type":"Create"}` {
				t.Errorf("server got %s %q %q", gotMethod, gotCT, gotBody)
			}
			if resp.Status != tt.status {
				t.Errorf("Status = %d, want %d", resp.Status, tt.status)
			}
			if d := resp.RetryAfter - tt.wantRetry; d < -2*time.Second || d > 0 {
				t.Errorf("RetryAfter = %s, want about %s", resp.RetryAfter, tt.wantRetry)
			}
			if len(resp.Body) != tt.wantBody {
				t.Errorf("Body %d bytes, want %d", len(resp.Body), tt.wantBody)
			}
			if len(d.dialed()) != 1 {
				t.Errorf("dialled %v", d.dialed())
			}
		})
	}
}

// TestPostBodyCap: an outgoing body over MaxBody is refused before any I/O.
func TestPostBodyCap(t *testing.T) {
	srv := serve(t, 202, "", func(*http.Request) string { return "" })
	cfg := testConfig()
	cfg.MaxBody = 100
	c, d := newTestClient(t, cfg)
	if _, err := c.Post(context.Background(), srv.URL+"/inbox", "application/activity+json", make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	_, err := c.Post(context.Background(), srv.URL+"/inbox", "application/activity+json", make([]byte, 101))
	mustErrorIs(t, err, ErrTooLarge)
	if len(d.dialed()) != 1 {
		t.Errorf("dialled %v", d.dialed())
	}
	if def := New(Config{}); def.cfg.MaxBody != 1<<20 {
		t.Errorf("default MaxBody = %d", def.cfg.MaxBody)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		v    string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"120", 2 * time.Minute},
		{"-5", 0},
		{"1.5", 0},
		{"soon", 0},
		{"99999999999999999999", maxRetryAfter},
		{"Sun, 22 Nov 2026 12:05:00 GMT", 5 * time.Minute},
		{"Sunday, 22-Nov-26 12:05:00 GMT", 5 * time.Minute},
		{"Sun Nov 22 12:05:00 2026", 5 * time.Minute},
		{"Sun, 22 Nov 2026 11:00:00 GMT", 0},
		{"Sun, 22 Nov 2099 11:00:00 GMT", maxRetryAfter},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.v, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", tt.v, got, tt.want)
		}
	}
}
