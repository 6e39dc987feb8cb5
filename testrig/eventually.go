package testrig

import (
	"testing"
	"time"
)

// EventuallyBound is how long Eventually waits: far more than anything a
// test awaits takes on a loaded machine, so that hitting it means the
// condition will not hold.
const EventuallyBound = 15 * time.Second

// Eventually polls cond until it holds, and fails the test after
// EventuallyBound with what was awaited and the state cond last reported.
// cond returns whether it holds and, when not, what it saw instead (shown
// if it never holds). Tests wait for a condition with it, never with a
// bare sleep.
func Eventually(t testing.TB, what string, cond func() (ok bool, state string)) {
	t.Helper()
	EventuallyWithin(t, EventuallyBound, what, cond)
}

// EventuallyWithin is Eventually with another bound.
func EventuallyWithin(t testing.TB, bound time.Duration, what string, cond func() (ok bool, state string)) {
	t.Helper()
	start := time.Now()
	pause := time.Millisecond
	polls := 0
	for {
		ok, state := cond()
		polls++
		if ok {
			return
		}
		if time.Since(start) >= bound {
			t.Fatalf("%s: not reached within %v (%d checks); last state: %s", what, bound, polls, state)
			return
		}
		// Quick at first (most waits are short), then every 25 ms so that
		// a long wait does not keep the CPU busy.
		time.Sleep(pause)
		pause = min(2*pause, 25*time.Millisecond)
	}
}

// Holds adapts a condition that has no state to show to Eventually.
func Holds(cond func() bool) func() (bool, string) {
	return func() (bool, string) { return cond(), "(not reported)" }
}
