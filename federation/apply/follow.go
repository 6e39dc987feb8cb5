package apply

import (
	"context"
	"errors"
	"slices"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/federation/serve"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/personal"
	"github.com/metropolis/agora/uris"
)

// onFollow records a follower of one of our actors and, unless the actor
// approves followers by hand, accepts at once.
func (a *Applier) onFollow(ctx context.Context, act *ap.Activity) error {
	target := act.Object.ID()
	kind, key := a.cfg.URLs.Parse(target)
	approve := false
	var forumID forum.ID
	var followed *forum.Member // a member of ours, told of the follow
	switch kind {
	case uris.KindForum:
		fo, err := serve.LocalForum(ctx, a.forum(ctx), key)
		if err != nil {
			return Refused(ReasonUnknownTarget, "follow of unknown forum %s", target)
		}
		forumID = fo.ID
		// Listed instances (member cities) are accepted at once; others wait
		// for an admin when the forum approves followers.
		approve = fo.Policy.ApproveFollows && !slices.Contains(fo.Policy.Instances, hostOf(act.Actor))
	case uris.KindMember:
		m, err := a.forum(ctx).MemberByUsername(ctx, key)
		if err != nil {
			return Refused(ReasonUnknownTarget, "follow of unknown member %s", target)
		}
		followed = m
	case uris.KindThreadActor:
		if _, err := serve.LocalThread(ctx, a.forum(ctx), key); err != nil {
			return Refused(ReasonUnknownTarget, "follow of unknown thread %s", target)
		}
	default:
		return Refused(ReasonUnsupported, "%s cannot be followed", target)
	}
	follower, err := a.cfg.Actors.Actor(ctx, act.Actor, false)
	if err != nil {
		return err
	}
	state := stored.FollowAccepted
	if approve {
		state = stored.FollowPending
	}
	fl := &stored.Follower{ID: a.cfg.IDs.New(), Target: target, ActorURI: follower.URI, Inbox: follower.Inbox,
		SharedInbox: follower.SharedInbox, FollowID: act.ID, State: state, CreatedAt: a.cfg.Clock.Now()}
	if err := a.store(ctx).SaveFollower(ctx, fl); err != nil {
		return err
	}
	if followed != nil {
		who, err := a.RemoteMember(ctx, follower.URI)
		if err != nil {
			return err
		}
		if err := a.forum(ctx).NoteFollowed(ctx, who.ID, followed.ID); err != nil {
			return err
		}
	}
	if state == stored.FollowPending {
		a.cfg.Log.Info("follow request waits for approval", "forum", target, "follower", act.Actor)
		return a.forum(ctx).NoteFollowRequest(ctx, forumID) // the admins are told (notify)
	}
	return a.AnswerFollow(ctx, fl, ap.TypeAccept)
}

// AnswerFollow sends Accept (or Reject) of a follow to the follower: at
// once, or when an admin decides on a pending one.
func (a *Applier) AnswerFollow(ctx context.Context, fl *stored.Follower, typ string) error {
	follow := &ap.Activity{ID: fl.FollowID, Type: ap.TypeFollow, Actor: fl.ActorURI, Object: ap.Ref{IRI: fl.Target}}
	id := a.cfg.IDs.New()
	act := &ap.Activity{ID: a.cfg.URLs.Activity(id), Type: typ, Actor: fl.Target, Object: ap.Ref{Activity: follow},
		To: []string{fl.ActorURI}, Published: a.cfg.Clock.Now()}
	body, err := ap.Marshal(act)
	if err != nil {
		return err
	}
	return a.cfg.Send(ctx, []*deliver.Outgoing{{ID: id, URI: act.ID, ActorURI: fl.Target, Type: typ, Object: fl.FollowID,
		Body: body, Inboxes: []string{fl.Inbox}}})
}

// onFollowAnswer: a remote forum accepted (or rejected) our follow. An
// Accept of a Join or Leave is an event's organiser acknowledging one of
// our members' answers (Mobilizon does the same): the answer was recorded
// here when it was sent, so the acknowledgement changes nothing.
func (a *Applier) onFollowAnswer(ctx context.Context, act *ap.Activity) error {
	if inner := act.Object.Activity; inner != nil && (inner.Type == ap.TypeJoin || inner.Type == ap.TypeLeave) {
		return nil
	}
	followID := act.Object.ID()
	fg, err := a.store(ctx).FollowingByActivity(ctx, followID)
	if errors.Is(err, forum.ErrNotFound) {
		return a.onPersonFollowAnswer(ctx, act, followID)
	} else if err != nil {
		return err
	}
	if fg.ObjectURI != act.Actor {
		return Refused(ReasonOrigin, "%s answered a follow of %s", act.Actor, fg.ObjectURI)
	}
	if act.Type == ap.TypeReject {
		return a.store(ctx).DeleteFollowing(ctx, fg.ObjectURI)
	}
	if fg.State == stored.FollowAccepted {
		return nil
	}
	fg.State = stored.FollowAccepted
	if err := a.store(ctx).SaveFollowing(ctx, fg); err != nil {
		return err
	}
	// Backfill again: what the forum stored between our first backfill and
	// its accepting us was announced before we were a follower. Everything
	// before the Accept is in its collections now; everything after comes
	// announced.
	a.cfg.Backfill(fg.ObjectURI)
	return nil
}

// undoFollow takes back a follow of one of our actors (an Undo whose
// actor is the follower's).
func (a *Applier) undoFollow(ctx context.Context, follow *ap.Activity) error {
	err := a.store(ctx).DeleteFollower(ctx, follow.Object.ID(), follow.Actor)
	if errors.Is(err, forum.ErrNotFound) {
		return nil // already gone
	}
	return err
}

// onPersonFollowAnswer: a remote person accepted (or rejected) a member's
// follow (package people). Only the person followed may answer it.
func (a *Applier) onPersonFollowAnswer(ctx context.Context, act *ap.Activity, followID string) error {
	fl, err := a.store(ctx).PersonFollowByActivity(ctx, followID)
	if errors.Is(err, forum.ErrNotFound) {
		return Refused(ReasonUnknownTarget, "answer to an unknown follow %s", followID)
	} else if err != nil {
		return err
	}
	if fl.PersonURI != act.Actor {
		return Refused(ReasonOrigin, "%s answered a follow of %s", act.Actor, fl.PersonURI)
	}
	if act.Type == ap.TypeReject {
		err := a.store(ctx).DeletePersonFollow(ctx, fl.MemberID, fl.PersonID)
		if errors.Is(err, forum.ErrNotFound) {
			return nil // unfollowed meanwhile
		}
		return err
	}
	if fl.State == personal.FollowAccepted {
		return nil
	}
	fl.State = personal.FollowAccepted
	return a.store(ctx).SavePersonFollow(ctx, fl)
}
