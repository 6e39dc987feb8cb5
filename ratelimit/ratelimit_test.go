package ratelimit

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestMemory(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	l := NewMemory(3, time.Minute)
	l.now = func() time.Time { return now }
	steps := []struct {
		after     time.Duration
		key       string
		wantOK    bool
		wantRetry time.Duration
	}{
		{0, "a", true, 0},
		{10 * time.Second, "a", true, 0},
		{20 * time.Second, "a", true, 0},
		{30 * time.Second, "a", false, 30 * time.Second},
		{30 * time.Second, "b", true, 0}, // keys are separate
		{time.Minute, "a", true, 0},      // a new window
	}
	start := now
	for i, s := range steps {
		now = start.Add(s.after)
		ok, retry, err := l.Allow(context.Background(), s.key)
		if err != nil || ok != s.wantOK || retry != s.wantRetry {
			t.Errorf("step %d (%s at +%s): Allow = %v, %s, %v; want %v, %s", i, s.key, s.after, ok, retry, err, s.wantOK, s.wantRetry)
		}
	}
}

type failing struct{ calls int }

func (f *failing) Allow(context.Context, string) (bool, time.Duration, error) {
	f.calls++
	return false, 0, errors.New("connection refused")
}

type fixed struct{ ok bool }

func (f fixed) Allow(context.Context, string) (bool, time.Duration, error) {
	return f.ok, time.Second, nil
}

func TestFallback(t *testing.T) {
	tests := []struct {
		name      string
		primary   Limiter
		secondary Limiter
		want      bool
		wantLog   bool
	}{
		{"primary answers yes", fixed{true}, fixed{false}, true, false},
		{"primary answers no", fixed{false}, fixed{true}, false, false},
		{"primary down: secondary decides (yes)", &failing{}, fixed{true}, true, true},
		{"primary down: secondary decides (no)", &failing{}, fixed{false}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			f := &Fallback{Primary: tt.primary, Secondary: tt.secondary, Name: "signin",
				Logger: slog.New(slog.NewTextHandler(&logs, nil))}
			for range 3 {
				ok, _, err := f.Allow(context.Background(), "k")
				if err != nil || ok != tt.want {
					t.Fatalf("Allow = %v, %v; want %v, nil", ok, err, tt.want)
				}
			}
			if n := strings.Count(logs.String(), "shared rate limit unavailable"); (n > 0) != tt.wantLog || n > 1 {
				t.Errorf("logged the failure %d times, want %v and at most once a minute:\n%s", n, tt.wantLog, logs.String())
			}
		})
	}
}
