package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

func TestAtomic(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		ids := newIDs()
		boom := errors.New("boom")
		member := func(name string) *forum.Member {
			return &forum.Member{ID: ids.New(), Username: name, Role: forum.RoleMember, Languages: []string{"en"}, CreatedAt: t0}
		}
		ana, bea, cid := member("ana"), member("bea"), member("cid")

		// An error rolls back every write, nested Atomic calls included,
		// and comes back unchanged.
		err := s.Atomic(ctx(t), func(ctx context.Context, tx forum.Store) error {
			if err := tx.CreateMember(ctx, ana); err != nil {
				return err
			}
			if err := tx.Atomic(ctx, func(ctx context.Context, tx forum.Store) error {
				return tx.CreateMember(ctx, bea)
			}); err != nil {
				return err
			}
			if _, err := tx.MemberByID(ctx, bea.ID); err != nil {
				return err // the transaction sees its own writes
			}
			return boom
		})
		if err != boom {
			t.Fatalf("Atomic = %v, want the function's error itself", err)
		}
		for _, m := range []*forum.Member{ana, bea} {
			_, err := s.MemberByID(ctx(t), m.ID)
			wantErr(t, "member after rollback", err, forum.ErrNotFound)
		}
		if n, _ := s.CountLocalMembers(ctx(t)); n != 0 {
			t.Errorf("%d members after rollback", n)
		}

		// A domain error from a store call inside also rolls back.
		err = s.Atomic(ctx(t), func(ctx context.Context, tx forum.Store) error {
			if err := tx.CreateMember(ctx, cid); err != nil {
				return err
			}
			dup := *cid
			dup.ID = ids.New()
			return tx.CreateMember(ctx, &dup)
		})
		wantErr(t, "Atomic with conflict", err, forum.ErrConflict)
		_, err = s.MemberByID(ctx(t), cid.ID)
		wantErr(t, "member after conflict", err, forum.ErrNotFound)

		// Success commits everything.
		err = s.Atomic(ctx(t), func(ctx context.Context, tx forum.Store) error {
			if err := tx.Ping(ctx); err != nil {
				return err
			}
			if err := tx.CreateMember(ctx, ana); err != nil {
				return err
			}
			return tx.CreateMember(ctx, bea)
		})
		wantErr(t, "Atomic", err, nil)
		if n, _ := s.CountLocalMembers(ctx(t)); n != 2 {
			t.Errorf("%d members after commit, want 2", n)
		}
	})
}

// TestSingleUseRace lets several goroutines race for one invitation and one
// login token: exactly one wins each.
func TestSingleUseRace(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		inv := &forum.Invitation{ID: f.ids.New(), TokenHash: "inv", Role: forum.RoleMember,
			CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		wantErr(t, "CreateInvitation", s.CreateInvitation(ctx(t), inv), nil)
		tok := &forum.LoginToken{TokenHash: "tok", MemberID: f.member.ID, Purpose: forum.PurposeSetPassword,
			CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		wantErr(t, "CreateLoginToken", s.CreateLoginToken(ctx(t), tok), nil)

		const racers = 6
		var wg sync.WaitGroup
		invErrs := make([]error, racers)
		tokErrs := make([]error, racers)
		for i := range racers {
			wg.Go(func() {
				// Through Atomic, as forum.Service does.
				invErrs[i] = s.Atomic(context.Background(), func(ctx context.Context, tx forum.Store) error {
					return tx.UseInvitation(ctx, inv.ID, f.member.ID, t0.Add(time.Minute))
				})
			})
			wg.Go(func() {
				_, tokErrs[i] = s.UseLoginToken(context.Background(), tok.TokenHash, t0.Add(time.Minute))
			})
		}
		wg.Wait()
		count := func(what string, errs []error, lose error) {
			wins := 0
			for _, err := range errs {
				switch {
				case err == nil:
					wins++
				case !errors.Is(err, lose):
					t.Errorf("%s: unexpected error %v", what, err)
				}
			}
			if wins != 1 {
				t.Errorf("%s: %d winners, want 1", what, wins)
			}
		}
		count("UseInvitation", invErrs, forum.ErrConflict)
		count("UseLoginToken", tokErrs, forum.ErrNotFound)
	})
}

// A tx-scoped store is a *storage.Store too.
var _ = func(s *storage.Store) forum.Store { return s }

// A savepoint rolls back what its function wrote when it fails, and the
// transaction goes on and commits the rest — on PostgreSQL too, where a
// failed statement (a conflict) would otherwise abort the transaction.
func TestSavepoint(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		ids := newIDs()
		member := func(name string) *forum.Member {
			return &forum.Member{ID: ids.New(), Username: name, Role: forum.RoleMember, Languages: []string{"en"}, CreatedAt: t0}
		}
		ana, bea, cid := member("ana"), member("bea"), member("cid")
		boom := errors.New("boom")
		err := s.FederationAtomic(ctx(t), func(ctx context.Context, tx federation.Store) error {
			fs := tx.ForumStore()
			if err := fs.CreateMember(ctx, ana); err != nil {
				return err
			}
			if err := tx.Savepoint(ctx, func(ctx context.Context) error {
				if err := fs.CreateMember(ctx, bea); err != nil {
					return err
				}
				return boom
			}); !errors.Is(err, boom) {
				return fmt.Errorf("failed savepoint = %v, want boom", err)
			}
			// A conflict inside a savepoint leaves the transaction usable.
			dup := member("ana")
			if err := tx.Savepoint(ctx, func(ctx context.Context) error { return fs.CreateMember(ctx, dup) }); !errors.Is(err, forum.ErrConflict) {
				return fmt.Errorf("conflicting savepoint = %v, want ErrConflict", err)
			}
			return tx.Savepoint(ctx, func(ctx context.Context) error { return fs.CreateMember(ctx, cid) })
		})
		wantErr(t, "transaction with savepoints", err, nil)
		for _, m := range []*forum.Member{ana, cid} {
			if _, err := s.MemberByID(ctx(t), m.ID); err != nil {
				t.Errorf("%s: %v; want stored", m.Username, err)
			}
		}
		if _, err := s.MemberByID(ctx(t), bea.ID); !errors.Is(err, forum.ErrNotFound) {
			t.Errorf("bea, written in the failed savepoint: %v; want not found", err)
		}
	})
}
