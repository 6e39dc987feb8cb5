package web

import (
	"context"
	"sync"
	"time"
)

// Limiter counts attempts per key in a fixed window. A shared
// implementation (Redis) lets several processes hold one limit.
type Limiter interface {
	// Allow records one attempt for key and reports whether it is within
	// the limit; if not, retryAfter says when the next one will be.
	Allow(ctx context.Context, key string) (ok bool, retryAfter time.Duration, err error)
}

// MemoryLimiter is the in-process Limiter of a single-process node.
type MemoryLimiter struct {
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

// NewMemoryLimiter allows limit attempts per key per window.
func NewMemoryLimiter(limit int, window time.Duration) *MemoryLimiter {
	return &MemoryLimiter{limit: limit, window: window, now: time.Now, counts: map[string]*windowCount{}}
}

// Allow implements Limiter.
func (l *MemoryLimiter) Allow(_ context.Context, key string) (bool, time.Duration, error) {
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

func (l *MemoryLimiter) sweep(now time.Time) {
	for k, c := range l.counts {
		if now.Sub(c.start) >= l.window {
			delete(l.counts, k)
		}
	}
}
