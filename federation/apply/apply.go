package apply

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"

	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/report"
	"github.com/metropolis/agora/uris"
)

// Tx is what the handlers of this package call on the store: the
// batch's transaction inside a batch, the node's store otherwise (see
// Config.Scope).
type Tx interface {
	// Followers of this node's actors.
	SaveFollower(ctx context.Context, f *stored.Follower) error        // insert or replace by (Target, ActorURI)
	DeleteFollower(ctx context.Context, target, actorURI string) error // ErrNotFound if absent
	// Follows of remote forums, answered.
	FollowingByActivity(ctx context.Context, followID string) (*stored.Following, error)
	SaveFollowing(ctx context.Context, fg *stored.Following) error
	DeleteFollowing(ctx context.Context, objectURI string) error
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

// Config is what the handlers are given.
type Config struct {
	URLs  *uris.Builder
	IDs   forum.IDs
	Clock forum.Clock
	Log   *slog.Logger
	// Scope is the forum service and store to apply with: the batch's
	// transaction inside a batch, the node's otherwise. The same handler
	// then applies an item alone or within a batch.
	Scope  func(ctx context.Context) (*forum.Service, Tx)
	Actors Actors
	// Fetcher fetches objects from their origin (within the item's
	// budget; never inside a batch: see fetch.WithoutFetches).
	Fetcher Fetcher
	// Blocks refuses what leads to a blocked instance (blocked.go).
	Blocks Blocks
	// Send queues activities for delivery (the answers to follows), in a
	// transaction of its own.
	Send func(ctx context.Context, acts []*deliver.Outgoing) error
	// Backfill fetches a joined forum's collections again (in the
	// background), by the forum's actor id.
	Backfill func(forumURI string)
}

// Applier applies received activities of the types this package handles.
type Applier struct {
	cfg Config
}

// New checks cfg and returns its Applier.
func New(cfg Config) (*Applier, error) {
	if cfg.URLs == nil || cfg.IDs == nil || cfg.Clock == nil || cfg.Log == nil || cfg.Scope == nil ||
		cfg.Actors == nil || cfg.Fetcher == nil || cfg.Blocks == nil || cfg.Send == nil || cfg.Backfill == nil {
		return nil, errors.New("apply: incomplete config")
	}
	return &Applier{cfg: cfg}, nil
}

func (a *Applier) forum(ctx context.Context) *forum.Service {
	svc, _ := a.cfg.Scope(ctx)
	return svc
}

func (a *Applier) store(ctx context.Context) Tx {
	_, tx := a.cfg.Scope(ctx)
	return tx
}

// hostOf is a URL's host, lowercased ("" if unparseable).
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}
