package storage_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/metropolis/agora/storage"
)

func TestLeases(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		t0 := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
		const ttl = 15 * time.Second
		steps := []struct {
			name   string
			holder string
			at     time.Time
			want   bool
		}{
			{"free lease taken", "a", t0, true},
			{"held by another", "b", t0.Add(time.Second), false},
			{"renewed by its holder", "a", t0.Add(10 * time.Second), true},
			{"still held after the first expiry (renewed)", "b", t0.Add(20 * time.Second), false},
			{"expired lease taken over", "b", t0.Add(26 * time.Second), true},
			{"old holder refused", "a", t0.Add(27 * time.Second), false},
		}
		for _, st := range steps {
			got, err := s.TryLease(ctx(t), "publisher", st.holder, st.at, ttl)
			if err != nil || got != st.want {
				t.Fatalf("%s: TryLease(%s) = %v, %v; want %v", st.name, st.holder, got, err, st.want)
			}
		}
		// Releasing by a non-holder changes nothing; by the holder frees it.
		wantErr(t, "ReleaseLease by a", s.ReleaseLease(ctx(t), "publisher", "a"), nil)
		if got, _ := s.TryLease(ctx(t), "publisher", "c", t0.Add(28*time.Second), ttl); got {
			t.Fatal("lease taken after a release by a non-holder")
		}
		wantErr(t, "ReleaseLease by b", s.ReleaseLease(ctx(t), "publisher", "b"), nil)
		if got, err := s.TryLease(ctx(t), "publisher", "c", t0.Add(28*time.Second), ttl); !got || err != nil {
			t.Fatalf("lease after release = %v, %v; want taken", got, err)
		}
		// Other names are independent.
		if got, err := s.TryLease(ctx(t), "other", "a", t0, ttl); !got || err != nil {
			t.Fatalf("another lease = %v, %v; want taken", got, err)
		}
	})
}

// TestLeaseContention: many holders race for a free lease; exactly one
// gets it.
func TestLeaseContention(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		now := time.Now()
		var won atomic.Int32
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := s.TryLease(ctx(t), "race", string(rune('a'+i)), now, time.Minute)
				if err != nil {
					t.Errorf("TryLease: %v", err)
				}
				if got {
					won.Add(1)
				}
			}()
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Errorf("%d holders got the lease, want 1", won.Load())
		}
	})
}
