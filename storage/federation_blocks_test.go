package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/federation/blocks"
	"github.com/metropolis/agora/storage"
)

// movingClock moves only when told.
type movingClock struct{ now time.Time }

func (c *movingClock) Now() time.Time { return c.now }

// The node's block list on a real database: a block or unblock made
// through this process's store (alone, or inside a larger transaction) is
// seen at the very next question; one made by another process (a second
// DB on the same database, as the admin command or another server opens)
// within blocks.MaxAge of the list's last read, and meanwhile questions
// cost no statement.
func TestBlockListSeesLocalBlocksAtOnceAndOthersWithinMaxAge(t *testing.T) {
	eachDatabaseURL(t, func(t *testing.T, url string) {
		hook := &countingHook{}
		here := openURL(t, url, hook).Store()
		there := openURL(t, url).Store() // another process
		clock := &movingClock{now: t0}
		list := blocks.New(here, clock)
		block := func(s *storage.Store) func() {
			return func() {
				wantErr(t, "BlockDomain", s.BlockDomain(ctx(t), &federation.DomainBlock{Domain: "spam.example", CreatedAt: t0}), nil)
			}
		}
		unblock := func(s *storage.Store) func() {
			return func() { wantErr(t, "UnblockDomain", s.UnblockDomain(ctx(t), "spam.example"), nil) }
		}
		// inTx blocks inside a transaction that writes something else
		// too: what a moderation action would do.
		inTx := func() {
			wantErr(t, "FederationAtomic", here.FederationAtomic(ctx(t), func(ctx context.Context, tx federation.Store) error {
				st := tx.(*storage.Store)
				if err := st.SetCursor(ctx, "other", "x"); err != nil {
					return err
				}
				return st.BlockDomain(ctx, &federation.DomainBlock{Domain: "spam.example", Reason: "again", CreatedAt: t0})
			}), nil)
		}
		other := func() { wantErr(t, "SetCursor", here.SetCursor(ctx(t), "other", "y"), nil) }
		steps := []struct {
			name    string
			change  func()
			wait    time.Duration
			blocked bool
			free    bool // the questions ran no statement
		}{
			{"first question", nil, 0, false, false},
			{"then from memory", nil, 0, false, true},
			{"another write of this process does not make it read", other, 0, false, true},
			{"a block through this store: at once", block(here), 0, true, false},
			{"then from memory", nil, 0, true, true},
			{"an unblock through this store: at once", unblock(here), 0, false, false},
			{"a block in a larger transaction: at once", inTx, 0, true, false},
			{"an unblock through this store again", unblock(here), 0, false, false},
			{"a block by another process, within MaxAge: not read", block(there), blocks.MaxAge / 2, false, true},
			{"MaxAge after the last read: seen", nil, blocks.MaxAge / 2, true, false},
			{"then from memory", nil, 0, true, true},
			{"an unblock by another process: seen after MaxAge", unblock(there), blocks.MaxAge, false, false},
			{"from memory until MaxAge has passed again", nil, blocks.MaxAge - time.Millisecond, false, true},
		}
		for _, s := range steps {
			if s.change != nil {
				s.change()
			}
			clock.now = clock.now.Add(s.wait)
			var got bool
			var err error
			n := hook.statements(func() {
				for range 20 {
					got, err = list.Blocked(ctx(t), "a.spam.example:8443")
					if err != nil {
						return
					}
				}
			})
			wantErr(t, s.name, err, nil)
			if got != s.blocked {
				t.Errorf("%s: blocked %v, want %v", s.name, got, s.blocked)
			}
			if free := n == 0; free != s.free || n > 2 {
				t.Errorf("%s: 20 questions ran %d statements; want none: %v (at most the version and the list)", s.name, n, s.free)
			}
		}
	})
}
