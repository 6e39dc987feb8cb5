package federation

import (
	"context"

	"github.com/metropolis/agora/federation/apply"
	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/federation/inbox"
)

// InboxConfig sizes the inbox worker (package inbox).
type InboxConfig = inbox.Settings

// runInbox runs the inbox worker (package inbox), which hands what it
// claims to package apply.
func (f *Federation) runInbox(ctx context.Context) {
	inbox.NewWorker(inbox.Config{Settings: f.cfg.Inbox, Store: f.store, Apply: f.applier, Poll: f.cfg.Delivery.Poll,
		Clock: f.cfg.Clock, Log: f.log, Wake: f.inboxWake}).Run(ctx)
}

// applyActors is the actor cache as package apply resolves actors with
// (only from the store inside a batch: actorCache.actor).
type applyActors struct{ c actorCache }

func (a applyActors) Actor(ctx context.Context, uri string, refresh bool) (*RemoteActor, error) {
	return a.c.actor(ctx, uri, refresh)
}

// applyAtomic runs a batch of received activities in one transaction.
func (f *Federation) applyAtomic(ctx context.Context, fn func(ctx context.Context, tx apply.AtomicTx) error) error {
	return f.store.FederationAtomic(ctx, func(ctx context.Context, tx Store) error { return fn(ctx, tx) })
}

// send queues activities for delivery in a transaction of their own.
func (f *Federation) send(ctx context.Context, acts []*deliver.Outgoing) error {
	return f.enqueue(ctx, acts, nil)
}
