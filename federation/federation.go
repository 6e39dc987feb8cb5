package federation

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/metropolis/agora/clientip"
	"github.com/metropolis/agora/federation/actors"
	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply"
	"github.com/metropolis/agora/federation/blocks"
	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/inbox"
	"github.com/metropolis/agora/federation/join"
	"github.com/metropolis/agora/federation/keys"
	"github.com/metropolis/agora/federation/people"
	"github.com/metropolis/agora/federation/publish"
	"github.com/metropolis/agora/federation/serve"
	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/markup"
	"github.com/metropolis/agora/uris"
)

// Software names this program in NodeInfo and User-Agent.
type Software = serve.Software

// Config is what federation is built from.
type Config struct {
	URLs    *uris.Builder
	Service *forum.Service
	Store   Store
	Logger  *slog.Logger
	Clock   forum.Clock
	IDs     forum.IDs
	// AllowLoopback lets the node talk to peers on 127.0.0.0/8 and ::1:
	// tests and the demo. Production nodes leave it off (SSRF guard).
	AllowLoopback bool
	// SignatureSkew is how far a request's Date may be from now; default 1 h.
	SignatureSkew time.Duration
	// AuthorizedFetch requires a valid signature on GETs of our documents.
	AuthorizedFetch bool
	Software        Software
	// Resolver overrides DNS resolution for the fetcher (tests).
	Resolver fetch.Resolver
	// Dial replaces the fetcher's raw dialer, behind its address checks
	// (tests; see fetch.Config.Dial). Nil in production.
	Dial     func(ctx context.Context, network, addr string) (net.Conn, error)
	Delivery DeliveryConfig
	// Inbox configures the worker that applies received activities.
	Inbox InboxConfig
	// Observer hears deliveries and inbox results (metrics); nil: nobody.
	Observer Observer
	// ClientIP tells the sending server's address behind trusted reverse
	// proxies (the inbox limit keys on it).
	ClientIP clientip.Resolver
	// InboxLimiter limits activities per remote host (429 beyond); nil:
	// no limit.
	InboxLimiter Limiter
	// FetchGate makes one process of the node fetch a remote actor while
	// the others wait for it (nil: each process fetches for itself).
	FetchGate FetchGate
	// Changes, when set, lets the node keep what it reads often in memory
	// (ActivityPub documents) until the store changes. The block list
	// follows the store's own DomainBlocksMoves instead: no other write
	// makes it read again.
	Changes Versioner
	// KeepRefusals is how many refused activities the node keeps for the
	// admin (the oldest are dropped); 0 means DefaultKeepRefusals.
	KeepRefusals int
	// Reports, when set, are the forums' reports: a published one is
	// announced to its forum's followers as an Article (reports.go).
	Reports Reports
	// Keys makes the node's actors' keys; nil: keys.Generate.
	Keys keys.Source
}

// Federation is the node's ActivityPub side.
type Federation struct {
	cfg   Config
	urls  *uris.Builder
	svc   *forum.Service
	store Store
	log   *slog.Logger
	obs   Observer
	// holder names this process's leases (the join worker's).
	holder string
	client *fetch.Client
	keys   *keys.Ring
	actors actorCache
	blocks *blocks.List
	// deliveries works the delivery queue.
	deliveries *deliver.Runner
	// inboxCommits stores received activities with group commit.
	inboxCommits *inbox.Committer
	// serve answers other servers' GETs.
	serve *serve.Server
	// markup renders members' markdown again with their mentions linked.
	markup *markup.Markup
	// pub publishes the node's events.
	pub *publish.Publisher
	// Wake-ups for the workers, so new work is picked up at once rather
	// than at the next poll.
	inboxWake chan struct{}
	// joins joins remote forums.
	joins *join.Joiner
	// applier applies received activities (package apply); the inbox
	// worker hands it what it claims.
	applier *apply.Applier
	// people sends members' follows of remote people.
	people *people.People
}

// New checks cfg and builds the federation side of a node. Call Run to
// start its workers.
func New(cfg Config) (*Federation, error) {
	if cfg.URLs == nil || cfg.Service == nil || cfg.Store == nil || cfg.Logger == nil || cfg.Clock == nil || cfg.IDs == nil {
		return nil, errors.New("federation: incomplete config")
	}
	if cfg.SignatureSkew == 0 {
		cfg.SignatureSkew = time.Hour
	}
	if cfg.Software.Name == "" {
		cfg.Software = Software{Name: "agora", Version: "dev"}
	}
	cfg.Delivery = cfg.Delivery.WithDefaults()
	if cfg.KeepRefusals <= 0 {
		cfg.KeepRefusals = DefaultKeepRefusals
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	f := &Federation{cfg: cfg, urls: cfg.URLs, svc: cfg.Service, store: cfg.Store, log: cfg.Logger, obs: cfg.Observer, holder: newHolder(),
		inboxWake: make(chan struct{}, 1)}
	f.keys = keys.NewRing(cfg.Store, cfg.Clock, cfg.Keys)
	f.blocks = blocks.New(cfg.Store, cfg.Clock)
	f.client = fetch.New(fetch.Config{
		AllowLoopback: cfg.AllowLoopback,
		UserAgent:     cfg.Software.Name + "/" + cfg.Software.Version + " (+" + cfg.URLs.Base() + ")",
		Wrap:          f.keys.Transport(cfg.URLs, cfg.Clock),
		Resolver:      cfg.Resolver,
		Dial:          cfg.Dial,
		// Nothing is ever sent to a blocked instance, whatever asks.
		Blocklist: f.blocks,
		// Keep as many connections to a host as sends in flight to it.
		IdleConnsPerHost: cfg.Delivery.PerHost,
		MaxIdleConns:     max(100, 4*cfg.Delivery.Workers),
	})
	f.actors = actorCache{actors.New(actors.Config{Store: cfg.Store, Client: f.client, URLs: cfg.URLs, Clock: cfg.Clock,
		Log: cfg.Logger, FetchGate: cfg.FetchGate})}
	f.markup = markup.New(markup.TagURL(cfg.URLs.Tag))
	var err error
	f.pub, err = publish.New(publish.Config{Store: cfg.Store, Atomic: f.publishAtomic, Forum: cfg.Service, Docs: publishDocs{f}, More: moreActivities{f}, Actors: f.actors.Cache,
		Client: f.client, URLs: cfg.URLs, IDs: cfg.IDs, Clock: cfg.Clock, Log: cfg.Logger, Settings: cfg.Delivery,
		Queued: f.wakeDeliveries})
	if err != nil {
		return nil, err
	}
	f.inboxCommits = inbox.NewCommitter(func(ctx context.Context, fn func(ctx context.Context, tx inbox.AddStore) error) error {
		return cfg.Store.FederationAtomic(ctx, func(ctx context.Context, tx Store) error { return fn(ctx, tx) })
	})
	f.serve, err = serve.New(serve.Config{URLs: cfg.URLs, Forum: cfg.Service, Store: cfg.Store, Docs: documents{f},
		Log: cfg.Logger, Clock: cfg.Clock, Software: cfg.Software, AuthorizedFetch: cfg.AuthorizedFetch,
		SignatureSkew: cfg.SignatureSkew, Keys: f.actors, KeyOwners: f.actors, SignerBlocked: f.signerBlocked, Changes: versioner(cfg.Changes)})
	if err != nil {
		return nil, err
	}
	f.deliveries, err = deliver.New(deliver.Config{Store: cfg.Store, Atomic: f.atomicOutcomes, Client: f.client,
		Owners: keys.Owners{URLs: cfg.URLs, Forum: cfg.Service}, Blocks: f.blocks, URLs: cfg.URLs, Clock: cfg.Clock,
		Log: cfg.Logger, Observer: cfg.Observer, Settings: cfg.Delivery})
	if err != nil {
		return nil, err
	}
	f.joins, err = join.New(join.Config{Store: cfg.Store, Forum: cfg.Service, Actors: joinSide{f}, Client: f.client,
		Posts: joinSide{f}, Send: f.sendJoin, URLs: cfg.URLs, Clock: cfg.Clock, IDs: cfg.IDs, Log: cfg.Logger,
		Holder: f.holder, Poll: cfg.Delivery.Poll, Backoff: f.backoff})
	if err != nil {
		return nil, err
	}
	f.people, err = people.New(people.Config{URLs: cfg.URLs, IDs: cfg.IDs, Clock: cfg.Clock, Store: cfg.Store,
		Actors: joinSide{f}, Send: f.sendPeople})
	if err != nil {
		return nil, err
	}
	f.applier, err = apply.New(apply.Config{URLs: cfg.URLs, IDs: cfg.IDs, Clock: cfg.Clock, Log: cfg.Logger,
		Forum: cfg.Service, Store: cfg.Store, Atomic: f.applyAtomic, Actors: applyActors{f.actors}, Fetcher: f.client,
		Blocks: f.blocks, Send: f.send, Backfill: f.joins.BackfillJoined, Applied: f.wakePublisher,
		Refused: cfg.Observer.InboxRefused, KeepRefusals: cfg.KeepRefusals})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// DeliveryConfig tunes the delivery queue (package deliver).
type DeliveryConfig = deliver.Settings

// Versioner counts the writes made to the store by this process (see
// storage.Changes): a cache filled at version N is good while the version
// is still N.
type Versioner interface {
	Version() uint64
}

// atomicOutcomes runs a delivery flush in one transaction of the store.
func (f *Federation) atomicOutcomes(ctx context.Context, fn func(ctx context.Context, tx deliver.Outcomes) error) error {
	return f.store.FederationAtomic(ctx, func(ctx context.Context, tx Store) error { return fn(ctx, tx) })
}

// hostBlocked reports whether a host (host[:port]) is blocked.
func (f *Federation) hostBlocked(ctx context.Context, host string) (bool, error) {
	return f.blocks.Blocked(ctx, host)
}

// backoff is the wait before a job's next attempt (see deliver.Backoff).
func (f *Federation) backoff(attempts int) time.Duration {
	return deliver.Backoff(f.cfg.Delivery.BaseBackoff, attempts)
}

// versioner passes changes on as the document cache's, nil as nil (an
// interface holding a nil Versioner would not be nil).
func versioner(changes Versioner) serve.Versioner {
	if changes == nil {
		return nil
	}
	return changes
}

// ContentType is what ActivityPub documents are sent and served as.
const ContentType = ap.ContentType

// WantsActivityJSON reports whether a request asks for ActivityPub rather
// than HTML (see serve.WantsActivityJSON).
func WantsActivityJSON(r *http.Request) bool { return serve.WantsActivityJSON(r) }

// Object serves the ActivityPub form of a page URL (member, forum, thread,
// post). Web calls it when WantsActivityJSON.
func (f *Federation) Object() http.Handler { return f.serve.Object() }

// Routes registers the ActivityPub-only URLs: inboxes (here), and what
// serve answers: collections, activities, the instance actor, discovery.
func (f *Federation) Routes(mux *http.ServeMux) {
	inbox := f.Inbox()
	for _, p := range []string{"POST /inbox", "POST /u/{username}/inbox", "POST /f/{slug}/inbox", "POST /actor/inbox", "POST /t/{id}/actor/inbox"} {
		mux.Handle(p, inbox)
	}
	f.serve.Routes(mux)
}

// serverError answers a request that failed on our side (see
// serve.ServerError).
func (f *Federation) serverError(w http.ResponseWriter, what string, err error) {
	serve.ServerError(f.log, w, what, err)
}

func publicReason(err error) string { return signature.PublicReason(err) }

// localForum is a forum of this node by its slug (see serve.LocalForum).
func (f *Federation) localForum(ctx context.Context, slug string) (*forum.Forum, error) {
	return serve.LocalForum(ctx, f.svc, slug)
}
