package inbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
)

// The order key puts activities about one thing in one queue: an object's
// Create, Update, Like and their Undo and Announce share the object's id; a
// Follow, its answers and its Undo share the pair of actors.
func TestOrderKey(t *testing.T) {
	const note = `"https://a.example/notes/1"`
	follow := `{"type":"Follow","actor":"https://a.example/u/ana","object":"https://b.example/f/x"}`
	tests := []struct {
		name, body, want string
	}{
		{"create", `{"type":"Create","object":{"id":` + note + `}}`, "object https://a.example/notes/1"},
		{"like by reference", `{"type":"Like","object":` + note + `}`, "object https://a.example/notes/1"},
		{"undo of a like", `{"type":"Undo","object":{"type":"Like","object":` + note + `}}`, "object https://a.example/notes/1"},
		{"announce of a create", `{"type":"Announce","object":{"type":"Create","object":{"id":` + note + `}}}`, "object https://a.example/notes/1"},
		{"type as a list", `{"type":["Like"],"object":` + note + `}`, "object https://a.example/notes/1"},
		{"follow", follow, "follow https://a.example/u/ana https://b.example/f/x"},
		{"accept of a follow", `{"type":"Accept","object":` + follow + `}`, "follow https://a.example/u/ana https://b.example/f/x"},
		{"undo of a follow", `{"type":"Undo","object":` + follow + `}`, "follow https://a.example/u/ana https://b.example/f/x"},
		{"not JSON", `{"type":`, "item 01ITEM"},
		{"no object", `{"type":"Delete"}`, "item 01ITEM"},
	}
	for _, tt := range tests {
		if got := OrderKey(&Item{ID: "01ITEM", Body: []byte(tt.body)}); got != tt.want {
			t.Errorf("%s: OrderKey = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// addStore is a transaction of a database that keeps activity ids.
type addStore struct {
	seen map[string]bool
	fail error
}

func (s *addStore) AddInboxItem(_ context.Context, it *Item) error {
	if s.fail != nil {
		return s.fail
	}
	if s.seen[it.ActivityID] {
		return forum.ErrConflict
	}
	s.seen[it.ActivityID] = true
	return nil
}

// Every request hears about its own row: stored, a duplicate
// (ErrConflict), or the commit's failure; and requests arriving while a
// commit runs share the next one.
func TestCommitterGroupsRequests(t *testing.T) {
	st := &addStore{seen: map[string]bool{}}
	var mu sync.Mutex
	txs := 0
	gate := make(chan struct{})
	c := NewCommitter(func(ctx context.Context, fn func(ctx context.Context, tx AddStore) error) error {
		mu.Lock()
		txs++
		first := txs == 1
		mu.Unlock()
		if first {
			<-gate // the first commit runs while the others arrive
		}
		mu.Lock()
		defer mu.Unlock()
		return fn(ctx, st)
	})
	ctx := context.Background()
	const n = 20
	errs := make([]error, n+1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); errs[0] = c.Add(ctx, &Item{ActivityID: "a0"}) }()
	// Wait for the first commit to start, then send the rest (one a duplicate).
	for {
		mu.Lock()
		started := txs == 1
		mu.Unlock()
		if started {
			break
		}
		time.Sleep(time.Millisecond)
	}
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("a%d", i)
		if i == n {
			id = "a1"
		}
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = c.Add(ctx, &Item{ActivityID: id}) }()
	}
	time.Sleep(50 * time.Millisecond) // let them queue behind the first commit
	close(gate)
	wg.Wait()
	conflicts := 0
	for i, err := range errs {
		switch {
		case errors.Is(err, forum.ErrConflict):
			conflicts++
		case err != nil:
			t.Errorf("request %d: %v", i, err)
		}
	}
	if conflicts != 1 || len(st.seen) != n {
		t.Errorf("%d conflicts, %d stored; want 1 and %d", conflicts, len(st.seen), n)
	}
	if txs > 3 {
		t.Errorf("%d transactions for %d requests; want the waiting ones grouped", txs, n+1)
	}

	st.fail = errors.New("disk full")
	if err := c.Add(ctx, &Item{ActivityID: "b"}); err == nil || !errors.Is(err, st.fail) {
		t.Errorf("a failed commit answered %v; want its error", err)
	}
}

// claimStore hands out items once and records releases.
type claimStore struct {
	mu       sync.Mutex
	items    []*Item
	released []forum.ID
}

func (s *claimStore) ClaimInboxItems(_ context.Context, _ time.Time, _ time.Duration, limit int) ([]*Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := min(limit, len(s.items))
	out := s.items[:n]
	s.items = s.items[n:]
	return out, nil
}
func (s *claimStore) RenewInboxLeases(context.Context, []forum.ID, time.Time) error { return nil }
func (s *claimStore) ReleaseInboxItems(_ context.Context, ids []forum.ID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.released = append(s.released, ids...)
	return nil
}

// orderApplier leaves items of key "object slow" to be applied alone and
// records the order in which each key's items were applied.
type orderApplier struct {
	mu    sync.Mutex
	order map[string][]string
	done  chan struct{}
	left  int
}

func (a *orderApplier) record(key, id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.order[key] = append(a.order[key], id)
	if a.left--; a.left == 0 {
		close(a.done)
	}
}

func (a *orderApplier) ApplyBatch(_ context.Context, items []*Queued) Outcome {
	var out Outcome
	alone := map[string]bool{}
	for _, q := range items {
		if alone[q.Key] || q.Key == "object slow" {
			alone[q.Key] = true
			out.Alone = append(out.Alone, q)
			continue
		}
		a.record(q.Key, q.Item.ActivityID)
		out.Recorded = append(out.Recorded, q.Item)
	}
	return out
}

func (a *orderApplier) ApplyAlone(_ context.Context, it *Item) bool {
	a.record(OrderKey(it), it.ActivityID)
	return true
}

// Items of one key are applied in their order, whether in batches or
// alone, with SQLite's lanes and with PostgreSQL's more numerous ones;
// every claimed item is applied once; nothing is left held.
func TestWorkerKeepsEachKeysOrder(t *testing.T) {
	tests := []struct {
		name     string
		settings Settings
		keys     []string
		items    int
	}{
		{name: "2 lanes", settings: Settings{Workers: 16, Lanes: 2}, keys: []string{"a", "b", "slow"}, items: 60},
		{name: "concurrent writers' defaults", settings: Settings{}.ForConcurrentWriters(),
			keys: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "slow"}, items: 600},
		{name: "8 lanes, few held", settings: Settings{Workers: 8, Lanes: 8},
			keys: []string{"a", "b", "c", "d", "e", "slow"}, items: 120},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &claimStore{}
			var want = map[string][]string{}
			for i := range tt.items {
				key := tt.keys[i%len(tt.keys)]
				id := fmt.Sprintf("%s-%03d", key, i)
				body := fmt.Sprintf(`{"type":"Like","object":%q}`, key)
				st.items = append(st.items, &Item{ID: fmt.Sprintf("%03d", i), ActivityID: id, Body: []byte(body)})
				want["object "+key] = append(want["object "+key], id)
			}
			ap := &orderApplier{order: map[string][]string{}, done: make(chan struct{}), left: len(st.items)}
			w := NewWorker(Config{Settings: tt.settings, Store: st, Apply: ap, Poll: 10 * time.Millisecond,
				Clock: forum.SystemClock{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
			ctx, cancel := context.WithCancel(context.Background())
			stopped := make(chan struct{})
			go func() { w.Run(ctx); close(stopped) }()
			select {
			case <-ap.done:
			case <-time.After(10 * time.Second):
				t.Fatal("not every item was applied")
			}
			cancel()
			<-stopped
			for key, ids := range want {
				if fmt.Sprint(ap.order[key]) != fmt.Sprint(ids) {
					t.Errorf("%s applied in the order %v; want %v", key, ap.order[key], ids)
				}
			}
			if len(st.released) != 0 {
				t.Errorf("released %v after every item was applied", st.released)
			}
		})
	}
}

// The defaults for a database with concurrent writers (PostgreSQL) fill
// only what is unset.
func TestSettingsForConcurrentWriters(t *testing.T) {
	tests := []struct {
		name string
		in   Settings
		want Settings
	}{
		{name: "unset", in: Settings{}, want: Settings{Workers: DefaultWorkersConcurrent, Lanes: DefaultLanesConcurrent}},
		{name: "lanes set", in: Settings{Lanes: 3}, want: Settings{Workers: DefaultWorkersConcurrent, Lanes: 3}},
		{name: "all set", in: Settings{Workers: 10, Lanes: 1, Lease: time.Second}, want: Settings{Workers: 10, Lanes: 1, Lease: time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.ForConcurrentWriters(); got != tt.want {
				t.Errorf("ForConcurrentWriters(%+v) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}
