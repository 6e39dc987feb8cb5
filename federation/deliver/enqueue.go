package deliver

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// Outgoing is one activity to store and deliver.
type Outgoing struct {
	ID       forum.ID // the outbox row's ID; "" for a new one
	URI      string   // the activity's id
	ActorURI string
	Type     string
	Object   string
	Public   bool // listed in the actor's outbox
	Body     []byte
	Inboxes  []string
	// OrderKey: activities with the same key reach a host in the order
	// queued (see Delivery.OrderKey); empty means Object.
	OrderKey string
}

// QueueStore is what Enqueue writes, in the caller's transaction.
type QueueStore interface {
	AddOutboxActivity(ctx context.Context, a *stored.OutboxActivity) error // ErrConflict on a known URI
	AddDeliveries(ctx context.Context, ds []*stored.Delivery) error        // duplicates of (ActivityID, Inbox) are skipped
}

// Enqueue stores activities and their deliveries with tx (the caller's
// transaction, so that what it records with them commits with them). An
// activity whose id is already stored was sent before: it is skipped, so a
// retried publication never delivers twice. Inboxes of this node are left
// out. Wake the Runner once the transaction commits.
func Enqueue(ctx context.Context, tx QueueStore, ids forum.IDs, urls *uris.Builder, now time.Time, acts []*Outgoing) error {
	for _, a := range acts {
		row := &stored.OutboxActivity{ID: a.ID, URI: a.URI, ActorURI: a.ActorURI, Type: a.Type, ObjectURI: a.Object,
			Body: a.Body, Public: a.Public, CreatedAt: now}
		if row.ID == "" {
			row.ID = ids.New()
		}
		if err := tx.AddOutboxActivity(ctx, row); errors.Is(err, forum.ErrConflict) {
			continue
		} else if err != nil {
			return fmt.Errorf("store activity %s: %w", a.URI, err)
		}
		key := a.OrderKey
		if key == "" {
			key = a.Object
		}
		ds := make([]*stored.Delivery, 0, len(a.Inboxes))
		for _, inbox := range a.Inboxes {
			host := hostOf(inbox)
			if host == "" || urls.IsLocal(inbox) {
				continue
			}
			ds = append(ds, &stored.Delivery{ID: ids.New(), ActivityID: row.ID, Inbox: inbox, Host: host,
				OrderKey: key, State: stored.DeliveryPending, NextAttemptAt: now, CreatedAt: now})
		}
		if len(ds) > 0 {
			if err := tx.AddDeliveries(ctx, ds); err != nil {
				return fmt.Errorf("queue deliveries of %s: %w", a.URI, err)
			}
		}
	}
	return nil
}

// hostOf is a URL's host, lowercased ("" if unparseable).
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}
