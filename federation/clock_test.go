package federation_test

import (
	"sync"
	"time"

	"github.com/metropolis/agora/federation"
)

// dqClock is a clock the test moves by hand.
type dqClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *dqClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *dqClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// dqConfig is the delivery configuration of the tests that run a node's
// workers by hand.
var dqConfig = federation.DeliveryConfig{BaseBackoff: 30 * time.Second, MaxAge: 72 * time.Hour,
	BreakerAfter: 3, BreakerPeriod: 10 * time.Minute, Poll: 20 * time.Millisecond}
