package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
	"github.com/metropolis/agora/storage/storetest"
)

// On SQLite a process's write transactions queue in Go rather than in
// SQLite's busy handler: concurrent writers all commit, and one waiting
// for its turn gives up when its context ends.
func TestSQLiteWritersQueue(t *testing.T) {
	var s *storage.Store
	for _, b := range storetest.Backends(t) {
		if b.Name == "sqlite" {
			s = b.Open(t).Store()
		}
	}
	ids := newIDs()
	var mu sync.Mutex
	newID := func() forum.ID { mu.Lock(); defer mu.Unlock(); return ids.New() }

	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Go(func() {
			errs <- s.Atomic(ctx(t), func(ctx context.Context, tx forum.Store) error {
				return tx.CreateMember(ctx, &forum.Member{ID: newID(), Username: fmt.Sprintf("m%02d", i), Role: forum.RoleMember,
					Languages: []string{"en"}, CreatedAt: t0})
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent write: %v", err)
		}
	}
	if n, err := s.CountLocalMembers(ctx(t)); err != nil || n != 40 {
		t.Errorf("CountLocalMembers = %d, %v; want 40", n, err)
	}

	// A writer holds the gate; another, whose context ends while it
	// waits, returns the context's error.
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.Atomic(ctx(t), func(ctx context.Context, tx forum.Store) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	waitCtx, cancel := context.WithTimeout(ctx(t), 100*time.Millisecond)
	defer cancel()
	err := s.Atomic(waitCtx, func(ctx context.Context, tx forum.Store) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting writer whose context ended: %v, want context.DeadlineExceeded", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Errorf("holding writer: %v", err)
	}
}
