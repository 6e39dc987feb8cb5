package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// apStatus GETs an ActivityPub document without signing the request.
func apStatus(t *testing.T, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", "application/activity+json")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Content-Type")
}

// TestServeFederates: serve publishes ActivityPub on the page URLs, and
// with --authorized-fetch answers unsigned GETs with 401 (the instance
// actor stays readable: others need it to check our signatures).
func TestServeFederates(t *testing.T) {
	for _, tt := range []struct {
		name   string
		args   []string
		member int
	}{
		{"open", nil, http.StatusOK},
		{"authorized fetch", []string{"--authorized-fetch", "true"}, http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"serve", "--listen", "127.0.0.1:0", "--data", t.TempDir()}, tt.args...)
			n := startNode(t, args, nil)
			defer n.stop()
			base := "http://" + n.addr
			if st, ct := apStatus(t, base+"/u/admin"); st != tt.member || (st == 200 && !strings.HasPrefix(ct, "application/activity+json")) {
				t.Errorf("GET /u/admin as ActivityPub: %d %s, want %d", st, ct, tt.member)
			}
			if st, _ := apStatus(t, base+"/actor"); st != http.StatusOK {
				t.Errorf("GET /actor: %d", st)
			}
			if st := getStatus(t, base+"/.well-known/nodeinfo"); st != http.StatusOK {
				t.Errorf("nodeinfo: %d", st)
			}
		})
	}
}
