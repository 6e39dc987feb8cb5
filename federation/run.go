package federation

import (
	"context"
	"sync"
	"time"
)

// Run starts the federation workers and blocks until ctx ends and they
// have finished what they were doing (in-flight deliveries complete).
func (f *Federation) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, w := range []func(context.Context){f.runInbox, f.runPublisher, f.runDeliveries, f.runJoins} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w(ctx)
		}()
	}
	wg.Wait()
}

func wake(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default: // already due to wake
	}
}

func (f *Federation) wakeInbox()      { wake(f.inboxWake) }
func (f *Federation) wakePublisher()  { wake(f.publishWake) }
func (f *Federation) wakeDeliveries() { wake(f.deliverWake) }

// Notify tells federation that the node's event log grew (web calls it
// after a member acts), so publishing doesn't wait for the next poll.
func (f *Federation) Notify() { f.wakePublisher() }

// loop calls step until ctx ends; when step reports no more work, it waits
// for a wake-up or the poll interval.
func loop(ctx context.Context, wakeCh chan struct{}, poll time.Duration, step func(context.Context) (more bool)) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		if ctx.Err() != nil {
			return
		}
		if step(ctx) {
			continue
		}
		t.Reset(poll)
		select {
		case <-ctx.Done():
			return
		case <-wakeCh:
		case <-t.C:
		}
	}
}
