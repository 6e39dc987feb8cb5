package serving

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/metropolis/agora/bench/internal/measure"
)

// Request is one prepared request: everything is built (and, for the
// inbox, signed) before the clock starts, so the generator only sends.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// Load says how to drive a node.
type Load struct {
	Conns    int           // concurrent keep-alive connections (one goroutine each)
	Duration time.Duration // how long to send; 0: until Requests runs out
	// Next returns the i-th request (i counts across all connections) and
	// false when there are no more.
	Next func(i int) (*Request, bool)
	// Want is the status every answer must have (200 if zero).
	Want int
}

// Result is what a load run measured.
type Result struct {
	Requests int           // answered with the wanted status
	Errors   int           // transport errors and other statuses
	FirstErr string        // the first of them, for the log
	Elapsed  time.Duration // from the first send to the last answer
	// CPU is the CPU time this whole process (node and generator) used
	// during the run: per request, it compares runs on a busy machine.
	CPU time.Duration
	lat []time.Duration
}

// PerSecond is the throughput of wanted answers.
func (r *Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Percentile is the latency below which p (0–100) percent of the wanted
// answers came.
func (r *Result) Percentile(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(float64(len(r.lat)-1) * p / 100)
	return r.lat[i]
}

// String is a one-line summary.
func (r *Result) String() string {
	return fmt.Sprintf("%d ok, %d errors in %v: %.0f/s, p50 %v, p90 %v, p99 %v, max %v; CPU %v/request (node+generator)", r.Requests, r.Errors,
		r.Elapsed.Round(time.Millisecond), r.PerSecond(), ms(r.Percentile(50)), ms(r.Percentile(90)),
		ms(r.Percentile(99)), ms(r.Percentile(100)), r.CPUPerRequest())
}

func ms(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }

// CPUPerRequest is CPU divided by the requests answered.
func (r *Result) CPUPerRequest() time.Duration {
	if r.Requests == 0 {
		return 0
	}
	return (r.CPU / time.Duration(r.Requests)).Round(time.Microsecond)
}

// Client is a keep-alive HTTP client for conns concurrent connections.
func Client(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns * 2,
		MaxConnsPerHost:     conns,
		DisableCompression:  true,
		IdleConnTimeout:     time.Minute,
	}, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// Run drives the load. The generator's goroutines carry the pprof label
// role=loadgen, so a CPU profile of the benchmark separates the node's work
// from the generator's (go tool pprof -tagignore role=loadgen).
func Run(ctx context.Context, l Load) *Result {
	want := l.Want
	if want == 0 {
		want = http.StatusOK
	}
	client := Client(l.Conns)
	defer client.CloseIdleConnections()
	var (
		next     atomic.Int64
		mu       sync.Mutex
		res      = &Result{}
		wg       sync.WaitGroup
		deadline time.Time
	)
	start, cpu0 := time.Now(), measure.CPUTime()
	if l.Duration > 0 {
		deadline = start.Add(l.Duration)
	}
	for range l.Conns {
		wg.Add(1)
		go pprof.Do(ctx, pprof.Labels("role", "loadgen"), func(ctx context.Context) {
			defer wg.Done()
			var lat []time.Duration
			ok, bad, first := 0, 0, ""
			for {
				if !deadline.IsZero() && time.Now().After(deadline) || ctx.Err() != nil {
					break
				}
				rq, more := l.Next(int(next.Add(1) - 1))
				if !more {
					break
				}
				t0 := time.Now()
				status, err := send(ctx, client, rq)
				d := time.Since(t0)
				switch {
				case err != nil:
					bad++
					if first == "" {
						first = err.Error()
					}
				case status != want:
					bad++
					if first == "" {
						first = fmt.Sprintf("%s %s: status %d", rq.Method, rq.URL, status)
					}
				default:
					ok++
					lat = append(lat, d)
				}
			}
			mu.Lock()
			res.Requests += ok
			res.Errors += bad
			if res.FirstErr == "" {
				res.FirstErr = first
			}
			res.lat = append(res.lat, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.CPU = measure.CPUTime() - cpu0
	slices.Sort(res.lat)
	return res
}

func send(ctx context.Context, c *http.Client, rq *Request) (int, error) {
	var body io.Reader
	if rq.Body != nil {
		body = bytes.NewReader(rq.Body)
	}
	req, err := http.NewRequestWithContext(ctx, rq.Method, rq.URL, body)
	if err != nil {
		return 0, err
	}
	for k, v := range rq.Header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}
