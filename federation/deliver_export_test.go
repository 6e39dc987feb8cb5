package federation

import (
	"context"

	"github.com/metropolis/agora/federation/inbox"
)

// Hooks exposes federation's internals to its tests. Those tests live in
// package federation_test because they run on the real storage (storetest), and storage imports federation: an internal test
// importing it would be an import cycle.
type Hooks struct{ f *Federation }

// HooksOf returns f's test hooks.
func HooksOf(f *Federation) Hooks { return Hooks{f: f} }

// ProcessWith applies a received item with apply in place of the real
// application, and records the outcome as the inbox worker does.
func (h Hooks) ProcessWith(ctx context.Context, it *InboxItem, apply func(context.Context, *InboxItem) error) bool {
	return h.f.applier.ApplyAloneWith(ctx, it, apply)
}

// Process applies a received item as the inbox worker does.
func (h Hooks) Process(ctx context.Context, it *InboxItem) bool {
	return h.f.applier.ApplyAlone(ctx, it)
}

// Apply applies a received item without the worker's recover, so a fuzz
// test sees any panic.
func (h Hooks) Apply(ctx context.Context, it *InboxItem) error { return h.f.applier.Apply(ctx, it) }

// BatchOutcome is what ApplyBatch did with each item.
type BatchOutcome struct{ Recorded, Alone []*InboxItem }

// ApplyBatch applies items as one batch of the inbox worker.
// Items the batch did not reach in its time are applied by the next batch,
// as a lane does.
func (h Hooks) ApplyBatch(ctx context.Context, items []*InboxItem) BatchOutcome {
	var bis []*inbox.Queued
	for _, it := range items {
		bis = append(bis, inbox.NewQueued(it))
	}
	var res BatchOutcome
	for len(bis) > 0 {
		out := h.f.applier.ApplyBatch(ctx, bis)
		res.Recorded = append(res.Recorded, out.Recorded...)
		for _, bi := range out.Alone {
			res.Alone = append(res.Alone, bi.Item)
		}
		bis = out.Rest
	}
	return res
}
