package apply

import (
	"context"
	"fmt"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/inbox"
	"github.com/metropolis/agora/federation/stored"
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
// event and the item marked done commit together or not at all. Lookups
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
		ctx = context.WithValue(ctx, scopeKey{}, &scope{svc: a.cfg.Forum.WithStore(bs), store: tx})
		aloneKeys := map[string]bool{}
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
			recorded, err := a.applyInBatch(ctx, tx, bs, bi)
			if err != nil {
				return err
			}
			if recorded {
				out.Recorded = append(out.Recorded, bi.Item)
			} else {
				aloneKeys[bi.Key] = true
				out.Alone = append(out.Alone, bi)
			}
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

// applyInBatch applies one item of a batch under a savepoint and records
// its outcome in the batch's transaction. It reports false, with every
// change of the item rolled back, when the item is to be applied alone; an
// error only when the transaction can't go on.
func (a *Applier) applyInBatch(ctx context.Context, tx AtomicTx, bs *BatchStore, bi *inbox.Queued) (recorded bool, err error) {
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
		if applyErr != nil {
			return applyErr
		}
		return tx.FinishInboxItem(ctx, bi.Item.ID, now)
	})
	switch {
	case err == nil:
		return true, nil
	case applyErr == nil:
		return false, err // the savepoint or the finish failed: the transaction is in doubt
	}
	// Rolled back: what was read for the item may have been its own
	// writes, and the replies it counted are gone with them.
	bs.Forget()
	bs.Restore(counted)
	if fetched() || !IsPermanent(applyErr) || ctx.Err() != nil {
		return false, nil
	}
	if err := a.refuseItem(ctx, bi.Item, now, ReasonOf(applyErr), applyErr); err != nil {
		return false, fmt.Errorf("refuse %s: %w", bi.Item.ActivityID, err)
	}
	return true, nil
}
