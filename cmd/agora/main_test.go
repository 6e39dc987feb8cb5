package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/metropolis/agora/federation/signature"
)

// syncBuffer is a bytes.Buffer that a running server and the test may use
// at the same time.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runningNode is an `agora serve` started through run.
type runningNode struct {
	addr           string
	stdout, stderr *syncBuffer
	stop           func() int // cancels the context and returns the exit code
}

var listeningLine = regexp.MustCompile(`Listening on (\S+) `)

// startNode runs the program with args and waits until it listens.
func startNode(t *testing.T, args []string, env map[string]string) *runningNode {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	n := &runningNode{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, envOf(env), n.stdout, n.stderr) }()
	n.stop = func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(30 * time.Second):
			t.Fatal("server did not stop within 30s of cancellation")
			return -1
		}
	}
	deadline := time.After(2 * time.Minute)
	for {
		if m := listeningLine.FindStringSubmatch(n.stdout.String()); m != nil {
			n.addr = m[1]
			return n
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("agora exited with code %d before listening\nstdout:\n%s\nstderr:\n%s", code, n.stdout, n.stderr)
		case <-deadline:
			n.stop()
			t.Fatalf("agora did not listen within 2 minutes\nstdout:\n%s\nstderr:\n%s", n.stdout, n.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func getStatus(t *testing.T, url string) int {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	return resp.StatusCode
}

func TestServeEndToEnd(t *testing.T) {
	data := t.TempDir()

	// First start: an empty node creates the first admin and prints a
	// one-time sign-in link under the address it actually listens on.
	n := startNode(t, []string{"serve", "--listen", "127.0.0.1:0", "--data", data}, nil)
	base := "http://" + n.addr
	link := regexp.MustCompile(regexp.QuoteMeta(base) + `/login/token/[A-Za-z0-9_-]{20,}`)
	if !link.MatchString(n.stdout.String()) {
		t.Errorf("no sign-in link under %s in stdout:\n%s", base, n.stdout)
	}
	if code := getStatus(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz = %d, want 200", code)
	}
	if code := n.stop(); code != 0 {
		t.Fatalf("exit code %d after shutdown, stderr:\n%s", code, n.stderr)
	}
	if _, err := os.Stat(data + "/forum.db"); err != nil {
		t.Errorf("no SQLite database in the data directory: %v", err)
	}

	// Second start, as the default command with settings from the
	// environment: the admin exists, so no new link.
	n = startNode(t, nil, map[string]string{"AGORA_LISTEN": "127.0.0.1:0", "AGORA_DATA": data, "AGORA_LOG_FORMAT": "json"})
	if strings.Contains(n.stdout.String(), "/login/token/") {
		t.Errorf("second start printed a sign-in link again:\n%s", n.stdout)
	}
	if !strings.Contains(n.stderr.String(), `"msg":"serving"`) {
		t.Errorf("AGORA_LOG_FORMAT=json did not give JSON logs:\n%s", n.stderr)
	}
	if want := `"rsa_signing":"` + signature.Backend() + `"`; !strings.Contains(n.stderr.String(), want) {
		t.Errorf("the serving log does not name the RSA backend (%s):\n%s", want, n.stderr)
	}
	if code := getStatus(t, "http://"+n.addr+"/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz = %d, want 200", code)
	}
	if code := n.stop(); code != 0 {
		t.Fatalf("exit code %d after shutdown, stderr:\n%s", code, n.stderr)
	}
}

func TestServeWithRedis(t *testing.T) {
	url := os.Getenv("AGORA_TEST_REDIS_URL")
	if url == "" {
		t.Skip("AGORA_TEST_REDIS_URL not set")
	}
	n := startNode(t, []string{"serve", "--listen", "127.0.0.1:0", "--data", t.TempDir(), "--redis-url", url}, nil)
	if code := n.stop(); code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, n.stderr)
	}
}

func TestServeFailsWithoutRedis(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := []string{"serve", "--listen", "127.0.0.1:0", "--data", t.TempDir(), "--redis-url", "redis://127.0.0.1:1/0"}
	code := run(t.Context(), args, envOf(nil), &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "--redis-url: Redis at 127.0.0.1:1 does not answer") {
		t.Errorf("exit code %d, stderr %q: want 1 and a clear Redis error", code, stderr.String())
	}
	if strings.Contains(stdout.String(), "Listening") {
		t.Errorf("served although Redis is down")
	}
}

func TestServeFailsWhenAddressTaken(t *testing.T) {
	n := startNode(t, []string{"serve", "--listen", "127.0.0.1:0", "--data", t.TempDir()}, nil)
	defer n.stop()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"serve", "--listen", n.addr, "--data", t.TempDir()}, envOf(nil), &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "agora: --listen:") {
		t.Errorf("exit code %d, stderr %q: want 1 and a --listen error", code, stderr.String())
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		code       int
		stdout     string // substring of stdout
		stderr     string // substring of stderr
		oneLineErr bool   // stderr is exactly one line
	}{
		{"unknown command", []string{"frobnicate"}, nil, 2, "", `agora: unknown command "frobnicate"`, false},
		{"unknown command shows usage", []string{"frobnicate"}, nil, 2, "", "Usage: agora <command>", false},
		{"help", []string{"help"}, nil, 0, "Commands:", "", false},
		{"-h", []string{"-h"}, nil, 0, "admin", "", false},
		{"bad language flag", []string{"serve", "--default-language", "de"}, nil, 2, "",
			"agora: --default-language: must be one of en, es, fr, pt, ar\n", true},
		{"bad language env, default command", nil, map[string]string{"AGORA_DEFAULT_LANGUAGE": "xx"}, 2, "",
			"agora: --default-language: must be one of en, es, fr, pt, ar (from AGORA_DEFAULT_LANGUAGE)\n", true},
		{"bad base URL", []string{"migrate", "--base-url", "nope"}, nil, 2, "", "agora: --base-url:", true},
		{"unknown flag", []string{"serve", "--nope"}, nil, 2, "", "flag provided but not defined: -nope", true},
		{"stray argument", []string{"serve", "extra"}, nil, 2, "", `unexpected argument "extra"`, true},
		{"admin without command", []string{"admin"}, nil, 2, "", "admin: missing command", false},
		{"admin unknown command", []string{"admin", "delete-everything"}, nil, 2, "", `admin: unknown command "delete-everything"`, false},
		{"admin help", []string{"admin", "-h"}, nil, 0, "create-forum", "", false},
		{"admin command help", []string{"admin", "create-user", "-h"}, nil, 0, "--organisation", "", false},
		{"migrate help", []string{"migrate", "--help"}, nil, 0, "AGORA_DATABASE_URL", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tt.args, envOf(tt.env), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit code %d, want %d\nstderr: %s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("stdout does not contain %q:\n%s", tt.stdout, stdout.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.stderr, stderr.String())
			}
			if tt.oneLineErr && strings.Count(stderr.String(), "\n") != 1 {
				t.Errorf("stderr is not one line:\n%s", stderr.String())
			}
		})
	}
}
