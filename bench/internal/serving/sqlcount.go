package serving

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/uptrace/bun"
)

// SQLCounter is a bun query hook (storage.Options.QueryHooks) counting the
// statements and transactions the node runs while it is on. Statements
// the benchmark itself runs carry Quiet on their context and are not
// counted.
type SQLCounter struct {
	on                  atomic.Bool
	stmts, txs, commits atomic.Int64
	rollbacks, errs     atomic.Int64
	mu                  sync.Mutex
	kinds               map[string]int64
}

// NewSQLCounter makes a counter, off until Start.
func NewSQLCounter() *SQLCounter { return &SQLCounter{kinds: map[string]int64{}} }

type quietKey struct{}

// Quiet marks ctx as the benchmark's own: its statements are not counted.
func Quiet(ctx context.Context) context.Context { return context.WithValue(ctx, quietKey{}, true) }

// Start clears the counts and starts counting.
func (c *SQLCounter) Start() {
	c.mu.Lock()
	c.kinds = map[string]int64{}
	c.mu.Unlock()
	c.stmts.Store(0)
	c.txs.Store(0)
	c.commits.Store(0)
	c.rollbacks.Store(0)
	c.errs.Store(0)
	c.on.Store(true)
}

// Stop stops counting.
func (c *SQLCounter) Stop() { c.on.Store(false) }

// BeforeQuery implements bun.QueryHook.
func (c *SQLCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

// AfterQuery implements bun.QueryHook.
func (c *SQLCounter) AfterQuery(ctx context.Context, e *bun.QueryEvent) {
	if !c.on.Load() || ctx.Value(quietKey{}) != nil {
		return
	}
	q := strings.TrimSpace(e.Query)
	op, _, _ := strings.Cut(q, " ")
	op = strings.ToUpper(op)
	switch op {
	case "BEGIN":
		c.txs.Add(1)
		return
	case "COMMIT":
		c.commits.Add(1)
		return
	case "ROLLBACK":
		c.rollbacks.Add(1)
		return
	}
	c.stmts.Add(1)
	if e.Err != nil && !errors.Is(e.Err, sql.ErrNoRows) {
		c.errs.Add(1)
	}
	// bun calls raw queries SELECTs: name them by their text.
	kind := op
	if _, raw := e.IQuery.(*bun.RawQuery); e.IQuery != nil && !raw {
		kind += " " + strings.Trim(e.IQuery.GetTableName(), "\"`")
	} else {
		kind = q[:min(len(q), 60)]
	}
	c.mu.Lock()
	c.kinds[kind]++
	c.mu.Unlock()
}

// SQLCounts is what a counter counted.
type SQLCounts struct {
	Statements, Transactions, Commits, Rollbacks, Errors int64
	Kinds                                                []KindCount // most frequent first
}

// KindCount is how many statements of one kind (operation and table) ran.
type KindCount struct {
	Kind string
	N    int64
}

// Counts returns the counts so far.
func (c *SQLCounter) Counts() SQLCounts {
	out := SQLCounts{Statements: c.stmts.Load(), Transactions: c.txs.Load(), Commits: c.commits.Load(),
		Rollbacks: c.rollbacks.Load(), Errors: c.errs.Load()}
	c.mu.Lock()
	for k, n := range c.kinds {
		out.Kinds = append(out.Kinds, KindCount{k, n})
	}
	c.mu.Unlock()
	slices.SortFunc(out.Kinds, func(a, b KindCount) int { return cmp.Or(cmp.Compare(b.N, a.N), strings.Compare(a.Kind, b.Kind)) })
	return out
}

// Print prints the counts per item, the top kinds first.
func (s SQLCounts) Print(items int, top int) {
	if items <= 0 {
		return
	}
	per := func(n int64) float64 { return float64(n) / float64(items) }
	fmt.Printf("  SQL over %d items: %.2f statements/item (%d errors besides no rows), %.2f transactions/item (%d commits, %d rollbacks)\n",
		items, per(s.Statements), s.Errors, per(s.Transactions), s.Commits, s.Rollbacks)
	for i, k := range s.Kinds {
		if i == top {
			break
		}
		fmt.Printf("    %6.2f/item  %s\n", per(k.N), k.Kind)
	}
}
