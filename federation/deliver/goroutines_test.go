package deliver

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestGoroutinesReuseAndStop: sends run at once even when every goroutine
// is busy, a goroutine that finished takes the next send instead of a new
// one starting, and stop ends the idle ones.
func TestGoroutinesReuseAndStop(t *testing.T) {
	before := runtime.NumGoroutine()
	g := newGoroutines()

	// Busy goroutines never make run wait: ten sends blocked together.
	release := make(chan struct{})
	var started, finished sync.WaitGroup
	for range 10 {
		started.Add(1)
		finished.Add(1)
		g.run(func() { started.Done(); <-release; finished.Done() })
	}
	started.Wait()
	close(release)
	finished.Wait()

	if n := g.started.Load(); n != 10 {
		t.Fatalf("%d goroutines started for ten sends at once", n)
	}
	// One after another, the sends find an idle goroutine. (One that
	// has just closed done may not be waiting yet: the pause lets it, and
	// a few late ones are allowed; without reuse there would be 50.)
	for range 50 {
		done := make(chan struct{})
		g.run(func() { close(done) })
		<-done
		time.Sleep(time.Millisecond)
	}
	if n := g.started.Load() - 10; n > 10 {
		t.Fatalf("%d goroutines started for 50 more sends one at a time: not reused", n)
	}

	g.stop()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left after stop, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
