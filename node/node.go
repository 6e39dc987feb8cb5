// Package node assembles an agora node from its parts: storage, the forum
// service, federation and the web handler. The agora command, the demo and
// the multi-node tests all build nodes here, so they run the same wiring.
package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/metropolis/agora/clientip"
	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/keys"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/markup"
	"github.com/metropolis/agora/forum/password"
	"github.com/metropolis/agora/live"
	"github.com/metropolis/agora/mail"
	"github.com/metropolis/agora/mailin"
	"github.com/metropolis/agora/media"
	"github.com/metropolis/agora/metrics"
	"github.com/metropolis/agora/notify"
	"github.com/metropolis/agora/oauth"
	"github.com/metropolis/agora/ratelimit"
	"github.com/metropolis/agora/report"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/uris"
	"github.com/metropolis/agora/web"
	"github.com/metropolis/agora/web/mastoapi"
)

// Config is what a node is built from. DB must be open and migrated.
type Config struct {
	BaseURL         string
	DefaultLanguage string
	// DefaultCity is the node's city: members who name none belong to it.
	DefaultCity string
	// TimeZone is the IANA zone times are shown in to members who chose
	// none ("" is UTC).
	TimeZone string
	DB       *storage.DB
	Logger   *slog.Logger
	// AllowLoopbackPeers lets federation talk to 127.0.0.0/8 and ::1 (tests
	// and the demo); production nodes leave it off.
	AllowLoopbackPeers bool
	AuthorizedFetch    bool
	// ClientIP finds clients behind the operator's trusted reverse proxies
	// (rate limits key on it); the zero value trusts none.
	ClientIP      clientip.Resolver
	SignatureSkew time.Duration
	// SearchIndexing tunes SQLite's search indexer (the zero value takes
	// its defaults).
	SearchIndexing storage.SearchIndexing
	Delivery       federation.DeliveryConfig
	Inbox          federation.InboxConfig
	Software       federation.Software
	// KeepRefusals is how many refused activities the node keeps for the
	// admin; 0 means federation.DefaultKeepRefusals.
	KeepRefusals int
	// InboxLimit is how many activities one sender host may post to the
	// node's inboxes per InboxWindow (429 beyond): 0 takes
	// DefaultInboxLimit, UnlimitedInbox turns the limit off. It sizes the
	// in-process limiter; a shared one (Shared.InboxLimiter) was built with
	// it by the caller.
	InboxLimit int
	// Production: shared or in-process services (see Shared). Zero values
	// mean no metrics, in-process limits and live updates in process.
	Shared Shared
	// Mail, when its SMTPURL is set, mails notifications (see package
	// mail); the zero value sends no email.
	Mail MailConfig
	// Media keeps uploaded pictures (media.Dir under the data directory
	// in production); nil turns uploads off.
	Media media.Store
	// MediaSweep is how often and how much the node deletes media files
	// nothing uses (zero values: the defaults).
	MediaSweep MediaSweepConfig
	// Optional: tests fix these; zero values mean the real ones.
	// Resolver resolves peers' host names for the fetcher (tests give
	// names such as bad.example to loopback servers).
	Resolver fetch.Resolver
	// Dial replaces the fetcher's raw dialer behind its address checks
	// (tests give port-less hosts to loopback listeners); nil dials as is.
	Dial   func(ctx context.Context, network, addr string) (net.Conn, error)
	Clock  forum.Clock
	IDs    forum.IDs
	Hasher forum.PasswordHasher
	// Keys makes the node's actors' keys (tests hand out fixed ones); nil:
	// a fresh RSA-2048 key per actor (keys.Generate).
	Keys keys.Source
}

// Shared are the services a node may share with its other processes
// (through Redis), or keep in process.
type Shared struct {
	// Metrics, when set, counts requests, deliveries and inbox results and
	// is served on /metrics.
	Metrics *metrics.Metrics
	// MetricsElsewhere keeps /metrics off the node's handler (it is served
	// on a listener of its own).
	MetricsElsewhere bool
	// Live carries new answers to open thread pages; nil: a local broker.
	Live live.Broker
	// SignInLimiter, InboxLimiter and APILimiter (the Mastodon API's
	// per-token limit): nil means in-process limits.
	SignInLimiter ratelimit.Limiter
	InboxLimiter  ratelimit.Limiter
	APILimiter    ratelimit.Limiter
	// ReadyChecks are what /readyz asks besides the database.
	ReadyChecks []web.ReadyCheck
	// FetchGate makes one process fetch a remote actor for all (nil: each
	// process fetches for itself).
	FetchGate federation.FetchGate
}

// MailConfig is the node's outgoing mail: --smtp-url and --mail-from.
type MailConfig struct {
	SMTPURL string
	From    string
	// Coalesce is how long "at once" notifications wait for others to go
	// in the same mail (0: 3 minutes).
	Coalesce time.Duration
	// Poll is how often the planner and the queue are read (0: 2 s).
	Poll time.Duration
	// ReplyTTL is how long a mail's reply address works (0:
	// mailin.DefaultTTL).
	ReplyTTL time.Duration
	// Backoff is the wait after a failed send (nil: the queue's default,
	// minutes growing to hours); tests make it short.
	Backoff func(attempt int) time.Duration
}

// Node is an assembled node.
type Node struct {
	URLs       *uris.Builder
	Service    *forum.Service
	Federation *federation.Federation
	Handler    http.Handler
	DB         *storage.DB
	// Reports composes and renders the forums' reports.
	Reports *report.Service
	// Notify is the members' notifications (pages read it); notices
	// derives them from the event log while the node runs.
	Notify *notify.Service
	// MailIn posts replies to the node's mails (--smtp-listen and `agora
	// mail receive` hand it what arrives).
	MailIn  *mailin.Receiver
	feed    *live.Feed
	notices *notify.Deriver
	logger  *slog.Logger
	mailer  *mail.Worker // nil without SMTP
	planner *web.Server
	poll    time.Duration
	// sweeper deletes unused media files (nil without a media store).
	sweeper    *media.Sweeper
	sweepEvery time.Duration
	now        func() time.Time
	indexing   storage.SearchIndexing
}

// New wires a node.
func New(cfg Config) (*Node, error) {
	if cfg.DB == nil || cfg.Logger == nil {
		return nil, errors.New("node: incomplete config")
	}
	urls, err := uris.New(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Clock == nil {
		cfg.Clock = forum.SystemClock{}
	}
	if cfg.IDs == nil {
		cfg.IDs = forum.NewULIDs(cfg.Clock, nil)
	}
	if cfg.Hasher == nil {
		cfg.Hasher = password.New()
	}
	svc, err := forum.NewService(forum.Deps{Store: cfg.DB.Store(), Clock: cfg.Clock, IDs: cfg.IDs,
		Hasher: cfg.Hasher, Renderer: markup.New(markup.TagURL(urls.Tag)), DefaultCity: cfg.DefaultCity})
	if err != nil {
		return nil, fmt.Errorf("forum service: %w", err)
	}
	sh := cfg.Shared
	if sh.Live == nil {
		sh.Live = live.NewLocal()
	}
	reports, err := report.NewService(report.Deps{Store: cfg.DB.Store(), Discussion: cfg.DB.Store(), Clock: cfg.Clock,
		IDs: cfg.IDs, Renderer: markup.New(markup.TagURL(urls.Tag))})
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	var inboxLimiter federation.Limiter // nil: no limit
	switch limit := cfg.InboxLimit; {
	case sh.InboxLimiter != nil:
		inboxLimiter = sh.InboxLimiter
	case limit == 0:
		inboxLimiter = ratelimit.NewMemory(DefaultInboxLimit, InboxWindow)
	case limit > 0:
		inboxLimiter = ratelimit.NewMemory(limit, InboxWindow)
	}
	inboxCfg := cfg.Inbox
	if cfg.DB.Dialect() == storage.DialectPostgres {
		inboxCfg = inboxCfg.ForConcurrentWriters()
	}
	var obs federation.Observer
	if sh.Metrics != nil {
		obs = sh.Metrics
	}
	fed, err := federation.New(federation.Config{ClientIP: cfg.ClientIP, Observer: obs, InboxLimiter: inboxLimiter, FetchGate: sh.FetchGate, URLs: urls, Service: svc, Store: cfg.DB.Store(), Logger: cfg.Logger,
		Clock: cfg.Clock, IDs: cfg.IDs, AllowLoopback: cfg.AllowLoopbackPeers, AuthorizedFetch: cfg.AuthorizedFetch,
		SignatureSkew: cfg.SignatureSkew, Software: cfg.Software, Delivery: cfg.Delivery, Inbox: inboxCfg, Changes: cfg.DB.Changes(),
		Resolver: cfg.Resolver, Dial: cfg.Dial, KeepRefusals: cfg.KeepRefusals, Keys: cfg.Keys, Reports: reports})
	if err != nil {
		return nil, fmt.Errorf("federation: %w", err)
	}
	notes := &notify.Service{Store: cfg.DB.Store(), Now: cfg.Clock.Now}
	notices := &notify.Deriver{Events: svc.Events, Store: cfg.DB.Store(), Forum: svc, URLs: urls,
		Markup: markup.New(markup.TagURL(urls.Tag)), IDs: cfg.IDs, Logger: cfg.Logger, Now: cfg.Clock.Now}
	var mailer *mail.Worker
	var mailCfg *web.MailConfig
	if cfg.Mail.SMTPURL != "" {
		sender, err := mail.NewSMTP(cfg.Mail.SMTPURL, cfg.Mail.From, urls.Host())
		if err != nil {
			return nil, err
		}
		mailer = &mail.Worker{Queue: cfg.DB.Store(), Sender: sender, Logger: cfg.Logger, Poll: cfg.Mail.Poll,
			Now: cfg.Clock.Now, Backoff: cfg.Mail.Backoff}
		mailCfg = &web.MailConfig{Store: cfg.DB.Store(), IDs: cfg.IDs, Now: cfg.Clock.Now, Coalesce: cfg.Mail.Coalesce,
			ReplyFrom: cfg.Mail.From, ReplyTTL: cfg.Mail.ReplyTTL}
	}
	searcher := search.NewService(cfg.DB.Store(), cfg.DB.Store())
	auth := &oauth.Service{Store: cfg.DB.Store(), IDs: cfg.IDs, Now: cfg.Clock.Now}
	apiMessages, err := web.NewAPIMessages(cfg.DefaultLanguage)
	if err != nil {
		return nil, fmt.Errorf("mastodon api messages: %w", err)
	}
	api, err := mastoapi.New(mastoapi.Config{URLs: urls, Forum: svc, OAuth: auth, Personal: cfg.DB.Store(), Notify: notes, Media: cfg.Media, Uploads: cfg.DB.Store(), IDs: cfg.IDs,
		Search: searcher, Resolve: fed, Follows: fed, Live: sh.Live, Messages: apiMessages, Logger: cfg.Logger, Limiter: sh.APILimiter, ClientIP: cfg.ClientIP,
		Version: cfg.Software.Version, DefaultLanguage: cfg.DefaultLanguage, Now: cfg.Clock.Now, Wrote: fed.Notify})
	if err != nil {
		return nil, fmt.Errorf("mastodon api: %w", err)
	}
	// A revoked token's open streams close, in every process.
	auth.Revoked = api.Revoked
	notices.Added = api.NotificationsAdded
	h, err := web.New(web.Config{URLs: urls, Reports: reports, DefaultLanguage: cfg.DefaultLanguage, TimeZone: cfg.TimeZone, Service: svc, Notify: notes, Mail: mailCfg,
		Logger: cfg.Logger, Federation: fed, SignInLimiter: sh.SignInLimiter, ClientIP: cfg.ClientIP, Metrics: sh.Metrics,
		MetricsElsewhere: sh.MetricsElsewhere, Changes: cfg.DB.Changes(),
		Live: sh.Live, ReadyChecks: sh.ReadyChecks, Search: searcher, OAuth: auth, Mastodon: api, Media: cfg.Media,
		Feeds: cfg.DB.Store(), SiteName: cfg.DefaultCity})
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	feed := &live.Feed{Events: svc.Events, EventIDs: svc.EventIDs, Statuses: cfg.DB.Store().StatusesSince, Broker: sh.Live, Logger: cfg.Logger, Now: cfg.Clock.Now}
	mailIn := &mailin.Receiver{Store: cfg.DB.Store(), Forum: svc, Logger: cfg.Logger, Now: cfg.Clock.Now,
		DefaultLanguage: cfg.DefaultLanguage, Posted: func(*forum.Post) { fed.Notify() }}
	return &Node{URLs: urls, Service: svc, Reports: reports, Federation: fed, Handler: h, DB: cfg.DB, Notify: notes, MailIn: mailIn, feed: feed, notices: notices,
		mailer: mailer, planner: h, poll: cfg.Mail.Poll, logger: cfg.Logger,
		sweeper: newMediaSweeper(cfg), sweepEvery: cfg.MediaSweep.Every, now: cfg.Clock.Now, indexing: cfg.SearchIndexing}, nil
}

// The inbox limit counts activities per remote host (all inboxes of the
// node together) in windows of InboxWindow. It is a wall against a flood,
// not a throttle: a hub relaying a busy forum sends everything from one
// host, and refusing it below what the node can apply only makes it retry
// later (and fall behind). One node aims to apply at least 1,000 received
// activities a second, so the default, 120,000 a minute (2,000/s), lets a
// legitimate peer send twice that; a flood beyond it is refused before any
// signature is checked. UnlimitedInbox turns the limit off.
const (
	DefaultInboxLimit = 120_000
	InboxWindow       = time.Minute
	UnlimitedInbox    = -1
)

// Run runs the node's background work (federation, the live feed,
// notifications, SQLite's search indexer) until ctx ends.
func (n *Node) Run(ctx context.Context) {
	done := make(chan struct{}, 3)
	go func() { n.feed.Run(ctx); done <- struct{}{} }()
	go func() { n.notices.Run(ctx); done <- struct{}{} }()
	go func() { n.DB.RunSearchIndexer(ctx, n.indexing); done <- struct{}{} }()
	if n.mailer != nil {
		go n.mailer.Run(ctx)
		go n.planMail(ctx)
	}
	if n.sweeper != nil {
		go n.sweepMedia(ctx)
	}
	n.Federation.Run(ctx)
	<-done
	<-done
	<-done
}

// planMail turns notifications into queued mails, in one process at a
// time (the "mail-planner" lease).
func (n *Node) planMail(ctx context.Context) {
	poll := n.poll
	if poll == 0 {
		poll = 2 * time.Second
	}
	holder := n.DB.Store()
	id := fmt.Sprintf("%p-%d", n, time.Now().UnixNano())
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		ok, err := holder.TryLease(ctx, "mail-planner", id, time.Now(), 15*time.Second)
		if err != nil && ctx.Err() == nil {
			n.logger.Error("mail planner lease", "err", err)
		}
		if ok {
			if err := n.planner.PlanMail(ctx); err != nil && ctx.Err() == nil {
				n.logger.Error("plan mail", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
