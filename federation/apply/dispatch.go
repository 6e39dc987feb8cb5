package apply

import (
	"context"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
)

// applyParsed applies an inbox item's activity, parsed: the signer's own,
// or one another server passed on for its actor.
func (a *Applier) applyParsed(ctx context.Context, it *stored.InboxItem, act *ap.Activity) error {
	if act.Actor != it.ActorURI {
		if act.Type == ap.TypeLike || act.Type == ap.TypeUndo {
			return a.applyForwardedLike(ctx, act, it.ActorURI, it.ID)
		}
		return a.applyForwarded(ctx, act, it.ID)
	}
	return a.dispatch(ctx, act, it.ID, nil)
}

// applyForwarded applies an activity a server passed on for its actor
// (§7.1.2). Only its object's id is taken from it: a created or updated
// object is fetched from its origin, a deleted one must be gone there.
func (a *Applier) applyForwarded(ctx context.Context, act *ap.Activity, received forum.ID) error {
	switch act.Type {
	case ap.TypeCreate, ap.TypeUpdate:
		act.Object = ap.Ref{IRI: act.Object.ID()}
	case ap.TypeDelete:
		if err := a.confirmGone(ctx, act.Object.ID()); err != nil {
			return err
		}
	default:
		return Refused(ReasonUnsupported, "%s activities are not accepted forwarded", act.Type)
	}
	return a.dispatch(ctx, act, received, nil)
}

// dispatch applies an activity. received is the inbox item it came in,
// recorded with the events of the changes it makes so the publisher passes
// it on; "" inside a remote forum's Announce (nothing to pass on). via is
// the remote forum that announced it, if it came inside an Announce.
func (a *Applier) dispatch(ctx context.Context, act *ap.Activity, received forum.ID, via *forum.Forum) error {
	if err := a.refuseBlocked(ctx, act); err != nil {
		return err
	}
	switch act.Type {
	case ap.TypeFollow:
		return a.onFollow(ctx, act)
	case ap.TypeAccept, ap.TypeReject:
		return a.onFollowAnswer(ctx, act)
	case ap.TypeUndo:
		return a.onUndo(ctx, act, received)
	case ap.TypeCreate, ap.TypeUpdate:
		return a.onCreateOrUpdate(ctx, act, received, via)
	case ap.TypeDelete:
		// A forum's report kept here is not a post: its Delete is the
		// forum's own, checked apart from a post's.
		if handled, err := a.onForumReportDelete(ctx, act, act.Object.ID()); handled || err != nil {
			return err
		}
		if handled, err := a.onPersonStatusDelete(ctx, act); handled || err != nil {
			return err
		}
		return a.onDelete(ctx, act, received)
	case ap.TypeLike:
		return a.onLike(ctx, act, received, true)
	case ap.TypeAnnounce:
		return a.onAnnounce(ctx, act)
	case ap.TypeLock:
		return a.onLock(ctx, act, true)
	case ap.TypeFlag:
		return a.onFlag(ctx, act)
	case ap.TypeAdd, ap.TypeRemove:
		return a.onGoodPractice(ctx, act, act.Type == ap.TypeAdd)
	case ap.TypeJoin, ap.TypeLeave:
		return a.onJoin(ctx, act, act.Type == ap.TypeJoin)
	}
	return Refused(ReasonUnsupported, "%s activities are not handled", act.Type)
}

// applyForwardedLike applies a Like (or its Undo) that another server
// passed on: a GoToSocial or Mastodon user likes an answer written on a
// city node, the Like reaches only the city, and the city forwards it to
// the forum's node so that the forum's copy counts it too. A Like cannot
// be fetched again from its origin (Mastodon's ids are fragments), so it
// is taken on the word of the node that holds the liked post, and of that
// node only: the signer must be on the liked post's host. That node could
// count likes of its own posts anyway; it cannot touch anyone else's.
func (a *Applier) applyForwardedLike(ctx context.Context, act *ap.Activity, signer string, received forum.ID) error {
	like, on := act, true
	if act.Type == ap.TypeUndo {
		like, on = act.Object.Activity, false
		if like == nil || like.Type != ap.TypeLike || like.Actor != act.Actor {
			return Refused(ReasonUnsupported, "forwarded Undo of something other than its actor's Like")
		}
	}
	target := like.Object.ID()
	if target == "" || a.cfg.URLs.IsLocal(target) || !sameHost(signer, target) {
		return Refused(ReasonOrigin, "%s passed on a like of %s, which it does not hold", signer, target)
	}
	if err := a.refuseBlocked(ctx, act); err != nil {
		return err
	}
	return a.onLike(ctx, like, received, on)
}

// onUndo takes back a Follow, Like or Lock by the same actor.
func (a *Applier) onUndo(ctx context.Context, act *ap.Activity, received forum.ID) error {
	inner := act.Object.Activity
	if inner == nil {
		// Mastodon, Lemmy and GoToSocial embed the activity undone; an IRI
		// alone doesn't say what it was.
		return Refused(ReasonUnsupported, "undo of %s: the undone activity must be embedded", act.Object.IRI)
	}
	if inner.Actor != act.Actor {
		return Refused(ReasonOrigin, "%s cannot undo an activity of %s", act.Actor, inner.Actor)
	}
	switch inner.Type {
	case ap.TypeFollow:
		return a.undoFollow(ctx, inner)
	case ap.TypeLike:
		return a.onLike(ctx, inner, received, false)
	case ap.TypeLock:
		return a.onLock(ctx, inner, false)
	case ap.TypeAnnounce:
		return a.onShare(ctx, inner, false)
	}
	return Refused(ReasonUnsupported, "undo of %s is not handled", inner.Type)
}
