// Package live carries live updates to open pages: a new answer in a
// thread is published on the thread's topic, and every process serving a
// page of that thread (Server-Sent Events) hears it. Local is the broker
// of a single process; storage/redisstore has the one shared by several
// processes over Redis pub/sub.
package live

import (
	"context"
	"sync"
)

// Message is one live update.
type Message struct {
	Topic string `json:"topic"` // "thread:<id>"
	ID    string `json:"id"`    // unique: the event's ID, to drop repeats
	Data  []byte `json:"data"`  // JSON for the page's script
}

// Broker publishes messages to the subscribers of their topic.
type Broker interface {
	Publish(ctx context.Context, m Message) error
	// Subscribe returns the messages published on topic from now on, until
	// cancel is called or ctx ends. A subscriber that does not keep up
	// loses messages rather than slowing the others.
	Subscribe(ctx context.Context, topic string) (msgs <-chan Message, cancel func())
}

// ThreadTopic is the topic of a thread's updates.
func ThreadTopic(threadID string) string { return "thread:" + threadID }

// PostsTopic carries every new post of the node, questions and answers,
// written here or received (the streaming API picks each member's).
const PostsTopic = "posts"

// MemberTopic carries a member's new notifications.
func MemberTopic(memberID string) string { return "member:" + memberID }

// TokenTopic tells the streams opened with an access token that it was
// revoked.
func TokenTopic(tokenID string) string { return "token:" + tokenID }

// subscriberBuffer is how many messages wait for a slow subscriber.
const subscriberBuffer = 16

// Local is the in-process Broker.
type Local struct {
	mu   sync.Mutex
	subs map[string]map[*subscriber]struct{}
}

type subscriber struct {
	ch   chan Message
	once sync.Once
}

// NewLocal returns an empty broker.
func NewLocal() *Local { return &Local{subs: map[string]map[*subscriber]struct{}{}} }

// Publish implements Broker: a subscriber whose buffer is full misses m.
func (b *Local) Publish(_ context.Context, m Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs[m.Topic] {
		select {
		case s.ch <- m:
		default:
		}
	}
	return nil
}

// Subscribe implements Broker.
func (b *Local) Subscribe(ctx context.Context, topic string) (<-chan Message, func()) {
	s := &subscriber{ch: make(chan Message, subscriberBuffer)}
	b.mu.Lock()
	if b.subs[topic] == nil {
		b.subs[topic] = map[*subscriber]struct{}{}
	}
	b.subs[topic][s] = struct{}{}
	b.mu.Unlock()
	cancel := func() {
		s.once.Do(func() {
			b.mu.Lock()
			delete(b.subs[topic], s)
			if len(b.subs[topic]) == 0 {
				delete(b.subs, topic)
			}
			b.mu.Unlock()
			close(s.ch)
		})
	}
	stop := context.AfterFunc(ctx, cancel)
	return s.ch, func() { stop(); cancel() }
}

// Subscribers counts the subscriptions to topic (tests, metrics).
func (b *Local) Subscribers(topic string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs[topic])
}
