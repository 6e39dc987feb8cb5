package apply

import (
	"context"
	"runtime/debug"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/stored"
)

// Limits on applying one received activity.
const (
	MaxAttempts    = 8
	fetchesPerItem = 8 // remote fetches one activity may cause
	// inboxItemTimeout bounds one attempt at one item, its fetches
	// included: no item holds its place for longer.
	inboxItemTimeout = 90 * time.Second
)

// ApplyAlone applies one received activity and records the outcome:
// done, failed for good (refused, malformed, a fetch that can never
// succeed, or too many attempts) or retried later with backoff. A panic
// while applying fails the item with its reason; the worker goes on. It
// reports whether the outcome was recorded: not when the worker is
// stopping (no attempt is counted; the item is given back), nor when the
// database could not record it (its lease runs out and it comes again).
func (a *Applier) ApplyAlone(ctx context.Context, it *stored.InboxItem) (recorded bool) {
	return a.ApplyAloneWith(ctx, it, a.Apply)
}

// ApplyAloneWith is ApplyAlone with the function that applies the item
// given (tests make it panic).
func (a *Applier) ApplyAloneWith(ctx context.Context, it *stored.InboxItem, fn func(context.Context, *stored.InboxItem) error) (recorded bool) {
	err := a.applySafely(ctx, it, fn)
	if ctx.Err() != nil && err != nil {
		return false // stopping: not the item's fault
	}
	now := a.cfg.Clock.Now()
	switch {
	case err == nil:
		// The change may have recorded an event: its activity is passed on
		// now rather than at the publisher's next poll.
		a.cfg.Applied()
		err = a.store(ctx).FinishInboxItem(ctx, it.ID, now)
	case IsPermanent(err):
		err = a.refuseItem(ctx, it, now, ReasonOf(err), err)
	case it.Attempts+1 >= MaxAttempts:
		err = a.refuseItem(ctx, it, now, ReasonGaveUp, err)
	default:
		backoff := time.Duration(1<<min(it.Attempts, 10)) * 10 * time.Second
		a.cfg.Log.Warn("inbox activity will be retried", "activity", it.ActivityID, "attempt", it.Attempts+1, "err", err)
		err = a.store(ctx).RetryInboxItem(ctx, it.ID, now.Add(backoff), err.Error())
	}
	if err != nil {
		a.cfg.Log.Error("record inbox outcome", "activity", it.ActivityID, "err", err)
		return false // the lease runs out and the item is tried again
	}
	return true
}

// applySafely applies an item within its time and fetch budgets, turning
// a panic into a permanent failure: nothing a peer sends may stop the node.
func (a *Applier) applySafely(ctx context.Context, it *stored.InboxItem, fn func(context.Context, *stored.InboxItem) error) (err error) {
	ctx, cancel := context.WithTimeout(fetch.WithBudget(ctx, fetchesPerItem), inboxItemTimeout)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			a.cfg.Log.Error("inbox activity panicked", "activity", it.ActivityID, "panic", v, "stack", string(debug.Stack()))
			err = Panicked(v)
		}
	}()
	return fn(ctx, it)
}

// Apply parses a verified activity and applies it (without ApplyAlone's
// budgets, recovery and outcome: the fuzz tests call it to see any panic).
func (a *Applier) Apply(ctx context.Context, it *stored.InboxItem) error {
	act, err := ap.Parse(ctx, it.Body)
	if err != nil {
		return Refused(ParseReason(err), "parse: %w", err)
	}
	return a.applyParsed(ctx, it, act)
}
