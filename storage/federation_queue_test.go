package storage_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

func inboxIDs(items []*federation.InboxItem) []forum.ID {
	out := []forum.ID{}
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

func TestInboxQueue(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		ids := newIDs()
		item := func(n int, due time.Time) *federation.InboxItem {
			return &federation.InboxItem{ID: ids.New(), ActivityID: fmt.Sprintf("https://social.example/activities/%d", n),
				ActorURI: "https://social.example/users/ana", Body: []byte(`{"type":"Create"}`),
				ReceivedAt: t0, NextAttemptAt: due}
		}
		i1, i2, i3, i4 := item(1, t0), item(2, t0), item(3, t0), item(4, t0.Add(time.Hour))
		for _, it := range []*federation.InboxItem{i1, i2, i3, i4} {
			wantErr(t, "AddInboxItem", s.AddInboxItem(ctx(t), it), nil)
		}
		// A duplicate activity is ErrConflict and leaves the caller's
		// transaction usable (PostgreSQL aborts a transaction on an error).
		err := s.FederationAtomic(ctx(t), func(ctx context.Context, tx federation.Store) error {
			dup := item(1, t0)
			wantErr(t, "AddInboxItem duplicate", tx.AddInboxItem(ctx, dup), forum.ErrConflict)
			return tx.(*storage.Store).SetCursor(ctx, "after-dup", "ok")
		})
		wantErr(t, "transaction after a duplicate", err, nil)
		if v, _ := s.Cursor(ctx(t), "after-dup"); v != "ok" {
			t.Errorf("cursor after duplicate = %q, want ok", v)
		}

		claim := func(at time.Time, limit int) []forum.ID {
			t.Helper()
			items, err := s.ClaimInboxItems(ctx(t), at, time.Minute, limit)
			wantErr(t, "ClaimInboxItems", err, nil)
			return inboxIDs(items)
		}
		same(t, "first claim", claim(t0, 2), []forum.ID{i1.ID, i2.ID})
		same(t, "second claim", claim(t0, 10), []forum.ID{i3.ID})
		same(t, "claimed items are leased", claim(t0.Add(30*time.Second), 10), []forum.ID{})
		same(t, "limit 0", claim(t0.Add(time.Hour), 0), []forum.ID{})

		wantErr(t, "FinishInboxItem", s.FinishInboxItem(ctx(t), i1.ID, t0.Add(10*time.Second)), nil)
		wantErr(t, "RetryInboxItem", s.RetryInboxItem(ctx(t), i2.ID, t0.Add(5*time.Minute), "timeout"), nil)
		wantErr(t, "FailInboxItem", s.FailInboxItem(ctx(t), i3.ID, t0.Add(10*time.Second), "bad signature"), nil)
		for _, err := range []error{
			s.FinishInboxItem(ctx(t), ids.New(), t0),
			s.RetryInboxItem(ctx(t), ids.New(), t0, ""),
			s.FailInboxItem(ctx(t), ids.New(), t0, ""),
		} {
			wantErr(t, "unknown inbox item", err, forum.ErrNotFound)
		}
		same(t, "nothing due", claim(t0.Add(2*time.Minute), 10), []forum.ID{})

		items, err := s.ClaimInboxItems(ctx(t), t0.Add(2*time.Hour), time.Minute, 10)
		wantErr(t, "ClaimInboxItems later", err, nil)
		same(t, "retried and late items, by next attempt", inboxIDs(items), []forum.ID{i2.ID, i4.ID})
		if it := items[0]; it.Attempts != 1 || it.LastError != "timeout" || !it.NextAttemptAt.Equal(t0.Add(5*time.Minute)) {
			t.Errorf("retried item = %+v", it)
		}
		same(t, "claimed item body", items[1], i4)
		// A worker that dies lets its lease expire: claimed again after.
		same(t, "still leased", claim(t0.Add(2*time.Hour+time.Minute), 10), []forum.ID{})
		same(t, "lease expired", claim(t0.Add(2*time.Hour+time.Minute+time.Second), 10), []forum.ID{i2.ID, i4.ID})

		pending, failed, err := s.CountInbox(ctx(t))
		if err != nil || pending != 2 || failed != 1 {
			t.Errorf("CountInbox = %d, %d, %v; want 2, 1", pending, failed, err)
		}
	})
}

// TestFinishInboxItems: a batch marks the items it applied done in one
// statement; the items are never claimed again, and an unknown item fails
// the statement (its transaction, the batch's, is then rolled back).
func TestFinishInboxItems(t *testing.T) {
	tests := []struct {
		name        string
		finish      []int // indexes of the stored items to finish
		unknown     bool  // plus an item that is not stored
		wantErr     error
		wantClaimed []int // what a later claim takes
	}{
		{name: "none", finish: nil, wantClaimed: []int{0, 1, 2}},
		{name: "two of three", finish: []int{0, 2}, wantClaimed: []int{1}},
		{name: "all", finish: []int{0, 1, 2}, wantClaimed: []int{}},
		{name: "one unknown: nothing finished", finish: []int{0, 1}, unknown: true, wantErr: forum.ErrNotFound, wantClaimed: []int{0, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachBackend(t, func(t *testing.T, s *storage.Store) {
				ids := newIDs()
				var items []*federation.InboxItem
				for n := range 3 {
					it := &federation.InboxItem{ID: ids.New(), ActivityID: fmt.Sprintf("https://social.example/activities/%d", n),
						ActorURI: "https://social.example/users/ana", Body: []byte(`{"type":"Create"}`), ReceivedAt: t0, NextAttemptAt: t0}
					wantErr(t, "AddInboxItem", s.AddInboxItem(ctx(t), it), nil)
					items = append(items, it)
				}
				claimed, err := s.ClaimInboxItems(ctx(t), t0, time.Minute, 10)
				wantErr(t, "ClaimInboxItems", err, nil)
				same(t, "claimed", len(claimed), 3)
				var finish []forum.ID
				for _, i := range tt.finish {
					finish = append(finish, items[i].ID)
				}
				if tt.unknown {
					finish = append(finish, ids.New())
				}
				// As a batch does: in its transaction, which the error rolls back.
				err = s.FederationAtomic(ctx(t), func(ctx context.Context, tx federation.Store) error {
					return tx.(*storage.Store).FinishInboxItems(ctx, finish, t0.Add(time.Second))
				})
				wantErr(t, "FinishInboxItems", err, tt.wantErr)
				// Past the lease: what was not finished is claimed again.
				later, err := s.ClaimInboxItems(ctx(t), t0.Add(2*time.Minute), time.Minute, 10)
				wantErr(t, "ClaimInboxItems later", err, nil)
				want := []forum.ID{}
				for _, i := range tt.wantClaimed {
					want = append(want, items[i].ID)
				}
				same(t, "claimed later", inboxIDs(later), want)
			})
		})
	}
}

// queue builds an outbox activity and deliveries to it.
type queue struct {
	ids      *forum.ULIDs
	activity *federation.OutboxActivity
}

func newQueue(t *testing.T, s *storage.Store) *queue {
	t.Helper()
	q := &queue{ids: newIDs()}
	q.activity = &federation.OutboxActivity{ID: q.ids.New(), URI: "https://node.example/activities/1",
		ActorURI: "https://node.example/forums/digital", Type: "Create", Body: []byte(`{}`), Public: true, CreatedAt: t0}
	wantErr(t, "AddOutboxActivity", s.AddOutboxActivity(ctx(t), q.activity), nil)
	return q
}

func (q *queue) delivery(host, user string, due time.Time) *federation.Delivery {
	return &federation.Delivery{ID: q.ids.New(), ActivityID: q.activity.ID, Inbox: "https://" + host + "/users/" + user + "/inbox",
		Host: host, State: federation.DeliveryPending, NextAttemptAt: due, CreatedAt: t0}
}

func deliveryIDs(ds []*federation.Delivery) []forum.ID {
	out := []forum.ID{}
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

func TestDeliveryQueue(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		q := newQueue(t, s)
		a1, b1, a2, a3 := q.delivery("a.example", "1", t0), q.delivery("b.example", "1", t0),
			q.delivery("a.example", "2", t0), q.delivery("a.example", "3", t0)
		b2, a4, c1 := q.delivery("b.example", "2", t0), q.delivery("a.example", "4", t0), q.delivery("c.example", "1", t0.Add(time.Hour))
		all := []*federation.Delivery{a1, b1, a2, a3, b2, a4, c1}
		wantErr(t, "AddDeliveries", s.AddDeliveries(ctx(t), all), nil)
		orphan := q.delivery("a.example", "9", t0)
		orphan.ActivityID = q.ids.New()
		wantErr(t, "AddDeliveries unknown activity", s.AddDeliveries(ctx(t), []*federation.Delivery{orphan}), forum.ErrNotFound)

		claim := func(at time.Time, limit, perHost int) []*federation.Delivery {
			t.Helper()
			ds, err := s.ClaimDeliveries(ctx(t), at, time.Minute, limit, perHost)
			wantErr(t, "ClaimDeliveries", err, nil)
			return ds
		}
		got := claim(t0, 10, 2)
		same(t, "first claim: two per host, oldest first", deliveryIDs(got), []forum.ID{a1.ID, b1.ID, a2.ID, b2.ID})
		want := *a1
		want.LeaseUntil = ptr(t0.Add(time.Minute))
		same(t, "claimed delivery", got[0], &want)
		same(t, "hosts full, c not due", deliveryIDs(claim(t0, 10, 2)), []forum.ID{})

		a1.State, a1.Attempts, a1.LastStatus, a1.FinishedAt = federation.DeliveryDone, 1, 202, ptr(t0.Add(5*time.Second))
		wantErr(t, "FinishDelivery", s.FinishDelivery(ctx(t), a1), nil)
		same(t, "a has room for one", deliveryIDs(claim(t0.Add(10*time.Second), 10, 2)), []forum.ID{a3.ID})

		b1.Attempts, b1.NextAttemptAt, b1.LastStatus, b1.LastError = 1, t0.Add(30*time.Second), 503, "unavailable"
		wantErr(t, "RetryDelivery", s.RetryDelivery(ctx(t), b1), nil)
		same(t, "b1 not due yet, a full", deliveryIDs(claim(t0.Add(20*time.Second), 10, 2)), []forum.ID{})

		// Every lease has expired: claim again, limit 3.
		got = claim(t0.Add(2*time.Minute), 3, 2)
		same(t, "after leases expire", deliveryIDs(got), []forum.ID{b1.ID, a2.ID, a3.ID})
		if got[0].Attempts != 1 || got[0].LastStatus != 503 || got[0].LastError != "unavailable" {
			t.Errorf("retried delivery = %+v", got[0])
		}
		same(t, "no per-host limit", deliveryIDs(claim(t0.Add(2*time.Minute), 10, 0)), []forum.ID{b2.ID, a4.ID})

		bad := *b2
		bad.State = federation.DeliveryPending
		if err := s.FinishDelivery(ctx(t), &bad); err == nil {
			t.Error("FinishDelivery with state pending: no error")
		}
		wantErr(t, "FinishDelivery unknown", s.FinishDelivery(ctx(t), &federation.Delivery{ID: q.ids.New(),
			State: federation.DeliveryDone}), forum.ErrNotFound)
		wantErr(t, "RetryDelivery unknown", s.RetryDelivery(ctx(t), &federation.Delivery{ID: q.ids.New()}), forum.ErrNotFound)
		b2.State, b2.Attempts, b2.LastStatus, b2.LastError, b2.FinishedAt = federation.DeliveryFailed, 1, 410, "gone", ptr(t0)
		wantErr(t, "FinishDelivery failed", s.FinishDelivery(ctx(t), b2), nil)

		st, err := s.DeliveryStats(ctx(t))
		wantErr(t, "DeliveryStats", err, nil)
		same(t, "DeliveryStats", st, federation.DeliveryStats{Pending: 5, Done: 1, Failed: 1, OldestPending: ptr(t0)})

		// Blocking a.example drops its pending deliveries, leased or not.
		n, err := s.DropHostDeliveries(ctx(t), "a.example", t0.Add(3*time.Minute))
		if err != nil || n != 3 {
			t.Errorf("DropHostDeliveries = %d, %v; want 3", n, err)
		}
		n, _ = s.DropHostDeliveries(ctx(t), "a.example", t0.Add(3*time.Minute))
		if n != 0 {
			t.Errorf("DropHostDeliveries again = %d, want 0", n)
		}
		st, _ = s.DeliveryStats(ctx(t))
		same(t, "DeliveryStats after drop", st, federation.DeliveryStats{Pending: 2, Done: 1, Failed: 1, Dropped: 3, OldestPending: ptr(t0)})
		same(t, "only b1 and c1 left", deliveryIDs(claim(t0.Add(2*time.Hour), 10, 2)), []forum.ID{b1.ID, c1.ID})
	})
}

func TestDeliveryStatsEmpty(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		st, err := s.DeliveryStats(ctx(t))
		wantErr(t, "DeliveryStats", err, nil)
		same(t, "empty queue", st, federation.DeliveryStats{})
	})
}

// TestAddDeliveriesBulk queues one activity to 10,000 inboxes, then 10,000
// more of which half are already queued (and some repeat within the call).
func TestAddDeliveriesBulk(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		q := newQueue(t, s)
		batch := func(from, to int) []*federation.Delivery {
			ds := make([]*federation.Delivery, 0, to-from)
			for i := from; i < to; i++ {
				ds = append(ds, q.delivery(fmt.Sprintf("h%03d.example", i%100), fmt.Sprint(i), t0))
			}
			return ds
		}
		start := time.Now()
		wantErr(t, "AddDeliveries 10,000", s.AddDeliveries(ctx(t), batch(0, 10000)), nil)
		took := time.Since(start)
		more := append(batch(5000, 15000), batch(14990, 15000)...)
		wantErr(t, "AddDeliveries with duplicates", s.AddDeliveries(ctx(t), more), nil)
		t.Logf("10,000 deliveries in %v", took)
		if took > 20*time.Second {
			t.Errorf("AddDeliveries of 10,000 rows took %v", took)
		}
		st, err := s.DeliveryStats(ctx(t))
		wantErr(t, "DeliveryStats", err, nil)
		if st.Pending != 15000 {
			t.Errorf("pending = %d, want 15,000 (duplicates skipped)", st.Pending)
		}
		ds, err := s.ClaimDeliveries(ctx(t), t0, time.Minute, 500, 3)
		wantErr(t, "ClaimDeliveries", err, nil)
		if len(ds) != 300 {
			t.Errorf("claimed %d, want 300 (100 hosts × 3)", len(ds))
		}
	})
}

// TestClaimDeliveriesConcurrently lets two claimers (two connections) take
// 100 deliveries in small batches: each delivery is claimed exactly once,
// and a per-host limit holds across both.
func TestClaimDeliveriesConcurrently(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		q := newQueue(t, s)
		var ds []*federation.Delivery
		for i := range 100 {
			ds = append(ds, q.delivery(fmt.Sprintf("h%d.example", i%10), fmt.Sprint(i), t0))
		}
		wantErr(t, "AddDeliveries", s.AddDeliveries(ctx(t), ds), nil)

		var wg sync.WaitGroup
		claimed := make([][]forum.ID, 2)
		errs := make([]error, 2)
		for w := range 2 {
			wg.Go(func() {
				for {
					got, err := s.ClaimDeliveries(context.Background(), t0, time.Hour, 7, 100)
					if err != nil {
						errs[w] = err
						return
					}
					if len(got) == 0 {
						return
					}
					claimed[w] = append(claimed[w], deliveryIDs(got)...)
				}
			})
		}
		wg.Wait()
		seen := map[forum.ID]int{}
		for w := range 2 {
			wantErr(t, fmt.Sprintf("claimer %d", w), errs[w], nil)
			for _, id := range claimed[w] {
				seen[id]++
			}
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("delivery %s claimed %d times", id, n)
			}
		}
		if len(seen) != 100 {
			t.Errorf("%d deliveries claimed (%d + %d), want 100", len(seen), len(claimed[0]), len(claimed[1]))
		}

		// Both at once with perHost 3 on fresh leases: at most 3 per host.
		later := t0.Add(2 * time.Hour)
		byHost := map[string]int{}
		var mu sync.Mutex
		for range 2 {
			wg.Go(func() {
				got, err := s.ClaimDeliveries(context.Background(), later, time.Minute, 25, 3)
				if err != nil {
					t.Errorf("ClaimDeliveries: %v", err)
				}
				mu.Lock()
				defer mu.Unlock()
				for _, d := range got {
					byHost[d.Host]++
				}
			})
		}
		wg.Wait()
		total := 0
		hosts := make([]string, 0, len(byHost))
		for h, n := range byHost {
			total += n
			hosts = append(hosts, h)
			if n > 3 {
				t.Errorf("host %s: %d in flight, want at most 3", h, n)
			}
		}
		sort.Strings(hosts)
		if total != 30 {
			t.Errorf("claimed %d across hosts %v, want 30 (10 hosts × 3)", total, hosts)
		}
	})
}
