package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/metropolis/agora/ratelimit"
)

// Limiter is a fixed-window rate limit shared by every process through
// Redis: one counter per key and window, expiring with the window.
type Limiter struct {
	client *redis.Client
	prefix string
	limit  int
	window time.Duration
}

var _ ratelimit.Limiter = (*Limiter)(nil)

// NewLimiter allows limit attempts per key per window; name separates this
// limit's keys from others' ("agora:rl:<name>:<key>").
func NewLimiter(client *redis.Client, prefix, name string, limit int, window time.Duration) *Limiter {
	return &Limiter{client: client, prefix: prefix + "rl:" + name + ":", limit: limit, window: window}
}

// incr counts an attempt and returns the count and the window's remaining
// time, setting the expiry with the first attempt of a window.
var incr = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
`)

// Allow implements ratelimit.Limiter. An error means Redis did not answer;
// ratelimit.Fallback then limits in process.
func (l *Limiter) Allow(ctx context.Context, key string) (bool, time.Duration, error) {
	res, err := incr.Run(ctx, l.client, []string{l.prefix + key}, l.window.Milliseconds()).Int64Slice()
	if err != nil {
		return false, 0, fmt.Errorf("redis rate limit: %w", err)
	}
	if len(res) != 2 {
		return false, 0, fmt.Errorf("redis rate limit: unexpected reply %v", res)
	}
	if res[0] > int64(l.limit) {
		return false, time.Duration(res[1]) * time.Millisecond, nil
	}
	return true, 0, nil
}
