package federation

import (
	"context"

	"github.com/metropolis/agora/federation/inbox"
)

// InboxConfig sizes the inbox worker (package inbox).
type InboxConfig = inbox.Settings

// runInbox runs the inbox worker (package inbox), which hands what it
// claims to this package's apply code.
func (f *Federation) runInbox(ctx context.Context) {
	inbox.NewWorker(inbox.Config{Settings: f.cfg.Inbox, Store: f.store, Apply: applier{f}, Poll: f.cfg.Delivery.Poll,
		Clock: f.cfg.Clock, Log: f.log, Wake: f.inboxWake}).Run(ctx)
}

// applier is the apply code as the inbox worker calls it.
type applier struct{ f *Federation }

func (a applier) ApplyBatch(ctx context.Context, items []*inbox.Queued) inbox.Outcome {
	return a.f.applyBatch(ctx, items)
}

func (a applier) ApplyAlone(ctx context.Context, it *InboxItem) bool { return a.f.processItem(ctx, it) }
