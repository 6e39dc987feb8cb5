package web

import (
	"time"

	"github.com/metropolis/agora/ratelimit"
)

// Limiter counts attempts per key in a fixed window (package ratelimit). A
// shared implementation (Redis) lets several processes hold one limit.
type Limiter = ratelimit.Limiter

// MemoryLimiter is the in-process Limiter of a single-process node.
type MemoryLimiter = ratelimit.Memory

// NewMemoryLimiter allows limit attempts per key per window.
func NewMemoryLimiter(limit int, window time.Duration) *MemoryLimiter {
	return ratelimit.NewMemory(limit, window)
}
