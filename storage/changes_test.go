package storage_test

import (
	"context"
	"testing"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/storage/storetest"
)

// TestChangesCountsWrites: the write counter caches rely on moves on every
// write to a table a cache may hold, again when its transaction commits,
// and not for reads nor for queue rows alone.
func TestChangesCountsWrites(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			s, ch := db.Store(), db.Changes()
			ids := newIDs()
			v := ch.Version()
			moved := func(what string, want bool) {
				t.Helper()
				now := ch.Version()
				if got := now != v; got != want {
					t.Errorf("%s: counter moved = %v, want %v", what, got, want)
				}
				v = now
			}
			if _, err := s.DomainBlocked(ctx(t), "spam.example"); err != nil {
				t.Fatal(err)
			}
			moved("a read", false)
			it := &federation.InboxItem{ID: ids.New(), ActivityID: "https://social.example/activities/1",
				ActorURI: "https://social.example/users/ana", Body: []byte(`{}`), ReceivedAt: t0, NextAttemptAt: t0}
			wantErr(t, "AddInboxItem", s.AddInboxItem(ctx(t), it), nil)
			moved("an inbox row", false)
			err := s.FederationAtomic(ctx(t), func(ctx context.Context, tx federation.Store) error {
				if err := tx.SetCursor(ctx, "publisher", "x"); err != nil {
					return err
				}
				// Publishing marks an event: what caches hold is unchanged.
				return tx.MarkEventPublished(ctx, ids.New(), t0)
			})
			wantErr(t, "queue-only transaction", err, nil)
			moved("a transaction on queue tables only", false)
			wantErr(t, "BlockDomain", s.BlockDomain(ctx(t), &federation.DomainBlock{Domain: "spam.example", CreatedAt: t0}), nil)
			moved("a block", true)
			var inside uint64
			err = s.FederationAtomic(ctx(t), func(ctx context.Context, tx federation.Store) error {
				if err := tx.BlockDomain(ctx, &federation.DomainBlock{Domain: "spam2.example", CreatedAt: t0}); err != nil {
					return err
				}
				inside = ch.Version()
				return nil
			})
			wantErr(t, "transaction with a block", err, nil)
			if ch.Version() == inside {
				t.Error("the counter did not move when the transaction committed")
			}
		})
	}
}
