package federation

import (
	"context"
	"errors"
	"runtime/debug"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/forum"
)

// Limits on applying one received activity.
const (
	inboxMaxAttempts = 8
	fetchesPerItem   = 8 // remote fetches one activity may cause
	// inboxItemTimeout bounds one attempt at one item, its fetches
	// included: no item holds its place for longer.
	inboxItemTimeout = 90 * time.Second
)

// processItem applies one received activity and records the outcome:
// done, failed for good (refused, malformed, a fetch that can never
// succeed, or too many attempts) or retried later with backoff. A panic
// while applying fails the item with its reason; the worker goes on. It
// reports whether the outcome was recorded: not when the worker is
// stopping (no attempt is counted; the item is given back), nor when the
// database could not record it (its lease runs out and it comes again).
func (f *Federation) processItem(ctx context.Context, it *InboxItem) (recorded bool) {
	return f.processItemWith(ctx, it, f.apply)
}

// processItemWith is processItem with the function that applies the item
// given (tests make it panic).
func (f *Federation) processItemWith(ctx context.Context, it *InboxItem, fn func(context.Context, *InboxItem) error) (recorded bool) {
	err := f.applySafely(ctx, it, fn)
	if ctx.Err() != nil && err != nil {
		return false // stopping: not the item's fault
	}
	now := f.cfg.Clock.Now()
	switch {
	case err == nil:
		// The change may have recorded an event: its activity is passed on
		// now rather than at the publisher's next poll.
		f.wakePublisher()
		err = f.storeIn(ctx).FinishInboxItem(ctx, it.ID, now)
	case apply.IsPermanent(err):
		err = f.refuseItem(ctx, it, now, apply.ReasonOf(err), err)
	case it.Attempts+1 >= inboxMaxAttempts:
		err = f.refuseItem(ctx, it, now, ReasonGaveUp, err)
	default:
		backoff := time.Duration(1<<min(it.Attempts, 10)) * 10 * time.Second
		f.log.Warn("inbox activity will be retried", "activity", it.ActivityID, "attempt", it.Attempts+1, "err", err)
		err = f.storeIn(ctx).RetryInboxItem(ctx, it.ID, now.Add(backoff), err.Error())
	}
	if err != nil {
		f.log.Error("record inbox outcome", "activity", it.ActivityID, "err", err)
		return false // the lease runs out and the item is tried again
	}
	return true
}

// applySafely applies an item within its time and fetch budgets, turning
// a panic into a permanent failure: nothing a peer sends may stop the node.
func (f *Federation) applySafely(ctx context.Context, it *InboxItem, fn func(context.Context, *InboxItem) error) (err error) {
	ctx, cancel := context.WithTimeout(fetch.WithBudget(ctx, fetchesPerItem), inboxItemTimeout)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			f.log.Error("inbox activity panicked", "activity", it.ActivityID, "panic", v, "stack", string(debug.Stack()))
			err = apply.Panicked(v)
		}
	}()
	return fn(ctx, it)
}

// apply parses a verified activity and dispatches it by type.
func (f *Federation) apply(ctx context.Context, it *InboxItem) error {
	act, err := ap.Parse(ctx, it.Body)
	if err != nil {
		return apply.Refused(apply.ParseReason(err), "parse: %w", err)
	}
	return f.applyParsed(ctx, it, act)
}

// applyParsed applies an item's activity, parsed.
func (f *Federation) applyParsed(ctx context.Context, it *InboxItem, act *ap.Activity) error {
	if act.Actor != it.ActorURI {
		if act.Type == ap.TypeLike || act.Type == ap.TypeUndo {
			return f.applyForwardedLike(ctx, act, it.ActorURI, it.ID)
		}
		return f.applyForwarded(ctx, act, it.ID)
	}
	return f.dispatch(ctx, act, it.ID, nil)
}

// applyForwarded applies an activity a server passed on for its actor
// (§7.1.2). Only its object's id is taken from it: a created or updated
// object is fetched from its origin, a deleted one must be gone there.
func (f *Federation) applyForwarded(ctx context.Context, act *ap.Activity, received forum.ID) error {
	switch act.Type {
	case ap.TypeCreate, ap.TypeUpdate:
		act.Object = ap.Ref{IRI: act.Object.ID()}
	case ap.TypeDelete:
		if err := f.confirmGone(ctx, act.Object.ID()); err != nil {
			return err
		}
	default:
		return apply.Refused(ReasonUnsupported, "%s activities are not accepted forwarded", act.Type)
	}
	return f.dispatch(ctx, act, received, nil)
}

// dispatch applies an activity. received is the inbox item it came in,
// recorded with the events of the changes it makes so the publisher passes
// it on; "" inside a remote forum's Announce (nothing to pass on). via is
// the remote forum that announced it, if it came inside an Announce.
func (f *Federation) dispatch(ctx context.Context, act *ap.Activity, received forum.ID, via *forum.Forum) error {
	if err := f.applier.RefuseBlocked(ctx, act); err != nil {
		return err
	}
	switch act.Type {
	case ap.TypeFollow:
		return f.applier.OnFollow(ctx, act)
	case ap.TypeAccept, ap.TypeReject:
		return f.applier.OnFollowAnswer(ctx, act)
	case ap.TypeUndo:
		return f.onUndo(ctx, act, received)
	case ap.TypeCreate, ap.TypeUpdate:
		return f.onCreateOrUpdate(ctx, act, received, via)
	case ap.TypeDelete:
		// A forum's report kept here is not a post: its Delete is the
		// forum's own, checked apart from a post's.
		if handled, err := f.applier.OnForumReportDelete(ctx, act, act.Object.ID()); handled || err != nil {
			return err
		}
		return f.applier.OnDelete(ctx, act, received)
	case ap.TypeLike:
		return f.applier.OnLike(ctx, act, received, true)
	case ap.TypeAnnounce:
		return f.onAnnounce(ctx, act)
	case ap.TypeLock:
		return f.applier.OnLock(ctx, act, true)
	case ap.TypeFlag:
		return f.applier.OnFlag(ctx, act)
	case ap.TypeAdd, ap.TypeRemove:
		return f.applier.OnGoodPractice(ctx, act, act.Type == ap.TypeAdd)
	case ap.TypeJoin, ap.TypeLeave:
		return f.applier.OnJoin(ctx, act, act.Type == ap.TypeJoin)
	}
	return apply.Refused(ReasonUnsupported, "%s activities are not handled", act.Type)
}

// remoteMember is the local record of a remote actor, made from its
// document the first time it is met.
func (f *Federation) remoteMember(ctx context.Context, uri string) (*forum.Member, error) {
	if m, err := f.forumIn(ctx).MemberByURI(ctx, uri); err == nil {
		return m, nil
	} else if !errors.Is(err, forum.ErrNotFound) {
		return nil, err
	}
	if _, err := f.actors.actor(ctx, uri, false); err != nil {
		return nil, err
	}
	return f.refreshMember(ctx, uri)
}

// findPost finds a post by its ActivityPub id, ours or a remote one (see
// apply.Applier.FindPost).
func (f *Federation) findPost(ctx context.Context, uri string) (*forum.Post, error) {
	return f.applier.FindPost(ctx, uri)
}
