package fetch

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestGetJRD(t *testing.T) {
	jrd := func(*http.Request) string { return `{"subject":"acct:d@peer.example","links":[]}` }
	tests := []struct {
		name, ct string
		status   int
		body     func(*http.Request) string
		want     error
	}{
		{"jrd", "application/jrd+json", 200, jrd, nil},
		{"plain json", "application/json; charset=utf-8", 200, jrd, nil},
		{"html refused", "text/html", 200, jrd, ErrContentType},
		{"not found", "application/jrd+json", 404, jrd, nil},
		{"too deep", "application/jrd+json", 200, func(*http.Request) string { return strings.Repeat("[", 40) + strings.Repeat("]", 40) }, ErrTooDeep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, tt.status, tt.ct, tt.body)
			c, _ := newTestClient(t, testConfig())
			body, err := c.GetJRD(context.Background(), srv.URL+"/.well-known/webfinger?resource=acct:d@peer.example")
			switch {
			case tt.status != 200:
				var se *StatusError
				if !errors.As(err, &se) || se.Code != tt.status {
					t.Fatalf("err = %v, want status %d", err, tt.status)
				}
			case tt.want != nil:
				mustErrorIs(t, err, tt.want)
			case err != nil || !strings.Contains(string(body), "acct:d@peer.example"):
				t.Fatalf("GetJRD = %q, %v", body, err)
			}
		})
	}
	c, d := newTestClient(t, testConfig())
	if _, err := c.GetJRD(context.Background(), "http://evil.example/.well-known/webfinger"); err == nil {
		t.Fatal("private address fetched")
	}
	if len(d.dialed()) != 0 {
		t.Fatalf("dialled %v", d.dialed())
	}
}
