package federation

import (
	"context"
	"sync"

	"github.com/metropolis/agora/federation/poll"
)

// Run starts the federation workers and blocks until ctx ends and they
// have finished what they were doing (in-flight deliveries complete).
func (f *Federation) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, w := range []func(context.Context){f.runInbox, f.pub.Run, f.deliveries.Run, f.joins.Run} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w(ctx)
		}()
	}
	wg.Wait()
}

func wake(ch chan struct{}) { poll.Waker(ch).Wake() }

func (f *Federation) wakeInbox()      { wake(f.inboxWake) }
func (f *Federation) wakePublisher()  { f.pub.Wake() }
func (f *Federation) wakeDeliveries() { f.deliveries.Wake() }

// Notify tells federation that the node's event log grew (web calls it
// after a member acts), so publishing doesn't wait for the next poll.
func (f *Federation) Notify() { f.wakePublisher() }
