package federation

import (
	"context"
	"crypto"
	"time"

	"github.com/metropolis/agora/forum"
)

// Hooks exposes the delivery queue's internals to deliver_test.go. Those
// tests live in package federation_test because they run on the real
// storage (storetest), and storage imports federation: an internal test
// importing it would be an import cycle.
type Hooks struct{ f *Federation }

// HooksOf returns f's test hooks.
func HooksOf(f *Federation) Hooks { return Hooks{f: f} }

// Queue stores one Create by actorURI with its deliveries to inboxes, as
// publishing does, and returns the outbox row's ID.
func (h Hooks) Queue(ctx context.Context, actorURI string, body []byte, inboxes ...string) (forum.ID, error) {
	id := h.f.cfg.IDs.New()
	err := h.f.queue(ctx, []*outgoing{{id: id, uri: h.f.urls.Activity(id), actorURI: actorURI, typ: "Create",
		body: body, inboxes: inboxes}}, nil)
	return id, err
}

// Deliver makes one attempt at d.
func (h Hooks) Deliver(ctx context.Context, d *Delivery) { h.f.deliver(ctx, d) }

// Backoff is the delay before the next attempt after attempts failures.
func (h Hooks) Backoff(attempts int) time.Duration { return h.f.backoff(attempts) }

// RunDeliveries runs the delivery workers until ctx ends.
func (h Hooks) RunDeliveries(ctx context.Context) { h.f.runDeliveries(ctx) }

// FollowerInboxes is the inbox set of target's followers, one per shared
// inbox.
func (h Hooks) FollowerInboxes(ctx context.Context, target string) ([]string, error) {
	set := inboxSet{}
	if err := h.f.addFollowers(ctx, set, target); err != nil {
		return nil, err
	}
	return set.list(), nil
}

// PublicKey is the public key of one of this node's actors.
func (h Hooks) PublicKey(ctx context.Context, actorURI string) (crypto.PublicKey, error) {
	owner, err := h.f.keyOwner(ctx, actorURI)
	if err != nil {
		return nil, err
	}
	lk, err := h.f.keys.get(ctx, owner)
	if err != nil {
		return nil, err
	}
	return lk.signer.Public(), nil
}

// PublishBatch publishes the next unpublished events of the node's log.
func (h Hooks) PublishBatch(ctx context.Context) bool { return h.f.publishBatch(ctx) }

// ProcessWith applies a received item with apply in place of the real
// application, and records the outcome as the inbox worker does.
func (h Hooks) ProcessWith(ctx context.Context, it *InboxItem, apply func(context.Context, *InboxItem) error) bool {
	return h.f.processItemWith(ctx, it, apply)
}

// Process applies a received item as the inbox worker does.
func (h Hooks) Process(ctx context.Context, it *InboxItem) bool { return h.f.processItem(ctx, it) }

// Apply applies a received item without the worker's recover, so a fuzz
// test sees any panic.
func (h Hooks) Apply(ctx context.Context, it *InboxItem) error { return h.f.apply(ctx, it) }
