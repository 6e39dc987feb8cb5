package federation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// Limits on applying one received activity.
const (
	inboxLease       = time.Minute
	inboxBatch       = 20
	inboxMaxAttempts = 8
	fetchesPerItem   = 8 // remote fetches one activity may cause
)

// errPermanent marks an activity that will never apply (refused, malformed,
// about something unknown): it is recorded as failed, not retried.
type errPermanent struct{ err error }

func (e *errPermanent) Error() string { return e.err.Error() }
func (e *errPermanent) Unwrap() error { return e.err }

func permanent(format string, args ...any) error {
	return &errPermanent{err: fmt.Errorf(format, args...)}
}

func (f *Federation) runInbox(ctx context.Context) {
	loop(ctx, f.inboxWake, f.cfg.Delivery.Poll, f.processInbox)
}

// processInbox applies a batch of received activities.
func (f *Federation) processInbox(ctx context.Context) bool {
	now := f.cfg.Clock.Now()
	items, err := f.store.ClaimInboxItems(ctx, now, inboxLease, inboxBatch)
	if err != nil {
		f.log.Error("claim inbox items", "err", err)
		return false
	}
	for _, it := range items {
		f.processItem(ctx, it)
	}
	return len(items) == inboxBatch
}

func (f *Federation) processItem(ctx context.Context, it *InboxItem) {
	err := f.apply(fetch.WithBudget(ctx, fetchesPerItem), it)
	now := f.cfg.Clock.Now()
	var perm *errPermanent
	switch {
	case err == nil:
		err = f.store.FinishInboxItem(ctx, it.ID, now)
	case errors.As(err, &perm), errors.Is(err, forum.ErrForbidden), errors.Is(err, forum.ErrLocked),
		errors.Is(err, forum.ErrGone), forum.IsValidation(err):
		err = f.refuseItem(ctx, it, now, refusalReason(err), err)
	case it.Attempts+1 >= inboxMaxAttempts:
		err = f.refuseItem(ctx, it, now, ReasonGaveUp, err)
	default:
		backoff := time.Duration(1<<min(it.Attempts, 10)) * 10 * time.Second
		f.log.Warn("inbox activity will be retried", "activity", it.ActivityID, "attempt", it.Attempts+1, "err", err)
		err = f.store.RetryInboxItem(ctx, it.ID, now.Add(backoff), err.Error())
	}
	if err != nil {
		f.log.Error("record inbox outcome", "activity", it.ActivityID, "err", err)
	}
}

// apply parses a verified activity and dispatches it by type.
func (f *Federation) apply(ctx context.Context, it *InboxItem) error {
	act, err := ap.Parse(ctx, it.Body)
	if err != nil {
		return refused(parseReason(err), "parse: %w", err)
	}
	if act.Actor != it.ActorURI {
		return f.applyForwarded(ctx, act, it.Body)
	}
	return f.dispatch(ctx, act, it.Body, nil)
}

// applyForwarded applies an activity a server passed on for its actor
// (§7.1.2). Only its object's id is taken from it: a created or updated
// object is fetched from its origin, a deleted one must be gone there.
func (f *Federation) applyForwarded(ctx context.Context, act *ap.Activity, raw []byte) error {
	switch act.Type {
	case ap.TypeCreate, ap.TypeUpdate:
		act.Object = ap.Ref{IRI: act.Object.ID()}
	case ap.TypeDelete:
		if err := f.confirmGone(ctx, act.Object.ID()); err != nil {
			return err
		}
	default:
		return refused(ReasonUnsupported, "%s activities are not accepted forwarded", act.Type)
	}
	return f.dispatch(ctx, act, raw, nil)
}

// dispatch applies an activity. via is the remote forum that announced it,
// if it came inside an Announce.
func (f *Federation) dispatch(ctx context.Context, act *ap.Activity, raw []byte, via *forum.Forum) error {
	switch act.Type {
	case ap.TypeFollow:
		return f.onFollow(ctx, act)
	case ap.TypeAccept, ap.TypeReject:
		return f.onFollowAnswer(ctx, act)
	case ap.TypeUndo:
		return f.onUndo(ctx, act, raw, via)
	case ap.TypeCreate, ap.TypeUpdate:
		return f.onCreateOrUpdate(ctx, act, raw, via)
	case ap.TypeDelete:
		return f.onDelete(ctx, act, raw, via)
	case ap.TypeLike:
		return f.onLike(ctx, act, raw, via, true)
	case ap.TypeAnnounce:
		return f.onAnnounce(ctx, act, raw)
	case ap.TypeLock:
		return f.onLock(ctx, act, raw, via, true)
	case ap.TypeFlag:
		return f.onFlag(ctx, act)
	}
	return refused(ReasonUnsupported, "%s activities are not handled", act.Type)
}

// remoteMember is the local record of a remote actor, made from its
// document the first time it is met.
func (f *Federation) remoteMember(ctx context.Context, uri string) (*forum.Member, error) {
	if m, err := f.svc.MemberByURI(ctx, uri); err == nil {
		return m, nil
	} else if !errors.Is(err, forum.ErrNotFound) {
		return nil, err
	}
	if _, err := f.actors.actor(ctx, uri, false); err != nil {
		return nil, err
	}
	return f.refreshMember(ctx, uri)
}

// findPost finds a post by its ActivityPub id, ours or a remote one.
func (f *Federation) findPost(ctx context.Context, uri string) (*forum.Post, error) {
	if f.urls.IsLocal(uri) {
		kind, key := f.urls.Parse(uri)
		switch kind {
		case uris.KindThread:
			t, err := f.svc.Thread(ctx, key)
			if err != nil {
				return nil, err
			}
			return f.svc.Post(ctx, t.RootPostID)
		case uris.KindPost:
			return f.svc.Post(ctx, key)
		}
		return nil, forum.ErrNotFound
	}
	return f.svc.PostByURI(ctx, uri)
}
