// Package measure holds what every bench program measures and prints with:
// CPU time, resident memory, CPU profiles and RESULT lines (bench/run
// collects them).
package measure

import (
	"bufio"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// CPUTime is the user+system CPU time this process used so far
// (getrusage), every goroutine included: node, sinks and load generator
// alike.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// CPUSeconds is CPUTime in seconds.
func CPUSeconds() float64 { return CPUTime().Seconds() }

// Memory reads VmRSS and VmHWM (peak resident size) from /proc/self/status,
// in MB.
func Memory() (rss, hwm float64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
		if name == "VmRSS" {
			rss = kb / 1024
		} else {
			hwm = kb / 1024
		}
	}
	return rss, hwm
}

// ResetPeak resets VmHWM to the current resident size (Linux: "5" to
// /proc/self/clear_refs), so a later VmHWM is the peak of what follows.
func ResetPeak() error {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// RSSSampler samples VmRSS every interval and keeps the highest value: a
// second witness beside VmHWM.
type RSSSampler struct {
	stop chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	peak float64
}

// SampleRSS starts sampling.
func SampleRSS(every time.Duration) *RSSSampler {
	s := &RSSSampler{stop: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			rss, _ := Memory()
			s.mu.Lock()
			s.peak = max(s.peak, rss)
			s.mu.Unlock()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Stop ends sampling and returns the peak seen, in MB.
func (s *RSSSampler) Stop() float64 {
	close(s.stop)
	s.wg.Wait()
	return s.peak
}

// Result prints one machine-readable result line:
// RESULT|<benchmark>|<metric>|<value>|<target>|<ok or MISS>.
func Result(bench, metric, value, target string, ok bool) {
	verdict := "MISS"
	if ok {
		verdict = "ok"
	}
	fmt.Printf("RESULT|%s|%s|%s|%s|%s\n", bench, metric, value, target, verdict)
}

// Detail prints a human-readable line.
func Detail(format string, args ...any) { fmt.Printf("  "+format+"\n", args...) }

// StartCPUProfile writes a CPU profile to path (nothing if path is empty);
// call the returned function to stop.
func StartCPUProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }, nil
}
