package federation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"
)

// The event publisher runs in one process at a time among those sharing
// the database: it holds the "publisher" lease, renewed at each batch.
// Two publishers would not deliver twice (activity ids derive from their
// event's, and a stored id is skipped) but would do the work twice and
// move the events cursor back and forth. A process that dies loses the
// lease after publisherLeaseTTL; one that stops gives it up at once.
const (
	publisherLease    = "publisher"
	publisherLeaseTTL = 15 * time.Second
)

// newHolder names this process's leases.
func newHolder() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// leadPublisher reports whether this process holds the publisher lease,
// taking or renewing it. Leases use the wall clock: they are about
// processes being alive, not about the node's (possibly fixed) clock.
func (f *Federation) leadPublisher(ctx context.Context) bool {
	ok, err := f.store.TryLease(ctx, publisherLease, f.holder, time.Now(), publisherLeaseTTL)
	if err != nil {
		f.log.Error("publisher lease", "err", err)
		return false
	}
	return ok
}

func (f *Federation) releasePublisher() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := f.store.ReleaseLease(ctx, publisherLease, f.holder); err != nil {
		f.log.Warn("release publisher lease", "err", err)
	}
}
