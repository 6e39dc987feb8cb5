package deliver_test

import (
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// blackHole accepts connections and never answers.
type blackHole struct {
	ln   net.Listener
	mu   sync.Mutex
	held []net.Conn
	got  chan struct{}
}

func newBlackHole(t *testing.T) *blackHole {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &blackHole{ln: ln, got: make(chan struct{}, 16)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b.mu.Lock()
			b.held = append(b.held, c)
			b.mu.Unlock()
			b.got <- struct{}{}
		}
	}()
	t.Cleanup(b.close)
	return b
}

// close lets go of the connections: the sends waiting on them fail.
func (b *blackHole) close() {
	_ = b.ln.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.held {
		_ = c.Close()
	}
	b.held = nil
}

func (b *blackHole) inbox() string { return "http://" + b.ln.Addr().String() + "/inbox" }

// A send that gets no answer gives its worker back after SlowAfter: with
// one worker, a host that never answers does not stop the others.
func TestRunDeliveriesSlowHostGivesBackItsWorker(t *testing.T) {
	cfg := dqConfig
	cfg.Workers, cfg.PerHost, cfg.SlowAfter, cfg.SlowSends = 1, 4, 100*time.Millisecond, 2
	r := newDQRig(t, cfg)
	hole := newBlackHole(t)
	s := newDQSink(t, http.StatusAccepted)
	r.queue(hole.inbox())
	r.queue(hole.inbox())
	r.queue(hole.inbox()) // a third slow send finds no slow slot free
	r.queue(s.inbox())
	ctx, cancel := context.WithCancel(r.ctx)
	done := make(chan struct{})
	go func() {
		r.runner.Run(ctx)
		close(done)
	}()
	defer func() {
		hole.close()
		cancel()
		<-done
	}()
	for range 3 {
		select {
		case <-hole.got:
		case <-time.After(10 * time.Second):
			t.Fatal("the black hole got fewer than 3 connections within 10 s")
		}
	}
	// Two slow sends gave their worker back; the third keeps it (SlowSends
	// is 2), so the sink waits until the hole lets go.
	select {
	case <-s.arrived:
		t.Fatal("the healthy host was served while every worker slot should be taken")
	case <-time.After(500 * time.Millisecond):
	}
	hole.close()
	select {
	case <-s.arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the healthy host got nothing within 10 s of the black hole closing")
	}
}

// With a free slow slot, the healthy host is served while the black hole
// still holds its connection.
func TestRunDeliveriesServesOthersBesideABlackHole(t *testing.T) {
	cfg := dqConfig
	cfg.Workers, cfg.PerHost, cfg.SlowAfter, cfg.SlowSends = 1, 4, 100*time.Millisecond, 8
	r := newDQRig(t, cfg)
	hole := newBlackHole(t)
	s := newDQSink(t, http.StatusAccepted)
	r.queue(hole.inbox())
	r.queue(s.inbox())
	ctx, cancel := context.WithCancel(r.ctx)
	done := make(chan struct{})
	go func() {
		r.runner.Run(ctx)
		close(done)
	}()
	defer func() {
		hole.close()
		cancel()
		<-done
	}()
	// The claim may hand either delivery to the worker first; what matters
	// is that the hole holds a connection and the healthy host is served.
	select {
	case <-hole.got:
	case <-time.After(10 * time.Second):
		t.Fatal("the black hole got no connection within 10 s")
	}
	select {
	case <-s.arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the healthy host got nothing within 10 s while a black hole held the only worker")
	}
	hole.mu.Lock()
	held := len(hole.held)
	hole.mu.Unlock()
	if held != 1 {
		t.Errorf("black hole holds %d connections, want 1 still waiting", held)
	}
}
