package apply

import (
	"context"
	"errors"
	"fmt"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply/content"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/forum"
)

// onAnnounce applies what a remote forum we follow passes on (FEP-1b12).
// An inner activity from another host than the forum's is not taken on the
// forum's word: its object is refetched from its origin.
// What a remote forum announces changes its mirror here and is not passed
// on: no event is recorded for it.
func (a *Applier) onAnnounce(ctx context.Context, act *ap.Activity) error {
	fo, err := a.forum(ctx).ForumByURI(ctx, act.Actor)
	if errors.Is(err, forum.ErrNotFound) {
		return a.onShare(ctx, act, true) // a boost, as Mastodon users make
	} else if err != nil {
		return err
	}
	inner := act.Object.Activity
	if inner == nil {
		return a.onGroupBoost(ctx, act, fo)
	}
	if !sameHost(inner.Actor, act.Actor) {
		if !announcable[inner.Type] || (inner.Type == ap.TypeUndo && (inner.Object.Activity == nil || inner.Object.Activity.Type != ap.TypeLike)) {
			return Refused(ReasonUnsupported, "announce by %s of a %s from another host", act.Actor, inner.Type)
		}
		switch inner.Type {
		case ap.TypeCreate, ap.TypeUpdate:
			inner.Object = ap.Ref{IRI: inner.Object.ID()} // force a fetch from the origin
		case ap.TypeDelete:
			if err := a.confirmGone(ctx, inner.Object.ID()); err != nil {
				return err
			}
		}
		if !sameHost(inner.ID, inner.Actor) {
			return Refused(ReasonOrigin, "announced activity %s is not on its actor's host", inner.ID)
		}
	}
	return a.dispatch(ctx, inner, "", fo)
}

// announcable are the activities a forum may pass on from another host:
// posts, their deletion, helpful marks and their undoing. Follows, accepts
// and the like are between two actors and never come through a forum.
var announcable = map[string]bool{ap.TypeCreate: true, ap.TypeUpdate: true, ap.TypeDelete: true, ap.TypeLike: true, ap.TypeUndo: true}

// onGroupBoost applies a followed forum's Announce of a bare object (an id,
// or an object embedded without its Create): Mbin magazines boost entries
// this way, PeerTube channels their videos, Mobilizon groups their events.
// The forum's word is not taken for the object: it is fetched from its
// origin and stored as its author's post in the forum that announced it
// (or under its parent), exactly as an announced Create would be. A post
// already held changes nothing; what a remote forum announces is not
// passed on (no event).
func (a *Applier) onGroupBoost(ctx context.Context, act *ap.Activity, fo *forum.Forum) error {
	id := act.Object.ID()
	if id == "" {
		return Refused(ReasonMalformed, "announce by %s of nothing", act.Actor)
	}
	if a.cfg.URLs.IsLocal(id) {
		return nil // one of our posts, passed around: we have it
	}
	if _, err := a.FindPost(ctx, id); err == nil {
		return nil
	} else if !errors.Is(err, forum.ErrNotFound) {
		return err
	}
	if _, err := a.store(ctx).Tombstone(ctx, id); err == nil {
		return nil // deleted before its boost arrived
	} else if !errors.Is(err, forum.ErrNotFound) {
		return err
	}
	doc, err := a.cfg.Fetcher.GetObject(ctx, id)
	var se *fetch.StatusError
	if errors.As(err, &se) && (se.Code == 404 || se.Code == 410) {
		return Refused(ReasonGone, "announced %s is not (or no longer) at its origin", id)
	} else if err != nil {
		return fmt.Errorf("fetch announced %s: %w", id, err)
	}
	o, err := ap.ParseObject(ctx, doc.Body)
	if err != nil {
		return Refused(ParseReason(err), "announced %s: %w", id, err)
	}
	if !content.IsPost(o.Type) {
		return Refused(ReasonUnsupported, "announced %s objects are not posts", o.Type)
	}
	if o.AttributedTo == "" || !sameHost(o.AttributedTo, o.ID) || a.cfg.URLs.IsLocal(o.AttributedTo) {
		return Refused(ReasonOrigin, "announced %s: not attributed on its own host", id)
	}
	if err := a.refuseBlockedObject(ctx, o); err != nil {
		return err
	}
	author, err := a.RemoteMember(ctx, o.AttributedTo)
	if err != nil {
		return err
	}
	return a.storeNewPost(ctx, o, author, fo, "")
}
