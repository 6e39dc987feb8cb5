package federation

import (
	"context"

	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/federation/publish"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// outgoing is one activity to store and deliver.
type outgoing struct {
	id       forum.ID // local ID of the outbox row
	uri      string   // the activity's id
	actorURI string
	typ      string
	object   string
	public   bool // listed in the actor's outbox
	body     []byte
	inboxes  []string
	// orderKey: activities with the same key reach a host in the order
	// queued (see Delivery.OrderKey); empty means object.
	orderKey string
}

// enqueue stores activities and their deliveries in one transaction, with
// afterwards (e.g. moving a cursor) in the same transaction. An activity
// whose id is already stored was sent before: it is skipped, so a retried
// publication never delivers twice.
func (f *Federation) enqueue(ctx context.Context, acts []*deliver.Outgoing, afterwards func(ctx context.Context, tx Store) error) error {
	now := f.cfg.Clock.Now()
	err := f.store.FederationAtomic(ctx, func(ctx context.Context, tx Store) error {
		if err := deliver.Enqueue(ctx, tx, f.cfg.IDs, f.urls, now, acts); err != nil {
			return err
		}
		if afterwards != nil {
			return afterwards(ctx, tx)
		}
		return nil
	})
	if err == nil {
		f.wakeDeliveries()
	}
	return err
}

// inboxSet collects inboxes, one per shared inbox (publish.InboxSet).
type inboxSet = publish.InboxSet

// toDeliver is activities in deliver's form.
func toDeliver(acts []*outgoing) []*deliver.Outgoing {
	out := make([]*deliver.Outgoing, len(acts))
	for i, a := range acts {
		out[i] = &deliver.Outgoing{ID: a.id, URI: a.uri, ActorURI: a.actorURI, Type: a.typ, Object: a.object,
			Public: a.public, Body: a.body, Inboxes: a.inboxes, OrderKey: a.orderKey}
	}
	return out
}

// followersOf is the followers collection of a local actor, by its id.
func followersOf(actorURL string) string { return uris.ActorFollowers(actorURL) }
