package fetch

import (
	"context"
	"sync/atomic"
)

type budgetKey struct{}

type budget struct {
	left   atomic.Int64
	parent *budget
}

// WithBudget returns a context that allows at most n requests (each redirect
// hop counts as one) through any Client; the next one fails with
// ErrBudgetExhausted before any network I/O. The budget is shared by every
// goroutine using the context. Budgets nest: a budget set inside another
// can only narrow it, every request spends from both.
func WithBudget(ctx context.Context, n int) context.Context {
	b := &budget{}
	b.left.Store(int64(n))
	b.parent, _ = ctx.Value(budgetKey{}).(*budget)
	return context.WithValue(ctx, budgetKey{}, b)
}

// spend takes one request from every budget on ctx.
func spend(ctx context.Context) error {
	b, _ := ctx.Value(budgetKey{}).(*budget)
	var err error
	for ; b != nil; b = b.parent {
		if b.left.Add(-1) < 0 {
			err = ErrBudgetExhausted
		}
	}
	return err
}

// WithoutFetches returns a context in which every request through a
// Client fails with ErrBudgetExhausted before any network I/O, and a
// function that reports whether a request was tried. The received side
// applies a batch of activities in one write transaction this way: an
// activity that needs a fetch is rolled back and applied alone, so no
// transaction waits on the network.
func WithoutFetches(ctx context.Context) (context.Context, func() bool) {
	b := &budget{}
	b.parent, _ = ctx.Value(budgetKey{}).(*budget)
	return context.WithValue(ctx, budgetKey{}, b), func() bool { return b.left.Load() < 0 }
}
