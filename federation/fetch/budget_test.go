package fetch

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

// TestBudget: WithBudget(ctx, 2) allows two requests; the third fails with
// ErrBudgetExhausted without reaching the network.
func TestBudget(t *testing.T) {
	srv, hits := chainServer(t)
	c, _ := newTestClient(t, testConfig())
	ctx := WithBudget(context.Background(), 2)
	for range 2 {
		if _, err := c.GetObject(ctx, srv.URL+"/hop/0"); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.GetObject(ctx, srv.URL+"/hop/0")
	mustErrorIs(t, err, ErrBudgetExhausted)
	_, err = c.Post(ctx, srv.URL+"/hop/0", "application/activity+json", []byte("{}"))
	mustErrorIs(t, err, ErrBudgetExhausted)
	if hits.Load() != 2 {
		t.Errorf("server saw %d requests, want 2", hits.Load())
	}
	// Without a budget there is no limit.
	if _, err := c.GetObject(context.Background(), srv.URL+"/hop/0"); err != nil {
		t.Fatal(err)
	}
}

// TestBudgetCountsRedirects: each redirect hop spends one request.
func TestBudgetCountsRedirects(t *testing.T) {
	srv, hits := chainServer(t)
	c, _ := newTestClient(t, testConfig())
	if _, err := c.GetObject(WithBudget(context.Background(), 3), srv.URL+"/hop/2"); err != nil {
		t.Fatal(err)
	}
	hits.Store(0)
	_, err := c.GetObject(WithBudget(context.Background(), 2), srv.URL+"/hop/2")
	mustErrorIs(t, err, ErrBudgetExhausted)
	if hits.Load() != 2 {
		t.Errorf("server saw %d requests, want 2", hits.Load())
	}
}

// TestBudgetNested: an inner budget only narrows the outer one.
func TestBudgetNested(t *testing.T) {
	outer := WithBudget(context.Background(), 1)
	inner := WithBudget(outer, 5)
	if err := spend(inner); err != nil {
		t.Fatal(err)
	}
	mustErrorIs(t, spend(inner), ErrBudgetExhausted)
	mustErrorIs(t, spend(outer), ErrBudgetExhausted)
	mustErrorIs(t, spend(WithBudget(context.Background(), 0)), ErrBudgetExhausted)
}

// TestBudgetConcurrent: the budget is shared by goroutines.
func TestBudgetConcurrent(t *testing.T) {
	ctx := WithBudget(context.Background(), 10)
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if spend(ctx) == nil {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 10 {
		t.Errorf("%d requests allowed, want 10", ok.Load())
	}
}
