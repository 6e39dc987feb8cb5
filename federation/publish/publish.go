// Package publish turns the node's event log into activities and queues
// them for delivery: the one publisher of the node (a lease makes it one
// among the processes sharing a database). For each event, a Builder
// (the federation side, which knows the documents) makes the activities
// and names their recipients with the Publisher's help: the followers of
// an actor split into servers and people, remote actors read from the
// store and looked up in the background when unknown (park.go), and the
// people who follow a joined forum's thread (thread_people.go). The
// activities and the event's mark commit in one transaction with
// deliver.Enqueue; ids derive from the event's, so publishing an event
// again adds nothing.
package publish

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/poll"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// Store is what the publisher reads and writes of the node's records.
type Store interface {
	// UnpublishedEvents lists the events not yet published, oldest first.
	UnpublishedEvents(ctx context.Context, limit int) ([]*forum.Event, error)
	ParkedEvents(ctx context.Context, afterID forum.ID, limit int) ([]*stored.ParkedEvent, error)
	ParkEvent(ctx context.Context, id forum.ID, retryAt time.Time, attempts int, reason string) error
	GiveUpEvent(ctx context.Context, id forum.ID, at time.Time, reason string) error
	// FollowerInboxes is where target's accepted followers receive, each
	// inbox once, with whether its followers there are people.
	FollowerInboxes(ctx context.Context, target string) ([]stored.FollowerInbox, error)
	RemoteActor(ctx context.Context, uri string) (*stored.RemoteActor, error)
	// InboxItem is a received activity (the one a received.* event names).
	InboxItem(ctx context.Context, id forum.ID) (*stored.InboxItem, error)
	TryLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
}

// Tx is what the publisher writes in the transaction that queues an
// event's activities.
type Tx interface {
	deliver.QueueStore
	MarkEventPublished(ctx context.Context, id forum.ID, at time.Time) error
}

// Builder makes the activities of the events the publisher leaves to the
// federation side (reports, good practices: every kind the publisher does
// not build itself), nothing for the kinds it does not publish.
// ErrResolving and *UnreachableError from it park the event; any other
// error is retried.
type Builder interface {
	ActivitiesFor(ctx context.Context, e *forum.Event) ([]*deliver.Outgoing, error)
}

// Forum is what the publisher reads of the forum.
type Forum interface {
	Members(ctx context.Context, ids []forum.ID) (map[forum.ID]*forum.Member, error)
	ForumByID(ctx context.Context, id forum.ID) (*forum.Forum, error)
	// LinkMentions stores a post's HTML with its mentions linked.
	LinkMentions(ctx context.Context, postID forum.ID, source, html string) error
}

// Documents builds the node's ActivityPub documents: serve answers with
// the same ones.
type Documents interface {
	// Post loads a post with what its document needs (forum.ErrNotFound
	// when it is gone).
	Post(ctx context.Context, id forum.ID) (*Post, error)
	// Object is the post's Page or Note (a Tombstone once deleted).
	Object(pc *Post) *ap.Object
	MemberURI(m *forum.Member) string
	ForumURI(fo *forum.Forum) string
	ThreadURI(t *forum.Thread) string
	PostURI(p *forum.Post, t *forum.Thread) string
	MemberActor(ctx context.Context, m *forum.Member) (*ap.Actor, error)
	ForumActor(ctx context.Context, fo *forum.Forum) (*ap.Actor, error)
	// LearnMentions resolves the handles a local post's markdown mentions
	// (in the publisher: in the background, ErrResolving meanwhile);
	// Written renders the post with what is known of them.
	LearnMentions(ctx context.Context, source string) error
	Written(ctx context.Context, source string) (*Written, error)
}

// Post is a post with its context: what its document and its addressing
// need.
type Post struct {
	Post   *forum.Post
	Thread *forum.Thread
	Forum  *forum.Forum
	Author *forum.Member
	Parent *forum.Post   // nil for the question
	To     *forum.Member // the parent's author, mentioned
	// Written is what the markdown of a local post adds: mentions and
	// hashtags (nil when it has none).
	Written *Written
	// Webinar is the event a local question is the thread of (nil for
	// other posts): the question is then published as an Event.
	Webinar *forum.Webinar
}

// Written is what a local post's markdown adds to its document.
type Written struct {
	HTML     string   // the content, mentions and hashtags linked
	Tags     []ap.Tag // Mention and Hashtag tags
	Mentions []string // the mentioned actors' ids, for cc and delivery
}

// Actors fetches remote actors (the actors cache).
type Actors interface {
	Actor(ctx context.Context, uri string, refresh bool) (*stored.RemoteActor, error)
}

// Fetcher fetches ActivityPub documents (the fetch client, signing as the
// instance actor).
type Fetcher interface {
	GetObject(ctx context.Context, rawURL string) (*fetch.Document, error)
}

// Config is what a Publisher is built from.
type Config struct {
	Store Store
	// Atomic runs fn in one transaction.
	Atomic func(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
	Forum  Forum
	Docs   Documents
	// More builds the activities of reports and good practices.
	More   Builder
	Actors Actors
	Client Fetcher
	URLs   *uris.Builder
	IDs    forum.IDs
	Clock  forum.Clock
	Log    *slog.Logger
	// Settings: Poll, BaseBackoff and MaxAge (an event is given up that
	// long after it happened).
	Settings deliver.Settings
	// Queued is called when activities were queued (wakes the deliveries).
	Queued func()
}

// Publisher is the node's event publisher.
type Publisher struct {
	cfg    Config
	holder string // names this process's lease
	wake   chan struct{}
	park   *parking
	people peopleLists
	// followers is the batch's memory of followers' inboxes.
	followers batchFollowers
	// renewAt is when the lease this process holds is to be renewed
	// (zero: not held). Only Run's goroutine reads and writes it.
	renewAt time.Time
}

// New checks cfg and returns a Publisher; Run starts it.
func New(cfg Config) (*Publisher, error) {
	if cfg.Store == nil || cfg.Atomic == nil || cfg.Forum == nil || cfg.Docs == nil || cfg.More == nil || cfg.Actors == nil || cfg.Client == nil ||
		cfg.URLs == nil || cfg.IDs == nil || cfg.Clock == nil || cfg.Log == nil {
		return nil, errors.New("publish: incomplete config")
	}
	if cfg.Queued == nil {
		cfg.Queued = func() {}
	}
	return &Publisher{cfg: cfg, holder: newHolder(), wake: make(chan struct{}, 1), park: newParking()}, nil
}

// Wake tells the publisher that the event log grew, so it does not wait
// for its next poll.
func (p *Publisher) Wake() { poll.Waker(p.wake).Wake() }

// Run publishes until ctx ends, while this process holds the lease.
func (p *Publisher) Run(ctx context.Context) {
	defer p.release()
	defer p.park.wg.Wait() // lookups end with ctx
	poll.Loop(ctx, p.wake, p.cfg.Settings.Poll, func(ctx context.Context) bool {
		if !p.lead(ctx) {
			// Another process publishes; what it parks is read again
			// when this one leads.
			p.park.loaded = false
			return false
		}
		return p.publishBatch(ctx)
	})
}

// PublishOnce makes one pass, as Run does at each wake-up, without the
// lease: for tests and tools that drive the publisher by hand. It reports
// whether more events are waiting.
func (p *Publisher) PublishOnce(ctx context.Context) bool { return p.publishBatch(ctx) }

// publishBatch turns the next unpublished events of the node's log into
// activities. Each event's activities and its mark commit together;
// activity ids derive from the event's, so publishing an event twice adds
// nothing. Events are marked one by one rather than passed by a cursor:
// an event id is taken before its transaction commits, so ids do not
// commit in order on PostgreSQL, and a cursor would skip the late ones.
// An event whose recipient is not resolved yet is parked, and the others
// go on (park.go); parked events due again are tried first.
func (p *Publisher) publishBatch(ctx context.Context) bool {
	const batch = 100
	if p.park.parkedPassDue(p.cfg.Clock.Now()) && !p.publishParked(ctx) {
		p.park.loaded = false
		return false
	}
	events, err := p.cfg.Store.UnpublishedEvents(ctx, batch)
	if err != nil {
		p.cfg.Log.Error("read events", "err", err)
		return false
	}
	p.followers.start()
	defer p.followers.end()
	for _, e := range events {
		subject := subjectOfEvent(e)
		if subject != "" && p.park.held[subject] {
			if err := p.parkBehind(ctx, e); err != nil {
				p.cfg.Log.Error("publish event", "event", e.ID, "err", err)
				return false
			}
			continue
		}
		retryAt, parked, err := p.publishOrPark(ctx, e, 0)
		if err != nil {
			// A database error (or a bug): retried from this event, never
			// skipped.
			p.cfg.Log.Error("publish event", "event", e.ID, "kind", e.Kind, "err", err)
			return false
		}
		if parked {
			if subject != "" {
				p.park.held[subject] = true
			}
			if p.park.nextDue.IsZero() || retryAt.Before(p.park.nextDue) {
				p.park.nextDue = retryAt
			}
		}
	}
	return len(events) == batch
}

// queue stores an event's activities and their deliveries, and marks the
// event published, in one transaction. An activity whose id is already
// stored was sent before: it is skipped, so a retried publication never
// delivers twice.
func (p *Publisher) queue(ctx context.Context, eventID forum.ID, now time.Time, acts []*deliver.Outgoing) error {
	err := p.cfg.Atomic(ctx, func(ctx context.Context, tx Tx) error {
		if err := deliver.Enqueue(ctx, tx, p.cfg.IDs, p.cfg.URLs, now, acts); err != nil {
			return err
		}
		return tx.MarkEventPublished(ctx, eventID, now)
	})
	if err == nil {
		p.cfg.Queued()
	}
	return err
}

// The publisher runs in one process at a time among those sharing the
// database: it holds the "publisher" lease, renewed at each batch. Two
// publishers would not deliver twice (activity ids derive from their
// event's, and a stored id is skipped) but would do the work twice. A
// process that dies loses the lease after leaseTTL; one that stops gives
// it up at once.
const (
	leaseName = "publisher"
	leaseTTL  = 15 * time.Second
)

func newHolder() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// leaseRenewal is how long after taking or renewing the lease the
// publisher renews it again. Until then it is this process's (it runs
// until leaseTTL after it was taken), so the publisher does not ask the
// database at each wake-up: while the inbox applies, it is woken after
// every batch, many times a second, and each ask was a transaction.
const leaseRenewal = leaseTTL / 3

// lead reports whether this process holds the publisher lease, taking or
// renewing it when a third of it has passed. Leases use the wall clock:
// they are about processes being alive, not about the node's (possibly
// fixed) clock.
func (p *Publisher) lead(ctx context.Context) bool {
	now := time.Now()
	if now.Before(p.renewAt) {
		return true
	}
	ok, err := p.cfg.Store.TryLease(ctx, leaseName, p.holder, now, leaseTTL)
	if err != nil {
		p.cfg.Log.Error("publisher lease", "err", err)
		ok = false
	}
	p.renewAt = time.Time{}
	if ok {
		p.renewAt = now.Add(leaseRenewal)
	}
	return ok
}

func (p *Publisher) release() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.cfg.Store.ReleaseLease(ctx, leaseName, p.holder); err != nil {
		p.cfg.Log.Warn("release publisher lease", "err", err)
	}
}
