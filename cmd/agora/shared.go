package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/metropolis/agora/metrics"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/ratelimit"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/redisstore"
	"github.com/metropolis/agora/web"
	"github.com/metropolis/agora/web/mastoapi"
)

// Sign-in limit, per address and per username, shared by the processes.
const (
	signInLimit  = 10
	signInWindow = 5 * time.Minute
)

// sharedServices builds what the node's processes share: metrics always;
// with --redis-url, rate limits, live updates and remote fetches through Redis (with
// in-process fallbacks while Redis is away) and a Redis check in /readyz.
// Redis must answer at start: a misconfigured node refuses to start. The
// returned function releases Redis.
func sharedServices(ctx context.Context, cfg Config, log *slog.Logger, db *storage.DB, baseURL string) (node.Shared, func(), error) {
	store := db.Store()
	sh := node.Shared{Metrics: metrics.New(metrics.Config{Logger: log, Queues: func(ctx context.Context) ([]metrics.QueueDepth, error) {
		st, err := store.DeliveryStats(ctx)
		if err != nil {
			return nil, fmt.Errorf("delivery stats: %w", err)
		}
		pending, failed, err := store.CountInbox(ctx)
		if err != nil {
			return nil, fmt.Errorf("inbox stats: %w", err)
		}
		return []metrics.QueueDepth{
			{Queue: "delivery", State: "pending", Count: st.Pending},
			{Queue: "delivery", State: "failed", Count: st.Failed},
			{Queue: "delivery", State: "dropped", Count: st.Dropped},
			{Queue: "delivery", State: "done", Count: st.Done},
			{Queue: "inbox", State: "pending", Count: pending},
			{Queue: "inbox", State: "failed", Count: failed},
		}, nil
	}})}
	sh.MetricsElsewhere = cfg.MetricsListen != ""
	if cfg.RedisURL == "" {
		return sh, func() {}, nil
	}
	client, err := redisstore.Open(ctx, cfg.RedisURL)
	var down *redisstore.NoAnswerError
	if errors.As(err, &down) {
		return node.Shared{}, nil, fmt.Errorf("--redis-url: Redis at %s does not answer: %w", down.Addr, down.Err)
	} else if err != nil {
		return node.Shared{}, nil, fmt.Errorf("--redis-url: %w", err)
	}
	log.Info("redis answers", "addr", client.Options().Addr)
	// Keys are namespaced by the node's host: the processes of one node
	// share them, other nodes on the same Redis do not.
	prefix := "agora:" + redisPrefix(baseURL) + ":"
	limit := func(name string, n int, window time.Duration) ratelimit.Limiter {
		return &ratelimit.Fallback{Name: name, Logger: log,
			Primary:   redisstore.NewLimiter(client, prefix, name, n, window),
			Secondary: ratelimit.NewMemory(n, window)}
	}
	sh.SignInLimiter = limit("signin", signInLimit, signInWindow)
	sh.APILimiter = limit("api", mastoapi.DefaultLimit, mastoapi.DefaultWindow)
	switch n := cfg.InboxLimitPerMinute(); n {
	case node.UnlimitedInbox: // no limiter: node.New sets none
	case 0:
		sh.InboxLimiter = limit("inbox", node.DefaultInboxLimit, node.InboxWindow)
	default:
		sh.InboxLimiter = limit("inbox", n, node.InboxWindow)
	}
	sh.FetchGate = redisstore.NewGate(client, prefix)
	brokerCtx, stopBroker := context.WithCancel(context.WithoutCancel(ctx))
	sh.Live = redisstore.NewBroker(brokerCtx, client, prefix, log)
	sh.ReadyChecks = []web.ReadyCheck{{Name: "redis", Ping: func(ctx context.Context) error {
		return redisstore.Ping(ctx, client)
	}}}
	return sh, func() {
		stopBroker()
		if err := client.Close(); err != nil {
			log.Warn("closing Redis", "err", err)
		}
	}, nil
}

// redisPrefix is the node's host[:port] from its base URL.
func redisPrefix(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return baseURL
	}
	return u.Host
}
