package deliver

import (
	"sync/atomic"
	"time"
)

// goroutines reuses the goroutines that make sends. A send's stack grows
// deep (the HTTP client, the signing transport, RSA), and a new goroutine
// per delivery grew it again each time: copying stacks was about 3% of a
// fan-out's CPU. A goroutine that finished a send waits a little for the
// next one before it ends.
type goroutines struct {
	work chan func()   // unbuffered: a send succeeds only to an idle goroutine
	done chan struct{} // closed by stop: idle goroutines end
	// started counts the goroutines started (the reuse test reads it).
	started atomic.Int64
}

// goroutineIdle is how long a goroutine waits for another send.
const goroutineIdle = 5 * time.Second

func newGoroutines() *goroutines {
	return &goroutines{work: make(chan func()), done: make(chan struct{})}
}

// run runs fn on an idle goroutine, or on a new one if none is idle.
func (g *goroutines) run(fn func()) {
	select {
	case g.work <- fn:
	default:
		g.started.Add(1)
		go g.loop(fn)
	}
}

func (g *goroutines) loop(fn func()) {
	idle := time.NewTimer(goroutineIdle)
	defer idle.Stop()
	for {
		fn()
		idle.Reset(goroutineIdle)
		select {
		case fn = <-g.work:
		case <-idle.C:
			return
		case <-g.done:
			return
		}
	}
}

// stop ends the idle goroutines; those running finish their send first.
func (g *goroutines) stop() { close(g.done) }
