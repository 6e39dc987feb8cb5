// Package federation connects an agora node to others over ActivityPub:
// it publishes this node's actors and posts, delivers its activities, and
// verifies and applies what other nodes send.
package federation

import (
	"context"
	"time"

	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
)

// Store is the storage federation needs beside forum.Store. Implementations
// map driver errors onto forum.ErrNotFound and forum.ErrConflict.
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

	// Keys of this node's actors, created once and kept.
	CreateActorKey(ctx context.Context, k *ActorKey) error // ErrConflict if the owner has one
	ActorKey(ctx context.Context, owner string) (*ActorKey, error)

	// Cache of remote actors (documents and keys).
	SaveRemoteActor(ctx context.Context, a *RemoteActor) error // insert or replace by URI
	RemoteActor(ctx context.Context, uri string) (*RemoteActor, error)
	RemoteActorByKeyID(ctx context.Context, keyID string) (*RemoteActor, error)
	// What WebFinger answered for a handle (mentions).
	SaveActorHandle(ctx context.Context, h *ActorHandle) error // insert or replace by Acct
	ActorHandle(ctx context.Context, acct string) (*ActorHandle, error)

	// Followers of this node's actors.
	SaveFollower(ctx context.Context, f *Follower) error // insert or replace by (Target, ActorURI)
	Follower(ctx context.Context, target, actorURI string) (*Follower, error)
	DeleteFollower(ctx context.Context, target, actorURI string) error // ErrNotFound if absent
	// ListFollowers lists accepted followers of target by ID, after afterID,
	// with ActorType set from the remote actor cache.
	ListFollowers(ctx context.Context, target string, afterID forum.ID, limit int) ([]*Follower, error)
	// ListPendingFollowers lists follow requests awaiting approval, oldest first.
	ListPendingFollowers(ctx context.Context, target string, limit int) ([]*Follower, error)
	CountFollowers(ctx context.Context, target string) (int, error)

	// Remote actors this node follows (a city's joined hub forums).
	SaveFollowing(ctx context.Context, f *Following) error // insert or replace by ObjectURI
	Following(ctx context.Context, objectURI string) (*Following, error)
	FollowingByActivity(ctx context.Context, followID string) (*Following, error)
	DeleteFollowing(ctx context.Context, objectURI string) error
	ListFollowing(ctx context.Context) ([]*Following, error)

	// Inbox: activities received, durably, before they are applied.
	// AddInboxItem returns ErrConflict when the activity ID was seen before.
	AddInboxItem(ctx context.Context, it *InboxItem) error
	// InboxItem returns a received activity by its item ID (the publisher
	// passes on what a received.* event names).
	InboxItem(ctx context.Context, id forum.ID) (*InboxItem, error)
	// ClaimInboxItems leases up to limit unprocessed items due at now.
	ClaimInboxItems(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*InboxItem, error)
	FinishInboxItem(ctx context.Context, id forum.ID, at time.Time) error
	// RenewInboxLeases extends the leases of items a worker still holds
	// (applying them, or waiting behind an item of the same order key).
	RenewInboxLeases(ctx context.Context, ids []forum.ID, until time.Time) error
	// ReleaseInboxItems gives held items back without counting an attempt
	// (the worker is stopping), so another process may claim them at once.
	ReleaseInboxItems(ctx context.Context, ids []forum.ID) error
	// RetryInboxItem records a failure and when to try again (attempts+1).
	RetryInboxItem(ctx context.Context, id forum.ID, next time.Time, errText string) error
	// FailInboxItem gives up on an item, keeping it for the record.
	FailInboxItem(ctx context.Context, id forum.ID, at time.Time, errText string) error
	CountInbox(ctx context.Context) (pending, failed int, err error)
	// RefuseInboxItem fails the item r.ItemID at r.RefusedAt with r.Detail
	// and keeps r, in one transaction; only the newest keep refusals stay
	// (keep <= 0: all). ErrNotFound if the item is unknown.
	RefuseInboxItem(ctx context.Context, r *Refusal, keep int) error
	// ListRefusals lists the refusals q selects, newest first.
	ListRefusals(ctx context.Context, q RefusalQuery) ([]*Refusal, error)
	// CountRefusals counts the refusals q selects (its Limit aside) by reason.
	CountRefusals(ctx context.Context, q RefusalQuery) (map[string]int, error)

	// Outbox: activities this node published, served in actor outboxes.
	AddOutboxActivity(ctx context.Context, a *OutboxActivity) error // ErrConflict on a known URI
	OutboxActivity(ctx context.Context, id forum.ID) (*OutboxActivity, error)
	OutboxActivityByURI(ctx context.Context, uri string) (*OutboxActivity, error)
	// ListOutbox lists an actor's public activities newest first, before beforeID.
	ListOutbox(ctx context.Context, actorURI string, beforeID forum.ID, limit int) ([]*OutboxActivity, error)
	CountOutbox(ctx context.Context, actorURI string) (int, error)

	// Deliveries: one row per (activity, inbox), the durable queue.
	AddDeliveries(ctx context.Context, ds []*Delivery) error // duplicates of (ActivityID, Inbox) are skipped
	// ClaimDeliveries leases up to limit pending deliveries due at now,
	// never two of one host beyond perHost in flight, oldest first; safe with
	// several processes (SKIP LOCKED on PostgreSQL).
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit, perHost int) ([]*Delivery, error)
	// FinishDelivery marks a delivery done (State DeliveryDone) or given up
	// (DeliveryFailed / DeliveryDropped), with the last status and error.
	FinishDelivery(ctx context.Context, d *Delivery) error
	// FinishDeliveries is FinishDelivery for many, in one transaction;
	// those no longer stored are skipped.
	FinishDeliveries(ctx context.Context, ds []*Delivery) error
	// RetryDelivery stores Attempts, NextAttemptAt, LastStatus and LastError
	// and releases the lease.
	RetryDelivery(ctx context.Context, d *Delivery) error
	// DropHostDeliveries gives up every pending delivery to host (blocked).
	DropHostDeliveries(ctx context.Context, host string, at time.Time) (int, error)
	DeliveryStats(ctx context.Context) (DeliveryStats, error)

	// Health of remote hosts, for the circuit breaker and the admin.
	Host(ctx context.Context, host string) (*HostHealth, error)
	// HostsByName returns the records of those hosts that have one.
	HostsByName(ctx context.Context, hosts []string) (map[string]*HostHealth, error)
	SaveHost(ctx context.Context, h *HostHealth) error
	SaveHosts(ctx context.Context, hs []*HostHealth) error // SaveHost for many, in one transaction
	ListHosts(ctx context.Context, limit int) ([]*HostHealth, error)

	// Tombstones of remote objects deleted (perhaps before they arrived).
	AddTombstone(ctx context.Context, t *Tombstone) error // idempotent
	Tombstone(ctx context.Context, uri string) (*Tombstone, error)

	// Blocked instances.
	BlockDomain(ctx context.Context, b *DomainBlock) error // idempotent
	UnblockDomain(ctx context.Context, domain string) error
	DomainBlocked(ctx context.Context, domain string) (bool, error)
	// DomainsBlocked is DomainBlocked for several domains in one query.
	DomainsBlocked(ctx context.Context, domains ...string) (bool, error)
	ListDomainBlocks(ctx context.Context) ([]*DomainBlock, error)

	// Leases: a named job runs in one process at a time. TryLease takes or
	// renews name for holder until now+ttl unless another holder's lease
	// is still valid; ReleaseLease gives it up.
	TryLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error

	// Small named values (e.g. the last event published).
	// UnpublishedEvents lists the node's events not yet published, oldest
	// first; MarkEventPublished records one as done.
	UnpublishedEvents(ctx context.Context, limit int) ([]*forum.Event, error)
	MarkEventPublished(ctx context.Context, id forum.ID, at time.Time) error
	// Parked events (see publish_park.go) are left out of
	// UnpublishedEvents. ParkedEvents lists them by id after afterID;
	// ParkEvent sets one aside (again) until retryAt; GiveUpEvent marks one
	// published without publishing it, keeping why.
	ParkedEvents(ctx context.Context, afterID forum.ID, limit int) ([]*ParkedEvent, error)
	ParkEvent(ctx context.Context, id forum.ID, retryAt time.Time, attempts int, reason string) error
	GiveUpEvent(ctx context.Context, id forum.ID, at time.Time, reason string) error
	// Join jobs (package join). ClaimJoinJob leases a due job (id, or any
	// when id is ""), ErrNotFound if none; SaveJoinJob writes a job its
	// holder leases (ErrConflict if the lease was lost); SettleJoinJobs
	// ends the jobs waiting for an Accept that came (done) or a follow
	// that is gone (failed).
	AddJoinJob(ctx context.Context, j *JoinJob) error
	JoinJob(ctx context.Context, id forum.ID) (*JoinJob, error)
	ListJoinJobs(ctx context.Context, limit int) ([]*JoinJob, error) // newest first
	ClaimJoinJob(ctx context.Context, id forum.ID, holder string, now time.Time, lease time.Duration) (*JoinJob, error)
	SaveJoinJob(ctx context.Context, j *JoinJob, holder string) error
	RenewJoinJob(ctx context.Context, id forum.ID, holder string, until time.Time) error
	// RequeueJoinJob queues the ended (waiting or done) join jobs of a
	// forum again; it reports whether the forum has a job (one under way
	// included).
	RequeueJoinJob(ctx context.Context, forumURI string, now time.Time) (bool, error)
	SettleJoinJobs(ctx context.Context, now time.Time) error
	Cursor(ctx context.Context, name string) (string, error) // "" if unset
	SetCursor(ctx context.Context, name, value string) error
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

// InboxItem is an activity received and verified, waiting to be applied.
type InboxItem struct {
	ID            forum.ID
	ActivityID    string // unique: a second delivery is a duplicate
	ActorURI      string // the verified signer's actor
	Body          []byte
	ReceivedAt    time.Time
	Attempts      int
	NextAttemptAt time.Time
	ProcessedAt   *time.Time
	FailedAt      *time.Time
	LastError     string
}

// ParkedEvent is an event the publisher set aside until RetryAt: a
// recipient it needs could not be resolved yet (Reason), Attempts times.
type ParkedEvent struct {
	Event    *forum.Event
	RetryAt  time.Time
	Attempts int
	Reason   string
}
