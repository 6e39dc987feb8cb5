// Package ratelimit counts attempts per key in fixed windows: in process
// (Memory), or shared by every process of a node through Redis
// (storage/redisstore), with Fallback keeping limits in process while
// Redis is away.
package ratelimit

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Limiter counts attempts per key in a fixed window.
type Limiter interface {
	// Allow records one attempt for key and reports whether it is within
	// the limit; if not, retryAfter says when the next one will be.
	Allow(ctx context.Context, key string) (ok bool, retryAfter time.Duration, err error)
}

// Memory is the in-process Limiter of a single-process node.
type Memory struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	now    func() time.Time
	counts map[string]*windowCount
}

type windowCount struct {
	start time.Time
	n     int
}

// NewMemory allows limit attempts per key per window.
func NewMemory(limit int, window time.Duration) *Memory {
	return &Memory{limit: limit, window: window, now: time.Now, counts: map[string]*windowCount{}}
}

// Allow implements Limiter.
func (l *Memory) Allow(_ context.Context, key string) (bool, time.Duration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.counts) > 100_000 {
		l.sweep(now) // bounded memory whatever the traffic
	}
	c, ok := l.counts[key]
	if !ok || now.Sub(c.start) >= l.window {
		c = &windowCount{start: now}
		l.counts[key] = c
	}
	c.n++
	if c.n > l.limit {
		return false, c.start.Add(l.window).Sub(now), nil
	}
	return true, 0, nil
}

func (l *Memory) sweep(now time.Time) {
	for k, c := range l.counts {
		if now.Sub(c.start) >= l.window {
			delete(l.counts, k)
		}
	}
}

// Fallback asks Primary (shared, Redis) and, when it fails, Secondary (in
// process): a limit keeps holding per process while the shared store is
// away, and a request is never refused with an error because of it. The
// failure is logged at most once a minute.
type Fallback struct {
	Primary, Secondary Limiter
	Logger             *slog.Logger
	Name               string // for the log: "sign-in", "inbox"

	mu         sync.Mutex
	lastLogged time.Time
}

// Allow implements Limiter.
func (f *Fallback) Allow(ctx context.Context, key string) (bool, time.Duration, error) {
	ok, wait, err := f.Primary.Allow(ctx, key)
	if err == nil {
		return ok, wait, nil
	}
	f.logFailure(err)
	return f.Secondary.Allow(ctx, key)
}

func (f *Fallback) logFailure(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if time.Since(f.lastLogged) < time.Minute {
		return
	}
	f.lastLogged = time.Now()
	if f.Logger != nil {
		f.Logger.Warn("shared rate limit unavailable, limiting in process", "limit", f.Name, "err", err)
	}
}
