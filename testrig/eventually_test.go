package testrig_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/metropolis/agora/testrig"
)

// fakeTB records a failure instead of failing the test; Fatalf ends the
// calling goroutine, as testing.T's does.
type fakeTB struct {
	testing.TB
	mu     sync.Mutex
	failed []string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.failed = append(f.failed, fmt.Sprintf(format, args...))
	f.mu.Unlock()
	runtime.Goexit()
}

// run calls Eventually as a test would, in a goroutine of its own (Fatalf
// ends it), and returns the failures and whether Eventually returned.
func (f *fakeTB) run(bound time.Duration, what string, cond func() (bool, string)) (failures []string, returned bool) {
	done := make(chan bool)
	go func() {
		ok := false
		defer func() { done <- ok }()
		testrig.EventuallyWithin(f, bound, what, cond)
		ok = true
	}()
	returned = <-done
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed, returned
}

func TestEventually(t *testing.T) {
	tests := []struct {
		name     string
		cond     func() func() (bool, string)
		wantFail []string // parts of the message; nil: no failure
	}{{
		name: "never holds: fails naming what was awaited and the last state",
		cond: func() func() (bool, string) {
			n := 0
			return func() (bool, string) { n++; return false, fmt.Sprintf("%d rows", n) }
		},
		wantFail: []string{"the reply on the hub: not reached within 100ms", "last state: ", " rows"},
	}, {
		name: "holds after a few checks: returns",
		cond: func() func() (bool, string) {
			n := 0
			return func() (bool, string) { n++; return n >= 3, "" }
		},
	}, {
		name:     "a condition without a state says so",
		cond:     func() func() (bool, string) { return testrig.Holds(func() bool { return false }) },
		wantFail: []string{"the reply on the hub", "last state: (not reported)"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeTB{TB: t}
			start := time.Now()
			failures, returned := f.run(100*time.Millisecond, "the reply on the hub", tt.cond())
			if tt.wantFail == nil {
				if len(failures) != 0 || !returned {
					t.Fatalf("failed (%q), want it to return", failures)
				}
				return
			}
			if returned || len(failures) != 1 {
				t.Fatalf("returned %v with failures %q, want one failure", returned, failures)
			}
			for _, part := range tt.wantFail {
				if !strings.Contains(failures[0], part) {
					t.Errorf("failure %q does not say %q", failures[0], part)
				}
			}
			if took := time.Since(start); took < 100*time.Millisecond || took > 5*time.Second {
				t.Errorf("gave up after %v, want its bound (100ms)", took)
			}
		})
	}
}

// The last state is the one seen by the last check, not the first.
func TestEventuallyReportsTheLastState(t *testing.T) {
	f := &fakeTB{TB: t}
	n := 0
	failures, _ := f.run(50*time.Millisecond, "the count", func() (bool, string) { n++; return false, fmt.Sprintf("check %d", n) })
	if len(failures) != 1 || !strings.HasSuffix(failures[0], fmt.Sprintf("last state: check %d", n)) {
		t.Fatalf("failures %q, want one ending with the state of check %d", failures, n)
	}
}
