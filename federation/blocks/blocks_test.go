package blocks

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/metropolis/agora/federation/stored"
)

// sharedStore is a database several processes write: a block is made by
// whoever, and moves the version, as storage does in the block's
// transaction; one made by this process (local) moves the counter
// DomainBlocksMoves too, as storage does at its COMMIT.
type sharedStore struct {
	mu       sync.Mutex
	domains  []string
	version  int
	moves    uint64
	lists    int // how often the whole list was read
	versions int // how often the version was read
}

func (s *sharedStore) ListDomainBlocks(context.Context) ([]*stored.DomainBlock, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists++
	var out []*stored.DomainBlock
	for _, d := range s.domains {
		out = append(out, &stored.DomainBlock{Domain: d})
	}
	return out, nil
}

func (s *sharedStore) DomainBlocksVersion(context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.versions++
	return strconv.Itoa(s.version), nil
}

func (s *sharedStore) DomainBlocksMoves() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.moves
}

// block blocks domain, by this process (local) or another one.
func (s *sharedStore) block(domain string, local bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.domains = append(s.domains, domain)
	s.version++
	if local {
		s.moves += 2 // before and after the COMMIT
	}
}

// unblockAll lifts every block, by this process (local) or another one.
func (s *sharedStore) unblockAll(local bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.domains = nil
	s.version++
	if local {
		s.moves += 2
	}
}

// clock moves only when told.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// A question costs no read while this process changed no block and the
// version was read less than MaxAge ago, however many questions (and
// however many other writes the node makes: they move neither): N
// questions within MaxAge read the version once. A block or unblock made
// by this process is seen at the next question; one made by another
// process within MaxAge of its commit. The list itself is read only when
// the version moved.
func TestListFollowsTheStoredVersion(t *testing.T) {
	ctx := context.Background()
	st := &sharedStore{}
	c := &clock{now: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)}
	l := New(st, c)
	steps := []struct {
		name string
		// change is made, then the clock moves by wait, then Blocked
		// is asked asks times.
		change       func()
		wait         time.Duration
		asks         int
		host         string
		blocked      bool
		versionReads int // total so far
		listReads    int // total so far
	}{
		{"first question reads the version and the list", nil, 0, 1, "spam.example", false, 1, 1},
		{"100 questions within MaxAge: from memory", nil, 0, 100, "spam.example", false, 1, 1},
		{"still within MaxAge", nil, MaxAge - time.Millisecond, 100, "social.example:8443", false, 1, 1},
		{"MaxAge after the read: the version is read again, the list is not", nil, time.Millisecond, 1, "spam.example", false, 2, 1},
		{"1000 more within MaxAge: from memory", nil, MaxAge / 2, 1000, "spam.example", false, 2, 1},
		{"a block by this process is seen at once", func() { st.block("spam.example", true) }, 0, 1, "a.spam.example", true, 3, 2},
		{"and kept in memory", nil, 0, 100, "spam.example:443", true, 3, 2},
		{"an unblock by this process is seen at once", func() { st.unblockAll(true) }, 0, 1, "spam.example", false, 4, 3},
		{"a block by another process, within MaxAge of the last read: not seen yet", func() { st.block("spam.example", false) },
			MaxAge / 2, 100, "spam.example", false, 4, 3},
		{"MaxAge after the last read: seen", nil, MaxAge / 2, 1, "spam.example", true, 5, 4},
		{"and kept in memory", nil, 0, 100, "x.spam.example", true, 5, 4},
		{"an unblock by another process: seen MaxAge after the last read", func() { st.unblockAll(false) },
			MaxAge, 1, "spam.example", false, 6, 5},
		{"a clock gone back reads the version again", nil, -time.Minute, 1, "spam.example", false, 7, 5},
	}
	for _, s := range steps {
		if s.change != nil {
			s.change()
		}
		c.now = c.now.Add(s.wait)
		for range s.asks {
			got, err := l.Blocked(ctx, s.host)
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if got != s.blocked {
				t.Fatalf("%s: Blocked(%q) = %v, want %v", s.name, s.host, got, s.blocked)
			}
		}
		if st.versions != s.versionReads || st.lists != s.listReads {
			t.Errorf("%s: the version was read %d times and the list %d, want %d and %d",
				s.name, st.versions, st.lists, s.versionReads, s.listReads)
		}
	}
}

// Questions asked at once when the version must be read again read it
// once: the others wait for the one reading and use what it read.
func TestListReadsTheVersionOnceForConcurrentQuestions(t *testing.T) {
	ctx := context.Background()
	st := &sharedStore{}
	l := New(st, &clock{now: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)})
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := l.Blocked(ctx, "spam.example"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if st.versions != 1 || st.lists != 1 {
		t.Errorf("50 questions at once read the version %d times and the list %d, want 1 and 1", st.versions, st.lists)
	}
}
