package blocks

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"github.com/metropolis/agora/federation/stored"
)

// sharedStore is a database several processes write: a block is made by
// whoever, and moves the version, as storage does in the block's
// transaction.
type sharedStore struct {
	mu      sync.Mutex
	domains []string
	version int
	lists   int // how often the whole list was read
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
	return strconv.Itoa(s.version), nil
}

func (s *sharedStore) block(domain string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.domains = append(s.domains, domain)
	s.version++
}

func (s *sharedStore) unblockAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.domains = nil
	s.version++
}

// The list is read once while the stored version holds, however many
// questions (and however many other writes the node makes: they do not
// move this version); a block or unblock made by another process moves it,
// and the next question sees it.
func TestListFollowsTheStoredVersion(t *testing.T) {
	ctx := context.Background()
	st := &sharedStore{}
	l := New(st)
	steps := []struct {
		name      string
		change    func()
		host      string
		blocked   bool
		listReads int // total so far
	}{
		{"first question reads the list", nil, "spam.example", false, 1},
		{"same version: from memory", nil, "spam.example", false, 1},
		{"still from memory", nil, "social.example:8443", false, 1},
		{"a block by another process is seen at once", func() { st.block("spam.example") }, "a.spam.example", true, 2},
		{"and kept in memory", nil, "spam.example:443", true, 2},
		{"an unblock elsewhere is seen at once", st.unblockAll, "spam.example", false, 3},
	}
	for _, s := range steps {
		if s.change != nil {
			s.change()
		}
		got, err := l.Blocked(ctx, s.host)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got != s.blocked {
			t.Errorf("%s: Blocked(%q) = %v, want %v", s.name, s.host, got, s.blocked)
		}
		if st.lists != s.listReads {
			t.Errorf("%s: the list was read %d times, want %d", s.name, st.lists, s.listReads)
		}
	}
}
