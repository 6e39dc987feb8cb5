package apply

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/personal"
	"github.com/metropolis/agora/report"
	"github.com/metropolis/agora/uris"
)

// Tx is what the handlers of this package call on the store: the
// batch's transaction inside a batch, the node's store otherwise (see
// scope.go).
type Tx interface {
	// Followers of this node's actors.
	SaveFollower(ctx context.Context, f *stored.Follower) error        // insert or replace by (Target, ActorURI)
	DeleteFollower(ctx context.Context, target, actorURI string) error // ErrNotFound if absent
	// Follows of remote forums, answered.
	FollowingByActivity(ctx context.Context, followID string) (*stored.Following, error)
	SaveFollowing(ctx context.Context, fg *stored.Following) error
	DeleteFollowing(ctx context.Context, objectURI string) error
	// Members' follows of remote people (package people), answered.
	PersonFollowByActivity(ctx context.Context, followID string) (*personal.PersonFollow, error)
	SavePersonFollow(ctx context.Context, f *personal.PersonFollow) error
	DeletePersonFollow(ctx context.Context, memberID, personID forum.ID) error
	// The statuses of remote people that belong to no forum (statuses.go),
	// kept while someone here follows their author.
	PersonFollowed(ctx context.Context, personID forum.ID) (bool, error)
	PersonStatusByURI(ctx context.Context, uri string) (*personal.Status, error)
	SavePersonStatus(ctx context.Context, st *personal.Status) error // insert or replace by URI
	DeletePersonStatus(ctx context.Context, uri string) error        // ErrNotFound if absent
	// Tombstones of remote objects deleted (perhaps before they arrived).
	AddTombstone(ctx context.Context, t *stored.Tombstone) error // idempotent
	Tombstone(ctx context.Context, uri string) (*stored.Tombstone, error)
	// The cached documents of remote actors (members.go).
	RemoteActor(ctx context.Context, uri string) (*stored.RemoteActor, error)
	// The reports of mirrored forums (reports.go).
	SaveReceivedReport(ctx context.Context, r *report.Received) error // insert or replace by URI
	ReceivedReport(ctx context.Context, uri string) (*report.Received, error)
	DeleteReceivedReport(ctx context.Context, uri string) error // ErrNotFound if absent
}

// Store is what the Applier calls on the node's store and, inside a
// batch, on the batch's transaction: the handlers' Tx and the inbox
// items' outcomes.
type Store interface {
	Tx
	FinishInboxItem(ctx context.Context, id forum.ID, at time.Time) error
	// FinishInboxItems marks several items done in one statement (a
	// batch's); an error if any is missing.
	FinishInboxItems(ctx context.Context, ids []forum.ID, at time.Time) error
	// RetryInboxItem records a failure and when to try again (attempts+1).
	RetryInboxItem(ctx context.Context, id forum.ID, next time.Time, errText string) error
	// RefuseInboxItem fails the item r.ItemID at r.RefusedAt with r.Detail
	// and keeps r, in one transaction; only the newest keep refusals stay
	// (keep <= 0: all).
	RefuseInboxItem(ctx context.Context, r *stored.Refusal, keep int) error
}

// AtomicTx is a batch's transaction: the Store, with savepoints, and as
// the forum's store.
type AtomicTx interface {
	Store
	BatchTx
}

// Actors resolves remote actors (inside a batch, only from the store:
// see the federation's actor cache).
type Actors interface {
	Actor(ctx context.Context, uri string, refresh bool) (*stored.RemoteActor, error)
}

// Fetcher gets an object from its origin (the fetch client): a post
// announced or forwarded, a reply's missing parent, a deletion confirmed.
type Fetcher interface {
	GetObject(ctx context.Context, rawURL string) (*fetch.Document, error)
}

// Blocks tells whether a URL is on a blocked instance (blocks.List).
type Blocks interface {
	BlockedURL(ctx context.Context, rawURL string) (bool, error)
}

// Config is what the Applier is given.
type Config struct {
	URLs  *uris.Builder
	IDs   forum.IDs
	Clock forum.Clock
	Log   *slog.Logger
	// Forum and Store are the node's forum service and store: an item
	// applied alone changes them, each change in a transaction of its
	// own. Inside a batch the handlers use the batch's instead (scope.go),
	// so the same handler applies an item alone or within a batch.
	Forum *forum.Service
	Store Store
	// Atomic runs fn in one transaction of the node's store: a batch.
	Atomic func(ctx context.Context, fn func(ctx context.Context, tx AtomicTx) error) error
	Actors Actors
	// Fetcher fetches objects from their origin (within the item's
	// budget; never inside a batch: see fetch.WithoutFetches).
	Fetcher Fetcher
	// Blocks refuses what leads to a blocked instance (blocked.go).
	Blocks Blocks
	// Send queues activities for delivery (the answers to follows and
	// joins), in a transaction of its own.
	Send func(ctx context.Context, acts []*deliver.Outgoing) error
	// Backfill fetches a joined forum's collections again (in the
	// background), by the forum's actor id.
	Backfill func(forumURI string)
	// Applied is told when items were applied: the events they recorded
	// are passed on now rather than at the publisher's next poll.
	Applied func()
	// Refused counts an item refused for good, by reason (metrics), once
	// its refusal is stored.
	Refused func(reason string)
	// KeepRefusals is how many refusals the node keeps (the oldest are
	// dropped); <= 0: all.
	KeepRefusals int
}

// Applier applies received activities: one alone (ApplyAlone) or a batch
// in one transaction (ApplyBatch); it is the inbox worker's inbox.Applier.
type Applier struct {
	cfg Config
}

// New checks cfg and returns its Applier.
func New(cfg Config) (*Applier, error) {
	if cfg.URLs == nil || cfg.IDs == nil || cfg.Clock == nil || cfg.Log == nil || cfg.Forum == nil || cfg.Store == nil ||
		cfg.Atomic == nil || cfg.Actors == nil || cfg.Fetcher == nil || cfg.Blocks == nil || cfg.Send == nil ||
		cfg.Backfill == nil || cfg.Applied == nil || cfg.Refused == nil {
		return nil, errors.New("apply: incomplete config")
	}
	return &Applier{cfg: cfg}, nil
}

// hostOf is a URL's host, lowercased ("" if unparseable).
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}
