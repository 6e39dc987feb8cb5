package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/notify"
	"github.com/metropolis/agora/storage"
)

// TestPreparedReads: the request path's reads, prepared once outside a
// transaction and run through bun inside one, answer the same, and a
// prepared read sees what was written after it was prepared.
func TestPreparedReads(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		th, q := f.newThread(t, s, "Open data portals")
		type answers struct {
			member   *forum.Member
			session  *forum.Session
			marks    map[forum.ID]bool
			unread   int
			watching bool
			position map[forum.ID]forum.ID
		}
		read := func(st *storage.Store) answers {
			t.Helper()
			var a answers
			var err error
			c := ctx(t)
			if a.member, err = st.MemberByID(c, f.member.ID); err != nil {
				t.Fatalf("MemberByID: %v", err)
			}
			if a.session, err = st.SessionByTokenHash(c, "h1", t0); err != nil {
				t.Fatalf("SessionByTokenHash: %v", err)
			}
			if a.marks, err = st.HelpfulMarks(c, f.member.ID, []forum.ID{q.ID, "nope"}); err != nil {
				t.Fatalf("HelpfulMarks: %v", err)
			}
			if a.unread, err = st.CountUnread(c, f.member.ID); err != nil {
				t.Fatalf("CountUnread: %v", err)
			}
			if a.watching, err = st.Watching(c, f.member.ID, notify.TargetThread, th.ID); err != nil {
				t.Fatalf("Watching: %v", err)
			}
			if a.position, err = st.ReadPositions(c, f.member.ID, []forum.ID{th.ID}); err != nil {
				t.Fatalf("ReadPositions: %v", err)
			}
			return a
		}
		inTx := func() answers {
			t.Helper()
			var a answers
			err := s.Atomic(ctx(t), func(_ context.Context, tx forum.Store) error {
				a = read(tx.(*storage.Store))
				return nil
			})
			wantErr(t, "Atomic", err, nil)
			return a
		}
		wantErr(t, "CreateSession", s.CreateSession(ctx(t), &forum.Session{TokenHash: "h1", MemberID: f.member.ID,
			CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}), nil)
		before := read(s)
		same(t, "before, in a transaction", inTx(), before)
		same(t, "member", before.member.Languages, []string{"pt", "en"})
		if len(before.marks) != 0 || before.unread != 0 || before.watching || len(before.position) != 0 {
			t.Fatalf("marks, notifications, watch or position before any was written: %+v", before)
		}

		// Written after the statements were prepared.
		wantErr(t, "AddHelpful", s.AddHelpful(ctx(t), q.ID, f.member.ID, t0), nil)
		_, err := s.AddNotifications(ctx(t), []*notify.Notification{{ID: f.ids.New(), MemberID: f.member.ID,
			Kind: notify.Kinds[0], EventID: f.ids.New(), ThreadID: th.ID, PostID: q.ID, CreatedAt: t0}})
		wantErr(t, "AddNotifications", err, nil)
		wantErr(t, "SetWatch", s.SetWatch(ctx(t), f.member.ID, notify.TargetThread, th.ID, true, false, t0), nil)
		wantErr(t, "SetReadPosition", s.SetReadPosition(ctx(t), f.member.ID, th.ID, q.ID, t0), nil)
		after := read(s)
		same(t, "after, in a transaction", inTx(), after)
		same(t, "marks", after.marks, map[forum.ID]bool{q.ID: true})
		same(t, "position", after.position, map[forum.ID]forum.ID{th.ID: q.ID})
		if after.unread != 1 || !after.watching {
			t.Fatalf("unread %d, watching %v: want 1, true", after.unread, after.watching)
		}

		// Marks are read over the range of the IDs asked for: a mark on a
		// post of another thread inside that range is not one of them.
		_, between := f.newThread(t, s, "Who owns city data?")
		_, last := f.newThread(t, s, "Procurement")
		wantErr(t, "AddHelpful between", s.AddHelpful(ctx(t), between.ID, f.member.ID, t0), nil)
		wantErr(t, "AddHelpful last", s.AddHelpful(ctx(t), last.ID, f.member.ID, t0), nil)
		marks, err := s.HelpfulMarks(ctx(t), f.member.ID, []forum.ID{last.ID, q.ID})
		wantErr(t, "HelpfulMarks over a range", err, nil)
		same(t, "marks over a range", marks, map[forum.ID]bool{q.ID: true, last.ID: true})

		_, err = s.SessionByTokenHash(ctx(t), "h1", t0.Add(time.Hour))
		wantErr(t, "expired session", err, forum.ErrNotFound)
		_, err = s.MemberByID(ctx(t), "nope")
		wantErr(t, "unknown member", err, forum.ErrNotFound)
	})
}
