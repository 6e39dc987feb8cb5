package publish_test

import (
	"time"

	"github.com/metropolis/agora/federation"
)

// dqConfig is the delivery configuration of the tests that run a node's
// workers by hand.
var dqConfig = federation.DeliveryConfig{BaseBackoff: 30 * time.Second, MaxAge: 72 * time.Hour,
	BreakerAfter: 3, BreakerPeriod: 10 * time.Minute, Poll: 20 * time.Millisecond}
