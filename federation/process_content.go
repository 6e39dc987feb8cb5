package federation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply"
	"github.com/metropolis/agora/federation/apply/content"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/join"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// trustedObject returns the activity's object, fetched from its origin
// unless it came embedded from the actor's own host. Either way the object
// must be on the actor's host and attributed to the actor.
func (f *Federation) trustedObject(ctx context.Context, act *ap.Activity) (*ap.Object, error) {
	o := act.Object.Object
	if !embeddedTrusted(act) {
		id := act.Object.ID()
		if id == "" || f.urls.IsLocal(id) {
			return nil, apply.Refused(ReasonMalformed, "%s: no object to fetch", act.ID)
		}
		doc, err := f.client.GetObject(ctx, id)
		var se *fetch.StatusError
		if errors.As(err, &se) && (se.Code == 404 || se.Code == 410) {
			return nil, apply.Refused(ReasonGone, "%s is not (or no longer) at its origin", id)
		} else if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", id, err)
		}
		if o, err = ap.ParseObject(ctx, doc.Body); err != nil {
			return nil, apply.Refused(apply.ParseReason(err), "object %s: %w", id, err)
		}
	}
	if !sameHost(o.ID, act.Actor) {
		return nil, apply.Refused(ReasonOrigin, "object %s is not on the host of %s", o.ID, act.Actor)
	}
	if o.AttributedTo != "" && o.AttributedTo != act.Actor {
		return nil, apply.Refused(ReasonOrigin, "object %s is attributed to %s, not %s", o.ID, o.AttributedTo, act.Actor)
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
func (f *Federation) onCreateOrUpdate(ctx context.Context, act *ap.Activity, received forum.ID, via *forum.Forum) error {
	if act.Object.Actor != nil {
		return f.onActorUpdate(ctx, act)
	}
	if f.applier.IsTranslationOffer(act) {
		return f.applier.OnTranslationOffer(ctx, act, received)
	}
	o, err := f.trustedObject(ctx, act)
	if err != nil {
		return err
	}
	if !content.IsPost(o.Type) {
		return apply.Refused(ReasonUnsupported, "%s objects are not posts", o.Type)
	}
	if handled, err := f.applier.OnForumReport(ctx, act, o); handled || err != nil {
		return err
	}
	if err := apply.PublicOnly(act, o); err != nil {
		// Also an Update that would make a stored public post private: its
		// new text is not shown; the public version stays until a Delete.
		return err
	}
	if _, err := f.storeIn(ctx).Tombstone(ctx, o.ID); err == nil {
		return nil // deleted before it arrived
	} else if !errors.Is(err, forum.ErrNotFound) {
		return err
	}
	author, err := f.remoteMember(ctx, act.Actor)
	if err != nil {
		return err
	}
	if act.Type == ap.TypeUpdate {
		post, err := f.forumIn(ctx).PostByURI(ctx, o.ID)
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
			return f.onCreateOrUpdate(ctx, act, received, via)
		} else if err != nil {
			return err
		}
		_, err = f.forumIn(ctx).ReceiveEdit(ctx, post, author, content.RemotePost(o, author, received))
		if errors.Is(err, forum.ErrStale) {
			// Updates can arrive out of order: one not newer than what we
			// show is dropped, neither applied nor passed on (no event).
			// Nothing is wrong with it, so it is finished, not refused.
			f.log.Info("stale update ignored", "activity", act.ID, "err", err)
			return nil
		} else if err != nil {
			return err
		}
		return f.applier.KeepMirroredEvent(ctx, o, author)
	}
	return f.storeNewPost(ctx, o, author, via, received)
}

// storeNewPost places a received post: an answer under its parent, or a
// question in the forum it addresses (ours), or in the remote forum that
// announced it.
func (f *Federation) storeNewPost(ctx context.Context, o *ap.Object, author *forum.Member, via *forum.Forum, received forum.ID) error {
	return f.storeNewPostDepth(ctx, o, author, via, received, 0)
}

// maxParentFetches bounds how far up a thread a reply's missing ancestors
// are fetched.
const maxParentFetches = 3

func (f *Federation) storeNewPostDepth(ctx context.Context, o *ap.Object, author *forum.Member, via *forum.Forum, received forum.ID, depth int) error {
	if err := apply.PublicOnly(nil, o); err != nil {
		return err
	}
	if o.InReplyTo != "" {
		parent, err := f.findPost(ctx, o.InReplyTo)
		if errors.Is(err, forum.ErrNotFound) && depth < maxParentFetches && !f.urls.IsLocal(o.InReplyTo) {
			// Activities can arrive out of order: fetch the missing
			// parent from its origin, store it, then this reply.
			if err := f.fetchParent(ctx, o.InReplyTo, via, depth+1); err != nil {
				return fmt.Errorf("reply %s: %w", o.ID, err)
			}
			parent, err = f.findPost(ctx, o.InReplyTo)
		}
		if errors.Is(err, forum.ErrNotFound) {
			return apply.Refused(ReasonUnknownTarget, "reply to %s, which this node doesn't have", o.InReplyTo)
		} else if err != nil {
			return err
		}
		_, t, err := f.forumIn(ctx).PostInThread(ctx, parent.ID)
		if err != nil {
			return err
		}
		if err := f.applier.RefuseBlockedThread(ctx, parent, t); err != nil {
			return err
		}
		_, err = f.forumIn(ctx).ReceiveAnswer(ctx, t, parent, content.RemotePost(o, author, received))
		return err
	}
	fo := via
	if fo == nil {
		fo = f.addressedForum(ctx, o)
	}
	if fo == nil {
		fo = f.followedForum(ctx, o)
	}
	if fo == nil {
		return apply.Refused(ReasonUnknownTarget, "question %s addresses no forum of this node", o.ID)
	}
	q := content.RemotePost(o, author, received)
	if strings.TrimSpace(q.Title) == "" {
		// Mastodon posts have no title: a post addressed to a forum starts a
		// question titled by its first words, as Lemmy does.
		q.Title = content.UntitledQuestionTitle(o, q.HTML)
	}
	if _, err := f.forumIn(ctx).ReceiveQuestion(ctx, fo, o.Context, q); err != nil {
		return err
	}
	return f.applier.KeepMirroredEvent(ctx, o, author)
}

// fetchParent fetches a post from its origin and stores it (and, within
// bounds, its own missing ancestors).
func (f *Federation) fetchParent(ctx context.Context, uri string, via *forum.Forum, depth int) error {
	if _, err := f.storeIn(ctx).Tombstone(ctx, uri); err == nil {
		return apply.Refused(ReasonGone, "reply to %s, which was deleted", uri)
	}
	doc, err := f.client.GetObject(ctx, uri)
	var se *fetch.StatusError
	if errors.As(err, &se) && (se.Code == 404 || se.Code == 410) {
		return apply.Refused(ReasonGone, "reply to %s, which its origin no longer has", uri)
	} else if err != nil {
		return fmt.Errorf("fetch parent %s: %w", uri, err)
	}
	o, err := ap.ParseObject(ctx, doc.Body)
	if err != nil {
		return apply.Refused(apply.ParseReason(err), "parent %s: %w", uri, err)
	}
	if !content.IsPost(o.Type) || o.AttributedTo == "" || !sameHost(o.AttributedTo, o.ID) {
		return apply.Refused(ReasonOrigin, "parent %s: not a post attributed on its own host", uri)
	}
	var author *forum.Member
	if !f.urls.IsLocal(o.AttributedTo) {
		if author, err = f.remoteMember(ctx, o.AttributedTo); err != nil {
			return err
		}
	}
	if author == nil {
		return apply.Refused(ReasonOrigin, "parent %s: claims to be ours", uri)
	}
	return f.storeNewPostDepth(ctx, o, author, via, "", depth)
}

// addressedForum is the first of our forums an object names as its
// audience or recipient.
func (f *Federation) addressedForum(ctx context.Context, o *ap.Object) *forum.Forum {
	for _, uri := range append([]string{o.Audience}, append(o.To, o.Cc...)...) {
		if kind, key := f.urls.Parse(uri); kind == uris.KindForum {
			if fo, err := f.localForum(ctx, key); err == nil {
				return fo
			}
		}
	}
	return nil
}

// followedForum is the remote forum an object names as its audience, if
// this node follows it (a question fetched as a missing parent).
func (f *Federation) followedForum(ctx context.Context, o *ap.Object) *forum.Forum {
	if o.Audience == "" {
		return nil
	}
	fo, err := f.forumIn(ctx).ForumByURI(ctx, o.Audience)
	if err != nil {
		return nil
	}
	return fo
}

// onActorUpdate refreshes a remote actor (Update{Person} / Update{Group}).
func (f *Federation) onActorUpdate(ctx context.Context, act *ap.Activity) error {
	if act.Object.Actor.ID != act.Actor {
		return apply.Refused(ReasonOrigin, "%s cannot update %s", act.Actor, act.Object.Actor.ID)
	}
	if _, err := f.actors.actor(ctx, act.Actor, true); err != nil {
		return err
	}
	if fo, err := f.forumIn(ctx).ForumByURI(ctx, act.Actor); err == nil {
		return f.refreshForum(ctx, fo)
	}
	if _, err := f.forumIn(ctx).MemberByURI(ctx, act.Actor); err != nil {
		return nil // not an author here: the cache refresh was all
	}
	_, err := f.refreshMember(ctx, act.Actor)
	return err
}

// refreshForum re-reads a joined forum's Group from its cached document:
// its titles and descriptions in every language.
func (f *Federation) refreshForum(ctx context.Context, fo *forum.Forum) error {
	ra, err := f.storeIn(ctx).RemoteActor(ctx, fo.URI)
	if err != nil {
		return err
	}
	a, err := ap.ParseActor(ctx, ra.Document)
	if err != nil {
		return apply.Refused(apply.ParseReason(err), "forum %s: %w", fo.URI, err)
	}
	_, err = f.forumIn(ctx).SaveRemoteForum(ctx, forum.SystemActor(), join.ForumInfo(a, ra.Domain))
	return err
}

// refreshMember re-reads a known remote member from its cached document.
func (f *Federation) refreshMember(ctx context.Context, uri string) (*forum.Member, error) {
	ra, err := f.storeIn(ctx).RemoteActor(ctx, uri)
	if err != nil {
		return nil, err
	}
	a, err := ap.ParseActor(ctx, ra.Document)
	if err != nil {
		return nil, apply.Refused(apply.ParseReason(err), "actor %s: %w", uri, err)
	}
	p := forum.RemoteProfile{URI: a.ID, Username: a.PreferredUsername, Domain: ra.Domain, DisplayName: a.Name,
		ProfileURL: a.URL, Languages: a.Languages}
	if a.Icon != nil {
		p.AvatarURL = a.Icon.URL
	}
	for _, pv := range a.Attachment {
		switch pv.Name {
		case "Role":
			p.Title = content.StripTags(pv.Value)
		case "Organisation", "Organization":
			p.Organisation = content.StripTags(pv.Value)
		}
	}
	return f.forumIn(ctx).SaveRemoteMember(ctx, p)
}

// onAnnounce applies what a remote forum we follow passes on (FEP-1b12).
// An inner activity from another host than the forum's is not taken on the
// forum's word: its object is refetched from its origin.
// What a remote forum announces changes its mirror here and is not passed
// on: no event is recorded for it.
func (f *Federation) onAnnounce(ctx context.Context, act *ap.Activity) error {
	fo, err := f.forumIn(ctx).ForumByURI(ctx, act.Actor)
	if errors.Is(err, forum.ErrNotFound) {
		return f.applier.OnShare(ctx, act, true) // a boost, as Mastodon users make
	} else if err != nil {
		return err
	}
	inner := act.Object.Activity
	if inner == nil {
		return f.onGroupBoost(ctx, act, fo)
	}
	if !sameHost(inner.Actor, act.Actor) {
		if !announcable[inner.Type] || (inner.Type == ap.TypeUndo && (inner.Object.Activity == nil || inner.Object.Activity.Type != ap.TypeLike)) {
			return apply.Refused(ReasonUnsupported, "announce by %s of a %s from another host", act.Actor, inner.Type)
		}
		switch inner.Type {
		case ap.TypeCreate, ap.TypeUpdate:
			inner.Object = ap.Ref{IRI: inner.Object.ID()} // force a fetch from the origin
		case ap.TypeDelete:
			if err := f.confirmGone(ctx, inner.Object.ID()); err != nil {
				return err
			}
		}
		if !sameHost(inner.ID, inner.Actor) {
			return apply.Refused(ReasonOrigin, "announced activity %s is not on its actor's host", inner.ID)
		}
	}
	return f.dispatch(ctx, inner, "", fo)
}

// announcable are the activities a forum may pass on from another host:
// posts, their deletion, helpful marks and their undoing. Follows, accepts
// and the like are between two actors and never come through a forum.
var announcable = map[string]bool{ap.TypeCreate: true, ap.TypeUpdate: true, ap.TypeDelete: true, ap.TypeLike: true, ap.TypeUndo: true}

// confirmGone checks with an object's origin that it really is deleted.
func (f *Federation) confirmGone(ctx context.Context, id string) error {
	_, err := f.client.GetObject(ctx, id)
	var se *fetch.StatusError
	if errors.As(err, &se) && (se.Code == 404 || se.Code == 410) {
		return nil
	}
	if err == nil {
		return apply.Refused(ReasonOrigin, "%s still exists at its origin", id)
	}
	return fmt.Errorf("confirm deletion of %s: %w", id, err)
}
