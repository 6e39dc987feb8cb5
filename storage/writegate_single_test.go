package storage_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

// On SQLite a statement that writes outside a transaction waits for this
// process's write transaction at the write gate, not in SQLite's busy
// handler: with a busy timeout shorter than the transaction, each case's
// single-statement write still succeeds once the transaction commits
// (without the gate it failed with the database busy).
func TestSingleWritesWaitAtTheWriteGate(t *testing.T) {
	tests := []struct {
		name string
		// write writes ev (stored) or a copy of it with id.
		write func(ctx context.Context, s *storage.Store, ev *forum.Event, id forum.ID) error
	}{
		{"update", func(ctx context.Context, s *storage.Store, ev *forum.Event, _ forum.ID) error {
			return s.MarkEventPublished(ctx, ev.ID, t0)
		}},
		{"insert", func(ctx context.Context, s *storage.Store, ev *forum.Event, id forum.ID) error {
			e := *ev
			e.ID = id
			return s.AppendEvent(ctx, &e)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "forum.db")
			db, err := storage.Open(ctx(t), storage.Options{DatabaseURL: "sqlite://" + path + "?_pragma=busy_timeout(50)"})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			if err := db.Migrate(ctx(t)); err != nil {
				t.Fatal(err)
			}
			s := db.Store()
			f := newFixture(t, s)
			ev := &forum.Event{ID: f.ids.New(), Kind: forum.EventPostCreated, ActorID: f.member.ID, ForumID: f.forum.ID, CreatedAt: t0}
			if err := s.AppendEvent(ctx(t), ev); err != nil {
				t.Fatal(err)
			}
			fresh, bea := f.ids.New(), f.ids.New()
			inTx := make(chan struct{})
			txDone := make(chan error, 1)
			go func() {
				txDone <- s.Atomic(ctx(t), func(ctx context.Context, tx forum.Store) error {
					// A write first, so the transaction holds SQLite's lock.
					if err := tx.CreateMember(ctx, &forum.Member{ID: bea, Username: "bea", DisplayName: "bea",
						Role: forum.RoleMember, CreatedAt: t0}); err != nil {
						return err
					}
					close(inTx)
					time.Sleep(400 * time.Millisecond) // well beyond the 50 ms busy timeout
					return nil
				})
			}()
			<-inTx
			if err := tt.write(ctx(t), s, ev, fresh); err != nil {
				t.Errorf("a single write while a transaction holds the lock: %v", err)
			}
			if err := <-txDone; err != nil {
				t.Fatalf("transaction: %v", err)
			}
		})
	}
}
