package measure

import (
	"context"
	"runtime/pprof"
	"testing"
)

// spin burns a fixed amount of CPU (about 0.3 s), whatever the machine's
// load: the two halves of the test do equal work.
func spin() int {
	x := 0
	for i := range 600_000_000 {
		x += i ^ (x >> 3)
	}
	return x
}

// TestSplitProfile: the CPU of goroutines with a label is counted apart
// from the rest, and both are in the total.
func TestSplitProfile(t *testing.T) {
	p, err := StartProfile("")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan int)
	go pprof.Do(context.Background(), pprof.Labels("role", "loadgen"), func(context.Context) { done <- spin() })
	if spin() == <-done+1 {
		t.Log("(uses both results, so neither loop is optimised away)")
	}
	s, err := p.Stop()
	if err != nil {
		t.Fatal(err)
	}
	gen, node := s.Labelled["role=loadgen"], s.Without("role", "loadgen")
	t.Logf("total %v, loadgen %v, the rest %v", s.Total, gen, node)
	// Equal work on each side: each about half, give or take sampling
	// (100 samples a second).
	if share := float64(gen) / float64(s.Total); share < 0.25 || share > 0.75 {
		t.Fatalf("loadgen %v and the rest %v: each did the same work", gen, node)
	}
	if gen+node != s.Total {
		t.Fatalf("%v + %v != total %v", gen, node, s.Total)
	}
	if _, err := SplitProfile([]byte("not a profile")); err == nil {
		t.Fatal("a bad profile was read")
	}
}
