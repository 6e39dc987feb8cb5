package federation

import (
	"context"
	"runtime/debug"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply"
	"github.com/metropolis/agora/federation/fetch"
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
	return f.applier.Apply(ctx, it, act)
}
