package federation

import (
	"context"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply"
	"github.com/metropolis/agora/forum"
)

// ApproveFollower accepts a pending follow of a forum (an admin's decision).
func (f *Federation) ApproveFollower(ctx context.Context, actor *forum.Member, forumSlug, followerURI string, accept bool) error {
	if err := forum.CanAdminister(actor); err != nil {
		return err
	}
	fo, err := f.localForum(ctx, forumSlug)
	if err != nil {
		return err
	}
	fl, err := f.storeIn(ctx).Follower(ctx, f.forumURI(fo), followerURI)
	if err != nil {
		return err
	}
	if !accept {
		if err := f.storeIn(ctx).DeleteFollower(ctx, fl.Target, fl.ActorURI); err != nil {
			return err
		}
		return f.applier.AnswerFollow(ctx, fl, ap.TypeReject)
	}
	fl.State = FollowAccepted
	if err := f.storeIn(ctx).SaveFollower(ctx, fl); err != nil {
		return err
	}
	return f.applier.AnswerFollow(ctx, fl, ap.TypeAccept)
}

// onUndo takes back a Follow, Like or Lock by the same actor.
func (f *Federation) onUndo(ctx context.Context, act *ap.Activity, received forum.ID) error {
	inner := act.Object.Activity
	if inner == nil {
		// Mastodon, Lemmy and GoToSocial embed the activity undone; an IRI
		// alone doesn't say what it was.
		return apply.Refused(ReasonUnsupported, "undo of %s: the undone activity must be embedded", act.Object.IRI)
	}
	if inner.Actor != act.Actor {
		return apply.Refused(ReasonOrigin, "%s cannot undo an activity of %s", act.Actor, inner.Actor)
	}
	switch inner.Type {
	case ap.TypeFollow:
		return f.applier.UndoFollow(ctx, inner)
	case ap.TypeLike:
		return f.applier.OnLike(ctx, inner, received, false)
	case ap.TypeLock:
		return f.applier.OnLock(ctx, inner, false)
	case ap.TypeAnnounce:
		return f.applier.OnShare(ctx, inner, false)
	}
	return apply.Refused(ReasonUnsupported, "undo of %s is not handled", inner.Type)
}
