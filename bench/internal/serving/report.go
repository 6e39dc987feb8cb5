package serving

import (
	"flag"
	"fmt"

	"github.com/metropolis/agora/bench/internal/measure"
)

// Report prints one result line, RESULT|bench|metric|value|target|ok or
// MISS. atLeast says whether the value must reach the target (a rate) or
// stay under it (a latency, a size).
func Report(bench, metric string, value, target float64, unit string, atLeast bool) bool {
	ok := value >= target
	if !atLeast {
		ok = value <= target
	}
	cmp := "≥"
	if !atLeast {
		cmp = "≤"
	}
	measure.Result(bench, metric, num(value)+" "+unit, cmp+" "+num(target)+" "+unit, ok)
	return ok
}

// Info prints a figure that has no target.
func Info(bench, metric string, value float64, unit string) {
	measure.Result(bench, metric, num(value)+" "+unit, "-", true)
}

func num(v float64) string {
	if v >= 100 || v == float64(int64(v)) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// ProfileFlag registers -cpuprofile; call the returned function after
// flag.Parse to start profiling, and its result when done.
func ProfileFlag() func() (stop func()) {
	path := flag.String("cpuprofile", "", "write a CPU profile of the measured phase to this file (the load generator's samples carry the label role=loadgen)")
	return func() func() {
		if *path == "" {
			return func() {}
		}
		return StartProfile(*path)
	}
}

// StartProfile starts a CPU profile into path; call the result to stop it.
func StartProfile(path string) (stop func()) {
	stop, err := measure.StartCPUProfile(path)
	if err != nil {
		Fatal("cpuprofile", err)
	}
	return stop
}
