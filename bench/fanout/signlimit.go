package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/metropolis/agora/bench/internal/measure"
	"github.com/metropolis/agora/federation/signature"
)

// answered is a RoundTripper that answers 202 at once: with it under the
// signing transport, a POST costs what deliveries pay to sign it and
// nothing for the network.
type answered struct{}

func (answered) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	_ = r.Body.Close()
	return &http.Response{StatusCode: http.StatusAccepted, Body: http.NoBody, Request: r}, nil
}

// signingLimit measures the machine's signing limit in this run: POSTs per
// second signed by signature.Transport (the signer deliveries use, with
// whichever crypto backend this binary was built with) with an RSA-2048 key
// on every core at once, for d. A fan-out to distinct inboxes needs one
// signature per inbox, so this is the rate it can approach and not pass.
// The key is made before the clock starts. It also returns the CPU per
// signature sampled by a CPU profile, to compare with the node's CPU per
// delivery sampled the same way.
func signingLimit(ctx context.Context, body []byte, d time.Duration) (float64, time.Duration, error) {
	key, err := signature.GenerateRSA()
	if err != nil {
		return 0, 0, fmt.Errorf("signing limit: %w", err)
	}
	prof, err := measure.StartProfile("")
	if err != nil {
		return 0, 0, fmt.Errorf("signing limit: %w", err)
	}
	rt := &signature.Transport{Base: answered{}, KeyID: "http://127.0.0.1/actor#main-key", Key: key}
	var signed atomic.Int64
	var firstErr atomic.Pointer[error]
	deadline := time.Now().Add(d)
	cpu0 := measure.CPUSeconds()
	start := time.Now()
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1/inbox", bytes.NewReader(body))
				if err == nil {
					var resp *http.Response
					if resp, err = rt.RoundTrip(req); err == nil {
						_ = resp.Body.Close()
					}
				}
				if err != nil {
					firstErr.CompareAndSwap(nil, &err)
					return
				}
				signed.Add(1)
			}
		}()
	}
	wg.Wait()
	took := time.Since(start).Seconds()
	cpu := measure.CPUSeconds() - cpu0
	split, err := prof.Stop()
	if err != nil {
		return 0, 0, fmt.Errorf("signing limit: %w", err)
	}
	if p := firstErr.Load(); p != nil {
		return 0, 0, fmt.Errorf("signing limit: %w", *p)
	}
	n := signed.Load()
	sampled := split.Total / time.Duration(max(n, 1))
	measure.Detail("signing limit (%s backend, %d cores): %d POSTs signed in %.2f s, %.0f/s, %.2f ms CPU each (%.2f ms sampled)",
		signature.Backend(), runtime.GOMAXPROCS(0), n, took, float64(n)/took, 1000*cpu/float64(max(n, 1)), ms(sampled))
	return float64(n) / took, sampled, nil
}

// announceSizedBody is as long as the forum's Announce of an answer (about
// 1.4 KB): the Digest over it is part of what signing a delivery costs.
var announceSizedBody = bytes.Repeat([]byte(`{"type":"Announce","to":["https://www.w3.org/ns/activitystreams#Public"]}`), 20)
