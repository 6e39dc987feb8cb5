package node

import (
	"context"
	"fmt"
	"time"

	"github.com/metropolis/agora/media"
	"github.com/metropolis/agora/web/mastoapi"
)

// MediaSweepConfig is how the node gives back the disk of media files
// nothing uses any more (media.Sweeper): expired uploads, images of posts
// refused or deleted, images an edit removed.
type MediaSweepConfig struct {
	// Every is the time between two sweeps (0: DefaultMediaSweepEvery).
	Every time.Duration
	// Grace is how old an unused file must be to go (0:
	// media.DefaultGrace); it must be longer than a post takes to be
	// written after its images are stored.
	Grace time.Duration
	// Batch bounds the files one sweep looks at (0: media.DefaultBatch).
	Batch int
}

// DefaultMediaSweepEvery: a page of DefaultBatch files every ten minutes
// walks 72,000 files a day, one short query each time.
const DefaultMediaSweepEvery = 10 * time.Minute

// mediaSweepLease names the lease that makes one process sweep at a time
// (two would only repeat each other's queries).
const mediaSweepLease = "media-sweep"

func newMediaSweeper(cfg Config) *media.Sweeper {
	if cfg.Media == nil {
		return nil
	}
	return &media.Sweeper{Store: cfg.Media, Refs: cfg.DB.Store(), Grace: cfg.MediaSweep.Grace, Batch: cfg.MediaSweep.Batch}
}

// SweepMedia runs one sweep now: uploads no post took within
// mastoapi.UploadTTL are forgotten, then the next page of the media store
// is looked at and the files nothing uses are deleted. It reports how
// many files went. A node without a media store has nothing to sweep.
func (n *Node) SweepMedia(ctx context.Context) (int, error) {
	if n.sweeper == nil {
		return 0, nil
	}
	now := n.now()
	if _, err := n.DB.Store().DeleteUploadsBefore(ctx, now.Add(-mastoapi.UploadTTL)); err != nil {
		return 0, fmt.Errorf("sweep media: %w", err)
	}
	deleted, _, err := n.sweeper.Sweep(ctx, now)
	return deleted, err
}

// sweepMedia sweeps every n.sweepEvery, in one process at a time (the
// "media-sweep" lease), until ctx ends.
func (n *Node) sweepMedia(ctx context.Context) {
	every := n.sweepEvery
	if every <= 0 {
		every = DefaultMediaSweepEvery
	}
	holder := n.DB.Store()
	id := fmt.Sprintf("%p-%d", n, time.Now().UnixNano())
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		// The lease outlives one period, so its holder keeps it from one
		// sweep to the next and another process takes over only when
		// the holder stops.
		ok, err := holder.TryLease(ctx, mediaSweepLease, id, time.Now(), every+time.Minute)
		if err != nil && ctx.Err() == nil {
			n.logger.Error("media sweep lease", "err", err)
		}
		if ok {
			if deleted, err := n.SweepMedia(ctx); err != nil && ctx.Err() == nil {
				n.logger.Error("media sweep", "err", err)
			} else if deleted > 0 {
				n.logger.Info("media sweep", "deleted", deleted)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
