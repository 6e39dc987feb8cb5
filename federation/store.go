// Package federation connects an agora node to others over ActivityPub:
// it publishes this node's actors and posts, delivers its activities, and
// verifies and applies what other nodes send.
package federation

import (
	"context"
	"time"

	"github.com/metropolis/agora/federation/actors"
	"github.com/metropolis/agora/federation/apply"
	"github.com/metropolis/agora/federation/blocks"
	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/federation/join"
	"github.com/metropolis/agora/federation/keys"
	"github.com/metropolis/agora/federation/people"
	"github.com/metropolis/agora/federation/publish"
	"github.com/metropolis/agora/federation/serve"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/report"
)

// Store is the storage of the federation side: what each of its packages
// declares it calls (each package's own Store lists exactly that), and
// what this package calls itself. storage.Store
// implements it. Implementations map driver errors onto forum.ErrNotFound
// and forum.ErrConflict.
type Store interface {
	// FederationAtomic runs fn in one transaction.
	FederationAtomic(ctx context.Context, fn func(ctx context.Context, tx Store) error) error
	// Savepoint runs fn under a savepoint of the transaction this store is
	// bound to, rolling back to it when fn fails (the transaction goes on);
	// outside a transaction fn runs in one of its own.
	Savepoint(ctx context.Context, fn func(ctx context.Context) error) error
	// ForumStore is this store (or this transaction) as the forum's store:
	// a batch of received activities is applied by the forum service in
	// the batch's transaction.
	ForumStore() forum.Store

	actors.Store       // the remote actors cache
	keys.Store         // this node's actors' keys
	blocks.Store       // the block list
	deliver.Store      // the delivery queue
	deliver.QueueStore // queueing activities, in the caller's transaction
	deliver.Outcomes   // a batch of delivery outcomes, in one transaction
	join.Store         // follows of remote forums, join jobs
	people.Store       // members' follows of remote people
	serve.Store        // outboxes and followers, as served
	publish.Store      // the event publisher
	publish.Tx         // its transaction
	apply.Store        // what received activities change, and their outcomes
	receivedStore
	mentionStore
	report.ReceivedStore // the reports of mirrored forums
}

// receivedStore is what the received side calls beside the packages'
// stores (apply.Store: the handlers' and the items' outcomes): the
// inbox's own, the admin's follow decisions and the refusals listed.
type receivedStore interface {
	// Inbox: activities received, durably, before they are applied.
	// AddInboxItem returns ErrConflict when the activity ID was seen before.
	AddInboxItem(ctx context.Context, it *InboxItem) error
	// ClaimInboxItems leases up to limit unprocessed items due at now.
	ClaimInboxItems(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*InboxItem, error)
	// RenewInboxLeases extends the leases of items a worker still holds
	// (applying them, or waiting behind an item of the same order key).
	RenewInboxLeases(ctx context.Context, ids []forum.ID, until time.Time) error
	// ReleaseInboxItems gives held items back without counting an attempt
	// (the worker is stopping), so another process may claim them at once.
	ReleaseInboxItems(ctx context.Context, ids []forum.ID) error
	// FailInboxItem gives up on an item, keeping it for the record.
	FailInboxItem(ctx context.Context, id forum.ID, at time.Time, errText string) error
	// ListRefusals lists the refusals q selects, newest first.
	ListRefusals(ctx context.Context, q RefusalQuery) ([]*Refusal, error)
}

// mentionStore is what mention resolution (mentions.go) keeps: what
// WebFinger answered for a handle.
type mentionStore interface {
	SaveActorHandle(ctx context.Context, h *ActorHandle) error // insert or replace by Acct
	ActorHandle(ctx context.Context, acct string) (*ActorHandle, error)
}

// The records federation stores live in package stored, so that the
// packages under federation share them; these names keep the storage and
// the received side's code as they were.
type (
	ActorKey       = stored.ActorKey
	RemoteActor    = stored.RemoteActor
	ActorHandle    = stored.ActorHandle
	FollowState    = stored.FollowState
	Follower       = stored.Follower
	Following      = stored.Following
	OutboxActivity = stored.OutboxActivity
	DeliveryState  = stored.DeliveryState
	Delivery       = stored.Delivery
	DeliveryStats  = stored.DeliveryStats
	HostHealth     = stored.HostHealth
	Tombstone      = stored.Tombstone
	DomainBlock    = stored.DomainBlock
)

// Follow and delivery states.
const (
	FollowPending   = stored.FollowPending
	FollowAccepted  = stored.FollowAccepted
	DeliveryPending = stored.DeliveryPending
	DeliveryDone    = stored.DeliveryDone
	DeliveryFailed  = stored.DeliveryFailed
	DeliveryDropped = stored.DeliveryDropped
)

// InboxItem is an activity received and verified (stored.InboxItem).
type InboxItem = stored.InboxItem

// ParkedEvent is an event the publisher set aside (stored.ParkedEvent).
type ParkedEvent = stored.ParkedEvent
