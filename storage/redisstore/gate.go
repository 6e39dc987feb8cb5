package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Gate lets one process at a time do a named piece of work (fetch a
// remote actor) while the others wait for its result: SET NX with an
// expiry, released only by its holder.
type Gate struct {
	client *redis.Client
	prefix string
	token  string // this process's
}

// NewGate returns the gate of one process.
func NewGate(client *redis.Client, prefix string) *Gate {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return &Gate{client: client, prefix: prefix + "gate:", token: hex.EncodeToString(b)}
}

// Acquire reports whether this process holds key now (for ttl at most).
func (g *Gate) Acquire(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	ok, err := g.client.SetNX(ctx, g.prefix+key, g.token, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("redis gate: %w", err)
	}
	return ok, nil
}

var release = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// Release frees key if this process holds it. A failure only means the
// key expires by itself.
func (g *Gate) Release(ctx context.Context, key string) {
	_ = release.Run(ctx, g.client, []string{g.prefix + key}, g.token).Err()
}
