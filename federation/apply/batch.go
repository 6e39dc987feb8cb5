package apply

import (
	"context"
	"fmt"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/inbox"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
)

// Bounds of one batch of received activities applied in one transaction
// (its size is inbox.BatchMax).
const (
	// inboxBatchTime bounds the time a batch holds its transaction: on
	// SQLite it holds the database's only write lock, and the inbox's
	// group commit (the 202 answers) waits for it. Counted from the
	// transaction's start (not from waiting for the lock), and never
	// before one item is applied. Items not reached are applied by the
	// next batch, in their order.
	inboxBatchTime = 100 * time.Millisecond
)

// The inbox worker hands what it claims to an Applier.
var _ inbox.Applier = (*Applier)(nil)

// batchable are the activities applied in batches: posts, their edits and
// deletions, helpful marks, shares and a forum's announces. Follows and
// their answers, flags, locks and good-practice marks are rare and send or
// fetch as they apply: they are applied alone.
var batchable = map[string]bool{ap.TypeCreate: true, ap.TypeUpdate: true, ap.TypeDelete: true, ap.TypeLike: true,
	ap.TypeUndo: true, ap.TypeAnnounce: true}

// ApplyBatch applies items in one transaction, each under a savepoint, and
// records each one's outcome in the same transaction: the change, its
// event and the item marked done commit together or not at all. The items
// applied are marked done by one statement at the end of the batch (on
// PostgreSQL each statement is a round trip the lane waits on). Lookups
// of forums, threads, posts and members are read once per batch
// (BatchStore). An item that would fetch is rolled back and left to be
// applied alone, as is any item after it with the same order key; so is an
// item that fails in a way a retry may mend (it is then retried alone,
// with its attempts counted). If the transaction itself fails, every item
// is left to be applied alone.
func (a *Applier) ApplyBatch(ctx context.Context, items []*inbox.Queued) inbox.Outcome {
	// Parsed before the transaction, which (on SQLite) holds the write lock.
	for _, bi := range items {
		bi.Parse(ctx)
	}
	var out inbox.Outcome
	err := a.cfg.Atomic(ctx, func(ctx context.Context, tx AtomicTx) error {
		start := time.Now()
		out = inbox.Outcome{}
		bs := NewBatchStore(tx)
		ctx = context.WithValue(ctx, scopeKey{}, &scope{svc: a.cfg.Forum.WithStore(bs), store: tx, blocked: map[string]bool{}})
		aloneKeys := map[string]bool{}
		var done []forum.ID
		for i, bi := range items {
			if i > 0 && time.Since(start) > inboxBatchTime {
				out.Rest = append(out.Rest, items[i:]...)
				break
			}
			if aloneKeys[bi.Key] || (bi.Act != nil && !batchable[bi.Act.Type]) {
				aloneKeys[bi.Key] = true
				out.Alone = append(out.Alone, bi)
				continue
			}
			recorded, applied, err := a.applyInBatch(ctx, tx, bs, bi)
			if err != nil {
				return err
			}
			if applied {
				done = append(done, bi.Item.ID)
			}
			if recorded {
				out.Recorded = append(out.Recorded, bi.Item)
			} else {
				aloneKeys[bi.Key] = true
				out.Alone = append(out.Alone, bi)
			}
		}
		if err := tx.FinishInboxItems(ctx, done, a.cfg.Clock.Now()); err != nil {
			return fmt.Errorf("mark %d applied items done: %w", len(done), err)
		}
		return bs.Flush(ctx)
	})
	if err != nil {
		if ctx.Err() == nil {
			a.cfg.Log.Warn("inbox batch failed; its items are applied one by one", "items", len(items), "err", err)
		}
		return inbox.Outcome{Alone: items}
	}
	if len(out.Recorded) > 0 {
		// The changes recorded events: their activities are passed on now
		// rather than at the publisher's next poll.
		a.cfg.Applied()
	}
	return out
}

// applyInBatch applies one item of a batch under a savepoint. An item
// applied is recorded (true, true) and the caller marks it done in the
// batch's transaction; an item refused for good is recorded here (true,
// false). It reports false, with every change of the item rolled back,
// when the item is to be applied alone; an error only when the
// transaction can't go on.
func (a *Applier) applyInBatch(ctx context.Context, tx AtomicTx, bs *BatchStore, bi *inbox.Queued) (recorded, applied bool, err error) {
	now := a.cfg.Clock.Now()
	ctx, fetched := fetch.WithoutFetches(ctx)
	counted := bs.Counted()
	var applyErr error
	err = tx.Savepoint(ctx, func(ctx context.Context) error {
		applyErr = a.applySafely(ctx, bi.Item, func(ctx context.Context, it *stored.InboxItem) error {
			if bi.Err != nil {
				return Refused(ParseReason(bi.Err), "parse: %w", bi.Err)
			}
			return a.applyParsed(ctx, it, bi.Act)
		})
		return applyErr
	})
	switch {
	case err == nil:
		return true, true, nil
	case applyErr == nil:
		return false, false, err // the savepoint failed: the transaction is in doubt
	}
	// Rolled back: what was read for the item may have been its own
	// writes, and the replies it counted are gone with them.
	bs.Forget()
	bs.Restore(counted)
	if fetched() || !IsPermanent(applyErr) || ctx.Err() != nil {
		return false, false, nil
	}
	if err := a.refuseItem(ctx, bi.Item, now, ReasonOf(applyErr), applyErr); err != nil {
		return false, false, fmt.Errorf("refuse %s: %w", bi.Item.ActivityID, err)
	}
	return true, false, nil
}
