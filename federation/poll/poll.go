// Package poll runs the federation's background workers: each does a step
// of work while there is some, then sleeps until woken (new work queued in
// this process) or until the next poll (work queued by another process, or
// come due).
package poll

import (
	"context"
	"time"
)

// Waker wakes one worker: a buffered channel of one, so a wake-up sent
// while the worker is busy is not lost and several collapse into one.
type Waker chan struct{}

// NewWaker returns a Waker.
func NewWaker() Waker { return make(Waker, 1) }

// Wake makes the worker look for work at once.
func (w Waker) Wake() {
	select {
	case w <- struct{}{}:
	default: // already due to wake
	}
}

// Loop calls step until ctx ends; when step reports no more work, it
// waits for a wake-up or the poll interval.
func Loop(ctx context.Context, wake Waker, every time.Duration, step func(context.Context) (more bool)) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		if ctx.Err() != nil {
			return
		}
		if step(ctx) {
			continue
		}
		t.Reset(every)
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-t.C:
		}
	}
}
