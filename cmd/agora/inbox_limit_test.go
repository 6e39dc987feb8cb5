package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/node"
)

// postsUntil429 posts to a node's shared inbox as one sender host, up to
// max times, and returns the attempt that was first answered 429 (0: none).
// The requests are not valid activities: the limit counts them before any
// other check, and everything but 429 is ignored here.
func postsUntil429(t *testing.T, base string, max int) int {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	for i := 1; i <= max; i++ {
		req, err := http.NewRequest("POST", base+"/inbox", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/activity+json")
		req.Header.Set("Signature", `keyId="https://busy.example/actor#main-key",headers="date",signature="AAAA"`)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("POST /inbox: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			return i
		}
	}
	return 0
}

// TestServeInboxLimit: --inbox-limit and AGORA_INBOX_LIMIT reach the
// inbox's limiter (per remote host, per minute); 0 turns it off.
func TestServeInboxLimit(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		posts     int
		wantFirst int // first 429, 0: none
	}{
		{"flag", []string{"--inbox-limit", "3"}, nil, 10, 4},
		{"env", nil, map[string]string{"AGORA_INBOX_LIMIT": "5"}, 10, 6},
		{"flag over env", []string{"--inbox-limit", "2"}, map[string]string{"AGORA_INBOX_LIMIT": "5"}, 10, 3},
		{"zero is no limit", []string{"--inbox-limit", "0"}, nil, 40, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"serve", "--listen", "127.0.0.1:0", "--data", t.TempDir()}, tt.args...)
			n := startNode(t, args, tt.env)
			defer n.stop()
			if got := postsUntil429(t, "http://"+n.addr, tt.posts); got != tt.wantFirst {
				t.Errorf("first 429 at post %d, want %d", got, tt.wantFirst)
			}
		})
	}
}

func TestInboxLimitSetting(t *testing.T) {
	tests := []struct {
		args    []string
		want    int
		wantErr bool
	}{
		{nil, 0, false}, // node.DefaultInboxLimit
		{[]string{"--inbox-limit", "120000"}, 120000, false},
		{[]string{"--inbox-limit", "0"}, node.UnlimitedInbox, false},
		{[]string{"--inbox-limit", "-1"}, 0, true},
		{[]string{"--inbox-limit", "lots"}, 0, true},
	}
	for _, tt := range tests {
		cfg, err := parseTestConfig(t, tt.args, nil)
		if (err != nil) != tt.wantErr {
			t.Errorf("%v: error %v, want error %v", tt.args, err, tt.wantErr)
			continue
		}
		if err == nil && cfg.InboxLimitPerMinute() != tt.want {
			t.Errorf("%v: limit %d, want %d", tt.args, cfg.InboxLimitPerMinute(), tt.want)
		}
	}
	if node.DefaultInboxLimit < 60_000 {
		t.Errorf("default inbox limit %d/min caps a peer below 1,000 activities/s", node.DefaultInboxLimit)
	}
}
