package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/metropolis/agora/live"
)

// seenTTL is how long a published message ID is remembered, so that the
// feeds of several processes publish each event once.
const seenTTL = 10 * time.Minute

// Broker is a live.Broker over Redis pub/sub: messages published by any
// process reach the subscribers of every process. Each process holds one
// pattern subscription and hands messages to its local subscribers.
// go-redis reconnects and subscribes again when Redis comes back; what is
// published while it is away is lost (pages show it on their next load).
type Broker struct {
	client *redis.Client
	prefix string
	local  *live.Local
	log    *slog.Logger
}

var _ live.Broker = (*Broker)(nil)

// NewBroker subscribes to the node's live channels until ctx ends.
func NewBroker(ctx context.Context, client *redis.Client, prefix string, log *slog.Logger) *Broker {
	b := &Broker{client: client, prefix: prefix + "live:", local: live.NewLocal(), log: log}
	ps := client.PSubscribe(ctx, b.prefix+"*")
	go b.relay(ctx, ps)
	return b
}

func (b *Broker) relay(ctx context.Context, ps *redis.PubSub) {
	defer ps.Close()
	ch := ps.Channel(redis.WithChannelHealthCheckInterval(2 * time.Second))
	for {
		select {
		case <-ctx.Done():
			return
		case msg, ok := <-ch:
			if !ok {
				return
			}
			var m live.Message
			if err := json.Unmarshal([]byte(msg.Payload), &m); err != nil || m.Topic != strings.TrimPrefix(msg.Channel, b.prefix) {
				b.log.Warn("live: dropped a malformed message", "channel", msg.Channel)
				continue
			}
			_ = b.local.Publish(ctx, m)
		}
	}
}

// Publish implements live.Broker. A message ID already published (by this
// or another process) is not published again.
func (b *Broker) Publish(ctx context.Context, m live.Message) error {
	if m.ID != "" {
		first, err := b.client.SetNX(ctx, b.prefix+"seen:"+m.ID, 1, seenTTL).Result()
		if err != nil {
			return fmt.Errorf("redis publish %s: %w", m.Topic, err)
		}
		if !first {
			return nil
		}
	}
	payload, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("redis publish %s: %w", m.Topic, err)
	}
	if err := b.client.Publish(ctx, b.prefix+m.Topic, payload).Err(); err != nil {
		// Let a later attempt publish it.
		_ = b.client.Del(context.WithoutCancel(ctx), b.prefix+"seen:"+m.ID).Err()
		return fmt.Errorf("redis publish %s: %w", m.Topic, err)
	}
	return nil
}

// Subscribe implements live.Broker.
func (b *Broker) Subscribe(ctx context.Context, topic string) (<-chan live.Message, func()) {
	return b.local.Subscribe(ctx, topic)
}
