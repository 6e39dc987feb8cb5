package federation

import (
	"context"
	"errors"
	"slices"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// onFollow records a follower of one of our actors and, unless the actor
// approves followers by hand, accepts at once.
func (f *Federation) onFollow(ctx context.Context, act *ap.Activity) error {
	target := act.Object.ID()
	kind, key := f.urls.Parse(target)
	approve := false
	var forumID forum.ID
	var followed *forum.Member // a member of ours, told of the follow
	switch kind {
	case uris.KindForum:
		fo, err := f.localForum(ctx, key)
		if err != nil {
			return apply.Refused(ReasonUnknownTarget, "follow of unknown forum %s", target)
		}
		forumID = fo.ID
		// Listed instances (member cities) are accepted at once; others wait
		// for an admin when the forum approves followers.
		approve = fo.Policy.ApproveFollows && !slices.Contains(fo.Policy.Instances, hostOf(act.Actor))
	case uris.KindMember:
		m, err := f.forumIn(ctx).MemberByUsername(ctx, key)
		if err != nil {
			return apply.Refused(ReasonUnknownTarget, "follow of unknown member %s", target)
		}
		followed = m
	case uris.KindThreadActor:
		if _, err := f.localThread(ctx, key); err != nil {
			return apply.Refused(ReasonUnknownTarget, "follow of unknown thread %s", target)
		}
	default:
		return apply.Refused(ReasonUnsupported, "%s cannot be followed", target)
	}
	follower, err := f.actors.actor(ctx, act.Actor, false)
	if err != nil {
		return err
	}
	state := FollowAccepted
	if approve {
		state = FollowPending
	}
	fl := &Follower{ID: f.cfg.IDs.New(), Target: target, ActorURI: follower.URI, Inbox: follower.Inbox,
		SharedInbox: follower.SharedInbox, FollowID: act.ID, State: state, CreatedAt: f.cfg.Clock.Now()}
	if err := f.storeIn(ctx).SaveFollower(ctx, fl); err != nil {
		return err
	}
	if followed != nil {
		who, err := f.remoteMember(ctx, follower.URI)
		if err != nil {
			return err
		}
		if err := f.forumIn(ctx).NoteFollowed(ctx, who.ID, followed.ID); err != nil {
			return err
		}
	}
	if state == FollowPending {
		f.log.Info("follow request waits for approval", "forum", target, "follower", act.Actor)
		return f.forumIn(ctx).NoteFollowRequest(ctx, forumID) // the admins are told (notify)
	}
	return f.answerFollow(ctx, fl, ap.TypeAccept)
}

// answerFollow sends Accept (or Reject) of a follow to the follower.
func (f *Federation) answerFollow(ctx context.Context, fl *Follower, typ string) error {
	follow := &ap.Activity{ID: fl.FollowID, Type: ap.TypeFollow, Actor: fl.ActorURI, Object: ap.Ref{IRI: fl.Target}}
	id := f.cfg.IDs.New()
	act := &ap.Activity{ID: f.urls.Activity(id), Type: typ, Actor: fl.Target, Object: ap.Ref{Activity: follow},
		To: []string{fl.ActorURI}, Published: f.cfg.Clock.Now()}
	body, err := ap.Marshal(act)
	if err != nil {
		return err
	}
	return f.queue(ctx, []*outgoing{{id: id, uri: act.ID, actorURI: fl.Target, typ: typ, object: fl.FollowID,
		body: body, inboxes: []string{fl.Inbox}}}, nil)
}

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
		return f.answerFollow(ctx, fl, ap.TypeReject)
	}
	fl.State = FollowAccepted
	if err := f.storeIn(ctx).SaveFollower(ctx, fl); err != nil {
		return err
	}
	return f.answerFollow(ctx, fl, ap.TypeAccept)
}

// onFollowAnswer: a remote forum accepted (or rejected) our follow.
func (f *Federation) onFollowAnswer(ctx context.Context, act *ap.Activity) error {
	followID := act.Object.ID()
	fg, err := f.storeIn(ctx).FollowingByActivity(ctx, followID)
	if errors.Is(err, forum.ErrNotFound) {
		return apply.Refused(ReasonUnknownTarget, "answer to an unknown follow %s", followID)
	} else if err != nil {
		return err
	}
	if fg.ObjectURI != act.Actor {
		return apply.Refused(ReasonOrigin, "%s answered a follow of %s", act.Actor, fg.ObjectURI)
	}
	if act.Type == ap.TypeReject {
		return f.storeIn(ctx).DeleteFollowing(ctx, fg.ObjectURI)
	}
	if fg.State == FollowAccepted {
		return nil
	}
	fg.State = FollowAccepted
	if err := f.storeIn(ctx).SaveFollowing(ctx, fg); err != nil {
		return err
	}
	// Backfill again: what the forum stored between our first backfill and
	// its accepting us was announced before we were a follower. Everything
	// before the Accept is in its collections now; everything after comes
	// announced.
	f.backfillJoined(fg)
	return nil
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
		err := f.storeIn(ctx).DeleteFollower(ctx, inner.Object.ID(), act.Actor)
		if errors.Is(err, forum.ErrNotFound) {
			return nil // already gone
		}
		return err
	case ap.TypeLike:
		return f.onLike(ctx, inner, received, false)
	case ap.TypeLock:
		return f.onLock(ctx, inner, false)
	case ap.TypeAnnounce:
		return f.onShare(ctx, inner, false)
	}
	return apply.Refused(ReasonUnsupported, "undo of %s is not handled", inner.Type)
}
