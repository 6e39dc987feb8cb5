package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/serve"
	"github.com/metropolis/agora/forum"
)

// Bounds on backfilling a joined forum: its latest threads, and the first
// posts of each.
const (
	backfillThreads      = 40
	backfillPostsPerPage = 200
	backfillFetches      = 400 // requests one backfill may make
)

// Join makes this node follow a forum of another node (a URL or a handle
// @name@host) at once, in the caller's time: the forum is mirrored here,
// its recent threads are fetched, and from then on its announces arrive
// in the shared inbox. Admins' requests queue a job instead (QueueJoin),
// which a worker carries out the same way.
func (f *Federation) Join(ctx context.Context, actor *forum.Member, target string) (*forum.Forum, error) {
	if err := forum.CanAdminister(actor); err != nil {
		return nil, err
	}
	fo, ra, err := f.resolveForum(ctx, target)
	if err != nil {
		return nil, err
	}
	if err := f.follow(ctx, fo, ra); err != nil {
		return nil, err
	}
	if err := f.backfill(ctx, fo, ra, nil); err != nil {
		f.log.Warn("backfill incomplete", "forum", fo.URI, "err", err)
	}
	return fo, nil
}

// resolveForum finds the forum target names (WebFinger for a handle),
// fetches its actor and saves its mirror here.
func (f *Federation) resolveForum(ctx context.Context, target string) (*forum.Forum, *RemoteActor, error) {
	uri, err := f.resolveTarget(ctx, target)
	if err != nil {
		return nil, nil, err
	}
	ra, err := f.actors.actor(ctx, uri, true)
	if err != nil {
		return nil, nil, err
	}
	if ra.Type != ap.TypeGroup {
		return nil, nil, fmt.Errorf("%w: %s is a %s, not a forum (Group)", errJoinRefused, uri, ra.Type)
	}
	a, err := ap.ParseActor(ctx, ra.Document)
	if err != nil {
		return nil, nil, err
	}
	lang := "en"
	if len(a.Languages) > 0 {
		lang = a.Languages[0]
	}
	fo, err := f.svc.SaveRemoteForum(ctx, forum.SystemActor(), forum.RemoteForumInfo{URI: a.ID, Name: a.PreferredUsername, Domain: ra.Domain,
		Language: lang, Texts: map[string]forum.ForumText{lang: {Title: a.Name, Description: stripTags(a.Summary)}}})
	if err != nil {
		return nil, nil, err
	}
	return fo, ra, nil
}

// follow sends the instance actor's Follow, once.
func (f *Federation) follow(ctx context.Context, fo *forum.Forum, ra *RemoteActor) error {
	if fg, err := f.store.Following(ctx, fo.URI); err == nil && fg.ForumID == fo.ID {
		return nil // already following (or asked)
	}
	id := f.cfg.IDs.New()
	followID := f.urls.Activity(id)
	if err := f.store.SaveFollowing(ctx, &Following{ID: id, ActorURI: f.urls.InstanceActor(), ObjectURI: fo.URI,
		FollowID: followID, ForumID: fo.ID, State: FollowPending, CreatedAt: f.cfg.Clock.Now()}); err != nil {
		return err
	}
	act := &ap.Activity{ID: followID, Type: ap.TypeFollow, Actor: f.urls.InstanceActor(), Object: ap.Ref{IRI: fo.URI},
		To: []string{fo.URI}, Published: f.cfg.Clock.Now()}
	body, err := ap.Marshal(act)
	if err != nil {
		return err
	}
	return f.queue(ctx, []*outgoing{{id: id, uri: followID, actorURI: act.Actor, typ: ap.TypeFollow, object: fo.URI,
		body: body, inboxes: []string{ra.Inbox}}}, nil)
}

// Leave stops following a remote forum (Undo{Follow}). The mirror and every
// post stay: the members' own answers are this node's originals.
func (f *Federation) Leave(ctx context.Context, actor *forum.Member, forumURI string) error {
	if err := forum.CanAdminister(actor); err != nil {
		return err
	}
	fg, err := f.store.Following(ctx, forumURI)
	if err != nil {
		return err
	}
	ra, err := f.actors.actor(ctx, forumURI, false)
	if err != nil {
		return err
	}
	follow := &ap.Activity{ID: fg.FollowID, Type: ap.TypeFollow, Actor: fg.ActorURI, Object: ap.Ref{IRI: fg.ObjectURI}}
	id := f.cfg.IDs.New()
	undo := &ap.Activity{ID: f.urls.Activity(id), Type: ap.TypeUndo, Actor: fg.ActorURI, Object: ap.Ref{Activity: follow},
		To: []string{forumURI}, Published: f.cfg.Clock.Now()}
	body, err := ap.Marshal(undo)
	if err != nil {
		return err
	}
	return f.queue(ctx, []*outgoing{{id: id, uri: undo.ID, actorURI: undo.Actor, typ: ap.TypeUndo, object: fg.FollowID,
		orderKey: fg.ObjectURI, body: body, inboxes: []string{ra.Inbox}}}, func(ctx context.Context, tx Store) error {
		return tx.DeleteFollowing(ctx, forumURI)
	})
}

// Joined lists the remote forums this node follows.
func (f *Federation) Joined(ctx context.Context) ([]*Following, error) {
	return f.store.ListFollowing(ctx)
}

// resolveTarget turns @name@host (WebFinger) or a URL into an actor id.
func (f *Federation) resolveTarget(ctx context.Context, target string) (string, error) {
	target = strings.TrimSpace(target)
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		return target, nil
	}
	acct := strings.TrimPrefix(strings.TrimPrefix(target, "acct:"), "@")
	name, host, ok := strings.Cut(acct, "@")
	if !ok || name == "" || host == "" {
		return "", fmt.Errorf("%w: %q: want a forum URL or a handle @name@host", errJoinRefused, target)
	}
	// The peer's scheme follows ours: https in production, http on loopback.
	scheme := "https"
	if !f.urls.Secure() {
		scheme = "http"
	}
	q := url.Values{"resource": {"acct:" + acct}}
	body, err := f.client.GetJRD(ctx, scheme+"://"+host+"/.well-known/webfinger?"+q.Encode())
	if err != nil {
		return "", fmt.Errorf("webfinger %s: %w", acct, err)
	}
	var doc serve.JRD
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("webfinger %s: %w", acct, err)
	}
	for _, l := range doc.Links {
		if l.Rel == "self" && (l.Type == ContentType || strings.HasPrefix(l.Type, "application/ld+json")) {
			return l.Href, nil
		}
	}
	return "", fmt.Errorf("%w: webfinger %s: no ActivityPub actor", errJoinRefused, acct)
}

// backfillJoined is called when a joined forum accepts our follow: its
// backfill is fetched again (what it shows its followers only), by the
// join worker rather than in the inbox worker's time. The forum's join job
// is queued again, unless one is under way; a forum joined without a job
// gets one. A failure to queue is logged: what is missed arrives when
// someone answers in a thread.
func (f *Federation) backfillJoined(fg *Following) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.queueBackfill(ctx, fg.ObjectURI); err != nil {
		f.log.Error("queue the backfill of a joined forum", "forum", fg.ObjectURI, "err", err)
	}
}

func (f *Federation) queueBackfill(ctx context.Context, forumURI string) error {
	now := f.cfg.Clock.Now()
	found, err := f.store.RequeueJoinJob(ctx, forumURI, now)
	if err != nil {
		return err
	}
	if !found {
		j := &JoinJob{ID: f.cfg.IDs.New(), Target: forumURI, State: JoinQueued, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
		if err := f.store.AddJoinJob(ctx, j); err != nil {
			return fmt.Errorf("queue join of %s: %w", forumURI, err)
		}
	}
	wake(f.joinWake)
	return nil
}

// backfill fetches a joined forum's recent threads (from its outbox's
// announces) and their posts (from each thread's context collection).
// progress, when set, hears how many of the creates found in the outbox
// are done (up to backfillThreads threads are fetched); an error it
// returns stops the backfill.
func (f *Federation) backfill(ctx context.Context, fo *forum.Forum, ra *RemoteActor, progress func(done, total int) error) error {
	if ra.Outbox == "" || !sameHost(ra.Outbox, fo.URI) {
		return nil
	}
	items, err := f.collectionItems(ctx, ra.Outbox, backfillPages)
	if err != nil {
		return err
	}
	var creates []*ap.Activity
	for _, item := range items {
		inner := item.Activity
		if inner != nil && inner.Type == ap.TypeAnnounce {
			inner = inner.Object.Activity
		}
		if inner != nil && inner.Type == ap.TypeCreate {
			creates = append(creates, inner)
		}
	}
	report := func(done int) error {
		if progress == nil {
			return nil
		}
		return progress(done, len(creates))
	}
	if err := report(0); err != nil {
		return err
	}
	threads := 0
	for i, inner := range creates {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if threads >= backfillThreads {
			break
		}
		o, err := f.trustedObject(ctx, inner)
		if err == nil && o.Type == ap.TypePage && o.InReplyTo == "" {
			threads++
			if err := f.backfillThread(ctx, fo, o); err != nil {
				f.log.Warn("backfill thread", "thread", o.ID, "err", err)
			}
		}
		if err := report(i + 1); err != nil {
			return err
		}
	}
	return report(len(creates))
}

// backfillThread stores a question and the first page of its context.
func (f *Federation) backfillThread(ctx context.Context, fo *forum.Forum, q *ap.Object) error {
	if err := f.storeFetched(ctx, q, fo); err != nil {
		return err
	}
	if q.Context == "" || !sameHost(q.Context, q.ID) {
		return nil
	}
	page, err := f.firstPage(ctx, q.Context)
	if err != nil {
		return err
	}
	for i, item := range page.Items {
		if i >= backfillPostsPerPage {
			break
		}
		o := item.Object
		if o == nil || !sameHost(o.ID, q.Context) {
			// Posts from other nodes are fetched from their origin.
			doc, err := f.client.GetObject(ctx, item.ID())
			if err != nil {
				f.log.Warn("backfill post", "post", item.ID(), "err", err)
				continue
			}
			if o, err = ap.ParseObject(ctx, doc.Body); err != nil {
				continue
			}
		}
		if o.ID == q.ID || o.Type == ap.TypeTombstone {
			continue
		}
		if err := f.storeFetched(ctx, o, fo); err != nil {
			f.log.Warn("backfill post", "post", o.ID, "err", err)
		}
	}
	return nil
}

// storeFetched stores a post fetched from (or embedded by) its origin,
// unless known or deleted.
func (f *Federation) storeFetched(ctx context.Context, o *ap.Object, fo *forum.Forum) error {
	if !postTypes[o.Type] || o.AttributedTo == "" || !sameHost(o.AttributedTo, o.ID) {
		return permanent("%s: not a post attributed on its own host", o.ID)
	}
	if err := f.refuseBlockedObject(ctx, o); err != nil {
		return err
	}
	if _, err := f.svc.PostByURI(ctx, o.ID); err == nil {
		return nil
	}
	if _, err := f.store.Tombstone(ctx, o.ID); err == nil {
		return nil
	}
	var author *forum.Member
	var err error
	if f.urls.IsLocal(o.AttributedTo) {
		return nil // our own member's post: we have the original
	}
	if author, err = f.remoteMember(ctx, o.AttributedTo); err != nil {
		return err
	}
	err = f.storeNewPost(ctx, o, author, fo, "")
	if errors.Is(err, forum.ErrConflict) {
		return nil
	}
	return err
}

// backfillPages bounds the outbox pages read when joining.
const backfillPages = 3

// collectionItems reads a collection's items from up to maxPages pages.
func (f *Federation) collectionItems(ctx context.Context, uri string, maxPages int) ([]ap.Ref, error) {
	page, err := f.firstPage(ctx, uri)
	if err != nil {
		return nil, err
	}
	items := page.Items
	for i := 1; i < maxPages && page.Next != "" && sameHost(page.Next, uri); i++ {
		doc, err := f.client.GetObject(ctx, page.Next)
		if err != nil {
			return items, err
		}
		if page, err = ap.ParseCollection(ctx, doc.Body); err != nil {
			return items, err
		}
		items = append(items, page.Items...)
	}
	return items, nil
}

// firstPage fetches a collection and its first page (or its inline items).
func (f *Federation) firstPage(ctx context.Context, uri string) (*ap.Collection, error) {
	doc, err := f.client.GetObject(ctx, uri)
	if err != nil {
		return nil, err
	}
	c, err := ap.ParseCollection(ctx, doc.Body)
	if err != nil {
		return nil, err
	}
	if len(c.Items) > 0 || c.First == "" || !sameHost(c.First, uri) {
		return c, nil
	}
	doc, err = f.client.GetObject(ctx, c.First)
	if err != nil {
		return nil, err
	}
	return ap.ParseCollection(ctx, doc.Body)
}
