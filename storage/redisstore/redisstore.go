// Package redisstore holds the Redis adapters of a node run as several
// processes: shared rate limits, live-update pub/sub and a shared cache of
// remote actor documents. Each degrades when Redis is away: callers fall
// back to in-process work, and nothing durable lives here (the database
// keeps every queue).
package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Timeouts: a Redis that does not answer must not hold up a request for
// long; callers then fall back to in-process behaviour.
const (
	dialTimeout = 2 * time.Second
	ioTimeout   = time.Second
)

// Open connects to the Redis at url (redis://[user:password@]host:port[/db])
// and checks that it answers. prefix namespaces every key (several nodes
// may share one Redis).
func Open(ctx context.Context, url string) (*redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		// go-redis errors may quote the URL, password included: keep it out.
		return nil, fmt.Errorf("redis: want redis://[user:password@]host:port[/db]")
	}
	opts.DialTimeout = dialTimeout
	opts.ReadTimeout = ioTimeout
	opts.WriteTimeout = ioTimeout
	opts.MaxRetries = 1
	client := redis.NewClient(opts)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := client.Ping(pctx).Err(); err != nil {
		_ = client.Close()
		return nil, &NoAnswerError{Addr: opts.Addr, Err: err}
	}
	return client, nil
}

// Ping checks that Redis answers (for /readyz).
func Ping(ctx context.Context, client *redis.Client) error {
	if err := client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	return nil
}

// NoAnswerError says Redis did not answer at Open.
type NoAnswerError struct {
	Addr string
	Err  error
}

func (e *NoAnswerError) Error() string {
	return fmt.Sprintf("redis at %s does not answer: %v", e.Addr, e.Err)
}
func (e *NoAnswerError) Unwrap() error { return e.Err }
