package report_test

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user + system CPU time so far (getrusage): a
// figure the other processes on a loaded machine do not inflate.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkReportOutputs measures building the report from the discussion
// (the numbers read from the database), and rendering its PDF, Markdown
// and charts, in CPU milliseconds per operation.
func BenchmarkReportOutputs(b *testing.B) {
	w := newWorld(b)
	r := w.published(b)
	d, err := w.reports.Build(w.ctx, r, "es")
	if err != nil {
		b.Fatal(err)
	}
	words := words("es")
	for _, bm := range []struct {
		name string
		run  func() error
	}{
		{"build", func() error { _, err := w.reports.Build(w.ctx, r, "es"); return err }},
		{"pdf", func() error { _, err := d.PDF(words, "https://hub.example/r"); return err }},
		{"markdown", func() error { d.Markdown(words, "https://hub.example/r"); return nil }},
		{"charts", func() error {
			for _, c := range d.Charts(words) {
				_ = c.SVG()
			}
			return nil
		}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime(b)
			for b.Loop() {
				if err := bm.run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime(b)-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
		})
	}
}
