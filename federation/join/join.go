// Package join makes this node follow forums of other nodes: it resolves
// the forum (WebFinger, the Group actor), mirrors it here, sends the
// instance actor's Follow and backfills the forum's recent threads. An
// admin's request queues a join job that a worker carries out and records
// progress on (job.go); Leave sends the Undo. What arrives afterwards (the
// Accept, the forum's Announces) is the received side's.
package join

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/poll"
	"github.com/metropolis/agora/federation/serve"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// Store is what joining reads and writes.
type Store interface {
	// The remote forums this node follows.
	SaveFollowing(ctx context.Context, f *stored.Following) error // insert or replace by ObjectURI
	Following(ctx context.Context, objectURI string) (*stored.Following, error)
	DeleteFollowing(ctx context.Context, objectURI string) error
	ListFollowing(ctx context.Context) ([]*stored.Following, error)

	// Join jobs. ClaimJoinJob leases a due job (id, or any when id is ""),
	// ErrNotFound if none; SaveJoinJob writes a job its holder leases
	// (ErrConflict if the lease was lost); SettleJoinJobs ends the jobs
	// waiting for an Accept that came (done) or a follow that is gone
	// (failed); RequeueJoinJob queues the ended jobs of a forum again and
	// reports whether the forum has one.
	AddJoinJob(ctx context.Context, j *stored.JoinJob) error
	JoinJob(ctx context.Context, id forum.ID) (*stored.JoinJob, error)
	ListJoinJobs(ctx context.Context, limit int) ([]*stored.JoinJob, error) // newest first
	ClaimJoinJob(ctx context.Context, id forum.ID, holder string, now time.Time, lease time.Duration) (*stored.JoinJob, error)
	SaveJoinJob(ctx context.Context, j *stored.JoinJob, holder string) error
	RenewJoinJob(ctx context.Context, id forum.ID, holder string, until time.Time) error
	RequeueJoinJob(ctx context.Context, forumURI string, now time.Time) (bool, error)
	SettleJoinJobs(ctx context.Context, now time.Time) error
}

// Forum saves the mirror of a joined forum (forum.Service).
type Forum interface {
	SaveRemoteForum(ctx context.Context, by *forum.Member, in forum.RemoteForumInfo) (*forum.Forum, error)
}

// Actors resolves remote actors, from the cache while fresh.
type Actors interface {
	Actor(ctx context.Context, uri string, refresh bool) (*stored.RemoteActor, error)
}

// Fetcher fetches documents from other servers (fetch.Client).
type Fetcher interface {
	GetObject(ctx context.Context, rawURL string) (*fetch.Document, error)
	GetJRD(ctx context.Context, rawURL string) ([]byte, error)
}

// Posts stores what a backfill fetches, by the received side's rules.
type Posts interface {
	// TrustedObject is a Create's object, refetched from its origin unless
	// it came embedded from there.
	TrustedObject(ctx context.Context, act *ap.Activity) (*ap.Object, error)
	// StoreFetched stores a post fetched from its origin into fo, unless
	// known, deleted or refused.
	StoreFetched(ctx context.Context, o *ap.Object, fo *forum.Forum) error
	// BackfillGoodPractices marks the answers fo lists as good practices,
	// once its threads are backfilled.
	BackfillGoodPractices(ctx context.Context, fo *forum.Forum) error
}

// Sender stores activities for delivery in one transaction, with
// afterwards in the same transaction.
type Sender func(ctx context.Context, acts []*deliver.Outgoing, afterwards func(ctx context.Context, tx Store) error) error

// Config is what a Joiner is built from; every field is required.
type Config struct {
	Store  Store
	Forum  Forum
	Actors Actors
	Client Fetcher
	Posts  Posts
	Send   Sender
	URLs   *uris.Builder
	Clock  forum.Clock
	IDs    forum.IDs
	Log    *slog.Logger
	// Holder names this process's leases of join jobs.
	Holder string
	// Poll is how often the worker looks for due jobs when idle.
	Poll time.Duration
	// Backoff is the wait before a failed job's next attempt.
	Backoff func(attempts int) time.Duration
}

// Joiner joins remote forums.
type Joiner struct {
	cfg  Config
	wake poll.Waker
}

// New checks cfg and returns a Joiner; Run starts its worker.
func New(cfg Config) (*Joiner, error) {
	if cfg.Store == nil || cfg.Forum == nil || cfg.Actors == nil || cfg.Client == nil || cfg.Posts == nil ||
		cfg.Send == nil || cfg.URLs == nil || cfg.Clock == nil || cfg.IDs == nil || cfg.Log == nil ||
		cfg.Holder == "" || cfg.Poll <= 0 || cfg.Backoff == nil {
		return nil, errors.New("join: incomplete config")
	}
	return &Joiner{cfg: cfg, wake: poll.NewWaker()}, nil
}

// errRefused: the target is not a forum this node can join.
var errRefused = errors.New("cannot join")

// Join makes this node follow a forum of another node (a URL or a handle
// @name@host) at once, in the caller's time: the forum is mirrored here,
// its recent threads are fetched, and from then on its announces arrive
// in the shared inbox. Admins' requests queue a job instead (Queue), which
// a worker carries out the same way.
func (j *Joiner) Join(ctx context.Context, actor *forum.Member, target string) (*forum.Forum, error) {
	if err := forum.CanAdminister(actor); err != nil {
		return nil, err
	}
	fo, ra, err := j.resolveForum(ctx, target)
	if err != nil {
		return nil, err
	}
	if err := j.follow(ctx, fo, ra); err != nil {
		return nil, err
	}
	if err := j.backfill(ctx, fo, ra, nil); err != nil {
		j.cfg.Log.Warn("backfill incomplete", "forum", fo.URI, "err", err)
	}
	return fo, nil
}

// Mirror resolves a forum (its URL or handle) and saves its mirror here
// without following it: what a member who pasted its link opens (a
// thread fetched from it is stored in the mirror). Join follows it.
func (j *Joiner) Mirror(ctx context.Context, target string) (*forum.Forum, error) {
	fo, _, err := j.resolveForum(ctx, target)
	return fo, err
}

var tags = regexp.MustCompile(`<[^>]*>`)

// resolveForum finds the forum target names (WebFinger for a handle),
// fetches its actor and saves its mirror here.
func (j *Joiner) resolveForum(ctx context.Context, target string) (*forum.Forum, *stored.RemoteActor, error) {
	uri, err := j.ResolveTarget(ctx, target)
	if err != nil {
		return nil, nil, err
	}
	ra, err := j.cfg.Actors.Actor(ctx, uri, true)
	if err != nil {
		return nil, nil, err
	}
	if ra.Type != ap.TypeGroup {
		return nil, nil, fmt.Errorf("%w: %s is a %s, not a forum (Group)", errRefused, uri, ra.Type)
	}
	a, err := ap.ParseActor(ctx, ra.Document)
	if err != nil {
		return nil, nil, err
	}
	fo, err := j.cfg.Forum.SaveRemoteForum(ctx, forum.SystemActor(), ForumInfo(a, ra.Domain))
	if err != nil {
		return nil, nil, err
	}
	return fo, ra, nil
}

// ForumInfo is what a forum's Group says of it: its original language
// (the first it lists), and its title and description in every language
// of nameMap/summaryMap, so a city's mirror shows the hub's forum in the
// reader's language.
func ForumInfo(a *ap.Actor, domain string) forum.RemoteForumInfo {
	lang := "en"
	if len(a.Languages) > 0 {
		lang = a.Languages[0]
	}
	texts := map[string]forum.ForumText{lang: {Title: a.Name, Description: plainText(a.Summary)}}
	for l, title := range a.NameMap {
		t := texts[l]
		t.Title = title
		texts[l] = t
	}
	for l, summary := range a.SummaryMap {
		t := texts[l]
		t.Description = plainText(summary)
		texts[l] = t
	}
	for l, t := range texts {
		if t.Title == "" {
			t.Title = a.Name // a description without a title of its own
			texts[l] = t
		}
	}
	return forum.RemoteForumInfo{URI: a.ID, Name: a.PreferredUsername, Domain: domain, Language: lang, Texts: texts}
}

// plainText is a summary's text without its markup.
func plainText(h string) string {
	return strings.TrimSpace(html.UnescapeString(tags.ReplaceAllString(h, "")))
}

// follow sends the instance actor's Follow, once.
func (j *Joiner) follow(ctx context.Context, fo *forum.Forum, ra *stored.RemoteActor) error {
	if fg, err := j.cfg.Store.Following(ctx, fo.URI); err == nil && fg.ForumID == fo.ID {
		return nil // already following (or asked)
	}
	id := j.cfg.IDs.New()
	followID := j.cfg.URLs.Activity(id)
	if err := j.cfg.Store.SaveFollowing(ctx, &stored.Following{ID: id, ActorURI: j.cfg.URLs.InstanceActor(), ObjectURI: fo.URI,
		FollowID: followID, ForumID: fo.ID, State: stored.FollowPending, CreatedAt: j.cfg.Clock.Now()}); err != nil {
		return err
	}
	act := &ap.Activity{ID: followID, Type: ap.TypeFollow, Actor: j.cfg.URLs.InstanceActor(), Object: ap.Ref{IRI: fo.URI},
		To: []string{fo.URI}, Published: j.cfg.Clock.Now()}
	body, err := ap.Marshal(act)
	if err != nil {
		return err
	}
	return j.cfg.Send(ctx, []*deliver.Outgoing{{ID: id, URI: followID, ActorURI: act.Actor, Type: ap.TypeFollow, Object: fo.URI,
		Body: body, Inboxes: []string{ra.Inbox}}}, nil)
}

// Leave stops following a remote forum (Undo{Follow}). The mirror and every
// post stay: the members' own answers are this node's originals.
func (j *Joiner) Leave(ctx context.Context, actor *forum.Member, forumURI string) error {
	if err := forum.CanAdminister(actor); err != nil {
		return err
	}
	fg, err := j.cfg.Store.Following(ctx, forumURI)
	if err != nil {
		return err
	}
	ra, err := j.cfg.Actors.Actor(ctx, forumURI, false)
	if err != nil {
		return err
	}
	follow := &ap.Activity{ID: fg.FollowID, Type: ap.TypeFollow, Actor: fg.ActorURI, Object: ap.Ref{IRI: fg.ObjectURI}}
	id := j.cfg.IDs.New()
	undo := &ap.Activity{ID: j.cfg.URLs.Activity(id), Type: ap.TypeUndo, Actor: fg.ActorURI, Object: ap.Ref{Activity: follow},
		To: []string{forumURI}, Published: j.cfg.Clock.Now()}
	body, err := ap.Marshal(undo)
	if err != nil {
		return err
	}
	return j.cfg.Send(ctx, []*deliver.Outgoing{{ID: id, URI: undo.ID, ActorURI: undo.Actor, Type: ap.TypeUndo, Object: fg.FollowID,
		OrderKey: fg.ObjectURI, Body: body, Inboxes: []string{ra.Inbox}}}, func(ctx context.Context, tx Store) error {
		return tx.DeleteFollowing(ctx, forumURI)
	})
}

// Joined lists the remote forums this node follows.
func (j *Joiner) Joined(ctx context.Context) ([]*stored.Following, error) {
	return j.cfg.Store.ListFollowing(ctx)
}

// ResolveTarget turns @name@host (WebFinger) or a URL into an actor id.
func (j *Joiner) ResolveTarget(ctx context.Context, target string) (string, error) {
	target = strings.TrimSpace(target)
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		return target, nil
	}
	acct := strings.TrimPrefix(strings.TrimPrefix(target, "acct:"), "@")
	name, host, ok := strings.Cut(acct, "@")
	if !ok || name == "" || host == "" {
		return "", fmt.Errorf("%w: %q: want a forum URL or a handle @name@host", errRefused, target)
	}
	// The peer's scheme follows ours: https in production, http on loopback.
	scheme := "https"
	if !j.cfg.URLs.Secure() {
		scheme = "http"
	}
	query, err := uris.WebFinger(scheme, acct)
	if err != nil {
		return "", fmt.Errorf("%w: %w", errRefused, err)
	}
	body, err := j.cfg.Client.GetJRD(ctx, query)
	if err != nil {
		return "", fmt.Errorf("webfinger %s: %w", acct, err)
	}
	var doc serve.JRD
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("webfinger %s: %w", acct, err)
	}
	for _, l := range doc.Links {
		if l.Rel == "self" && (l.Type == ap.ContentType || strings.HasPrefix(l.Type, "application/ld+json")) {
			return l.Href, nil
		}
	}
	return "", fmt.Errorf("%w: webfinger %s: no ActivityPub actor", errRefused, acct)
}

// sameHost reports whether two URLs are on the same host (and port).
func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Host != "" && strings.EqualFold(ua.Host, ub.Host)
}
