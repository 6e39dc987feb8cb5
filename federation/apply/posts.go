package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply/content"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/serve"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// TrustedObject returns the activity's object, fetched from its origin
// unless it came embedded from the actor's own host. Either way the object
// must be on the actor's host and attributed to the actor.
func (a *Applier) TrustedObject(ctx context.Context, act *ap.Activity) (*ap.Object, error) {
	o := act.Object.Object
	if !embeddedTrusted(act) {
		id := act.Object.ID()
		if id == "" || a.cfg.URLs.IsLocal(id) {
			return nil, Refused(ReasonMalformed, "%s: no object to fetch", act.ID)
		}
		doc, err := a.cfg.Fetcher.GetObject(ctx, id)
		var se *fetch.StatusError
		if errors.As(err, &se) && (se.Code == 404 || se.Code == 410) {
			return nil, Refused(ReasonGone, "%s is not (or no longer) at its origin", id)
		} else if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", id, err)
		}
		if o, err = ap.ParseObject(ctx, doc.Body); err != nil {
			return nil, Refused(ParseReason(err), "object %s: %w", id, err)
		}
	}
	if !sameHost(o.ID, act.Actor) {
		return nil, Refused(ReasonOrigin, "object %s is not on the host of %s", o.ID, act.Actor)
	}
	if o.AttributedTo != "" && o.AttributedTo != act.Actor {
		return nil, Refused(ReasonOrigin, "object %s is attributed to %s, not %s", o.ID, o.AttributedTo, act.Actor)
	}
	return o, nil
}

// embeddedTrusted reports whether an activity's embedded object is taken
// as it came: it is there, and on the actor's own host.
func embeddedTrusted(act *ap.Activity) bool {
	return act.Object.Object != nil && sameHost(act.Object.Object.ID, act.Actor)
}

// onCreateOrUpdate stores a new question or answer, or a new version of
// one, with its event: the publisher then passes the activity on (a local
// forum announces it to its followers).
func (a *Applier) onCreateOrUpdate(ctx context.Context, act *ap.Activity, received forum.ID, via *forum.Forum) error {
	if act.Object.Actor != nil {
		return a.onActorUpdate(ctx, act)
	}
	if a.isTranslationOffer(act) {
		return a.onTranslationOffer(ctx, act, received)
	}
	o, err := a.TrustedObject(ctx, act)
	if err != nil {
		return err
	}
	if !content.IsPost(o.Type) {
		return Refused(ReasonUnsupported, "%s objects are not posts", o.Type)
	}
	if handled, err := a.onForumReport(ctx, act, o); handled || err != nil {
		return err
	}
	if handled, err := a.onPersonStatus(ctx, act, o, via); handled || err != nil {
		return err
	}
	if err := PublicOnly(act, o); err != nil {
		// Also an Update that would make a stored public post private: its
		// new text is not shown; the public version stays until a Delete.
		return err
	}
	if _, err := a.store(ctx).Tombstone(ctx, o.ID); err == nil {
		return nil // deleted before it arrived
	} else if !errors.Is(err, forum.ErrNotFound) {
		return err
	}
	author, err := a.RemoteMember(ctx, act.Actor)
	if err != nil {
		return err
	}
	if act.Type == ap.TypeUpdate {
		post, err := a.forum(ctx).PostByURI(ctx, o.ID)
		if errors.Is(err, forum.ErrNotFound) {
			// An edit of something we never saw (its Create is late or
			// lost): take it as new, from its origin rather than from
			// the copy the Update carries.
			act.Type = ap.TypeCreate
			if embeddedTrusted(act) {
				act.Object = ap.Ref{IRI: o.ID}
			} else {
				act.Object = ap.Ref{Object: o} // fetched just now, and on the actor's host
			}
			return a.onCreateOrUpdate(ctx, act, received, via)
		} else if err != nil {
			return err
		}
		_, err = a.forum(ctx).ReceiveEdit(ctx, post, author, content.RemotePost(o, author, received))
		if errors.Is(err, forum.ErrStale) {
			// Updates can arrive out of order: one not newer than what we
			// show is dropped, neither applied nor passed on (no event).
			// Nothing is wrong with it, so it is finished, not refused.
			a.cfg.Log.Info("stale update ignored", "activity", act.ID, "err", err)
			return nil
		} else if err != nil {
			return err
		}
		return a.keepMirroredEvent(ctx, o, author)
	}
	return a.storeNewPost(ctx, o, author, via, received)
}

// storeNewPost places a received post: an answer under its parent, or a
// question in the forum it addresses (ours), or in the remote forum that
// announced it.
func (a *Applier) storeNewPost(ctx context.Context, o *ap.Object, author *forum.Member, via *forum.Forum, received forum.ID) error {
	return a.storeNewPostDepth(ctx, o, author, via, received, 0)
}

// maxParentFetches bounds how far up a thread a reply's missing ancestors
// are fetched.
const maxParentFetches = 3

func (a *Applier) storeNewPostDepth(ctx context.Context, o *ap.Object, author *forum.Member, via *forum.Forum, received forum.ID, depth int) error {
	if err := PublicOnly(nil, o); err != nil {
		return err
	}
	if o.InReplyTo != "" {
		parent, err := a.FindPost(ctx, o.InReplyTo)
		if errors.Is(err, forum.ErrNotFound) && depth < maxParentFetches && !a.cfg.URLs.IsLocal(o.InReplyTo) {
			// Activities can arrive out of order: fetch the missing
			// parent from its origin, store it, then this reply.
			if err := a.fetchParent(ctx, o.InReplyTo, via, depth+1); err != nil {
				return fmt.Errorf("reply %s: %w", o.ID, err)
			}
			parent, err = a.FindPost(ctx, o.InReplyTo)
		}
		if errors.Is(err, forum.ErrNotFound) {
			return Refused(ReasonUnknownTarget, "reply to %s, which this node doesn't have", o.InReplyTo)
		} else if err != nil {
			return err
		}
		_, t, err := a.forum(ctx).PostInThread(ctx, parent.ID)
		if err != nil {
			return err
		}
		if err := a.refuseBlockedThread(ctx, parent, t); err != nil {
			return err
		}
		_, err = a.forum(ctx).ReceiveAnswer(ctx, t, parent, content.RemotePost(o, author, received))
		return err
	}
	fo := via
	if fo == nil {
		fo = a.addressedForum(ctx, o)
	}
	if fo == nil {
		fo = a.followedForum(ctx, o)
	}
	if fo == nil {
		return Refused(ReasonUnknownTarget, "question %s addresses no forum of this node", o.ID)
	}
	q := content.RemotePost(o, author, received)
	if strings.TrimSpace(q.Title) == "" {
		// Mastodon posts have no title: a post addressed to a forum starts a
		// question titled by its first words, as Lemmy does.
		q.Title = content.UntitledQuestionTitle(o, q.HTML)
	}
	if _, err := a.forum(ctx).ReceiveQuestion(ctx, fo, o.Context, q); err != nil {
		return err
	}
	return a.keepMirroredEvent(ctx, o, author)
}

// fetchParent fetches a post from its origin and stores it (and, within
// bounds, its own missing ancestors).
func (a *Applier) fetchParent(ctx context.Context, uri string, via *forum.Forum, depth int) error {
	if _, err := a.store(ctx).Tombstone(ctx, uri); err == nil {
		return Refused(ReasonGone, "reply to %s, which was deleted", uri)
	}
	doc, err := a.cfg.Fetcher.GetObject(ctx, uri)
	var se *fetch.StatusError
	if errors.As(err, &se) && (se.Code == 404 || se.Code == 410) {
		return Refused(ReasonGone, "reply to %s, which its origin no longer has", uri)
	} else if err != nil {
		return fmt.Errorf("fetch parent %s: %w", uri, err)
	}
	o, err := ap.ParseObject(ctx, doc.Body)
	if err != nil {
		return Refused(ParseReason(err), "parent %s: %w", uri, err)
	}
	if !content.IsPost(o.Type) || o.AttributedTo == "" || !sameHost(o.AttributedTo, o.ID) {
		return Refused(ReasonOrigin, "parent %s: not a post attributed on its own host", uri)
	}
	var author *forum.Member
	if !a.cfg.URLs.IsLocal(o.AttributedTo) {
		if author, err = a.RemoteMember(ctx, o.AttributedTo); err != nil {
			return err
		}
	}
	if author == nil {
		return Refused(ReasonOrigin, "parent %s: claims to be ours", uri)
	}
	return a.storeNewPostDepth(ctx, o, author, via, "", depth)
}

// addressedForum is the first of our forums an object names as its
// audience or recipient.
func (a *Applier) addressedForum(ctx context.Context, o *ap.Object) *forum.Forum {
	for _, uri := range append([]string{o.Audience}, append(o.To, o.Cc...)...) {
		if kind, key := a.cfg.URLs.Parse(uri); kind == uris.KindForum {
			if fo, err := serve.LocalForum(ctx, a.forum(ctx), key); err == nil {
				return fo
			}
		}
	}
	return nil
}

// followedForum is the remote forum an object names as its audience, if
// this node follows it (a question fetched as a missing parent).
func (a *Applier) followedForum(ctx context.Context, o *ap.Object) *forum.Forum {
	if o.Audience == "" {
		return nil
	}
	fo, err := a.forum(ctx).ForumByURI(ctx, o.Audience)
	if err != nil {
		return nil
	}
	return fo
}

// confirmGone checks with an object's origin that it really is deleted.
func (a *Applier) confirmGone(ctx context.Context, id string) error {
	_, err := a.cfg.Fetcher.GetObject(ctx, id)
	var se *fetch.StatusError
	if errors.As(err, &se) && (se.Code == 404 || se.Code == 410) {
		return nil
	}
	if err == nil {
		return Refused(ReasonOrigin, "%s still exists at its origin", id)
	}
	return fmt.Errorf("confirm deletion of %s: %w", id, err)
}
