package storage_test

import (
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/notify"
	"github.com/metropolis/agora/storage"
)

// ThreadMarks reads, in one statement, what Watching, ReadPositions and
// HelpfulMarks read one by one, for a member who marked nothing, one who
// watches and read, and one who stopped watching; marks on another
// thread's post inside the page's range of IDs are left out.
func TestThreadMarks(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		th, q := f.newThread(t, s, "Open data?")
		a1 := f.reply(t, s, q)
		_, other := f.newThread(t, s, "Elsewhere")
		a2 := f.reply(t, s, q)
		otherAnswer := f.reply(t, s, other) // its ID is between the page's
		a3 := f.reply(t, s, q)
		page := []forum.ID{q.ID, a1.ID, a2.ID, a3.ID}

		fresh := f.newMember(t, s, "fresh")
		reader := f.newMember(t, s, "reader")
		quitter := f.newMember(t, s, "quitter")
		for _, step := range []struct {
			name string
			err  error
		}{
			{"watch", s.SetWatch(ctx(t), reader.ID, notify.TargetThread, th.ID, true, false, t0)},
			{"watch other thread", s.SetWatch(ctx(t), fresh.ID, notify.TargetThread, other.ID, true, false, t0)},
			{"read", s.SetReadPosition(ctx(t), reader.ID, th.ID, a2.ID, t0)},
			{"helpful a1", s.AddHelpful(ctx(t), a1.ID, reader.ID, t0)},
			{"helpful a3", s.AddHelpful(ctx(t), a3.ID, reader.ID, t0)},
			{"helpful other", s.AddHelpful(ctx(t), otherAnswer.ID, reader.ID, t0)},
			{"unwatch", s.SetWatch(ctx(t), quitter.ID, notify.TargetThread, th.ID, false, false, t0)},
			{"quitter read", s.SetReadPosition(ctx(t), quitter.ID, th.ID, a3.ID, t0)},
			{"notify reader", notifyOf(t, s, f, reader, th, a1, a2)},
		} {
			wantErr(t, step.name, step.err, nil)
		}
		for _, tc := range []struct {
			name   string
			member *forum.Member
			posts  []forum.ID
			want   notify.ThreadMarks
		}{
			{"nothing marked", fresh, page, notify.ThreadMarks{Helpful: map[forum.ID]bool{}}},
			{"watches, read, helpful, notified", reader, page, notify.ThreadMarks{Watching: true, Position: a2.ID,
				Helpful: map[forum.ID]bool{a1.ID: true, a3.ID: true}, Unread: 2}},
			{"stopped watching", quitter, page, notify.ThreadMarks{Position: a3.ID, Helpful: map[forum.ID]bool{}}},
			{"no posts", reader, nil, notify.ThreadMarks{Watching: true, Position: a2.ID, Helpful: map[forum.ID]bool{}, Unread: 2}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.ThreadMarks(ctx(t), tc.member.ID, th.ID, tc.posts)
				wantErr(t, "ThreadMarks", err, nil)
				same(t, "ThreadMarks", got, tc.want)
				// The same as the three reads it replaces.
				watching, err := s.Watching(ctx(t), tc.member.ID, notify.TargetThread, th.ID)
				wantErr(t, "Watching", err, nil)
				pos, err := s.ReadPositions(ctx(t), tc.member.ID, []forum.ID{th.ID})
				wantErr(t, "ReadPositions", err, nil)
				helpful, err := s.HelpfulMarks(ctx(t), tc.member.ID, tc.posts)
				wantErr(t, "HelpfulMarks", err, nil)
				unread, err := s.CountUnread(ctx(t), tc.member.ID)
				wantErr(t, "CountUnread", err, nil)
				same(t, "ThreadMarks vs the reads one by one", got,
					notify.ThreadMarks{Watching: watching, Position: pos[th.ID], Helpful: helpful, Unread: unread})
			})
		}
	})
}

// notifyOf stores an unread notification for m of each post.
func notifyOf(t *testing.T, s *storage.Store, f *fixture, m *forum.Member, th *forum.Thread, posts ...*forum.Post) error {
	t.Helper()
	var ns []*notify.Notification
	for _, p := range posts {
		ns = append(ns, &notify.Notification{ID: f.ids.New(), MemberID: m.ID, Kind: notify.Kinds[0],
			EventID: f.ids.New(), ThreadID: th.ID, PostID: p.ID, CreatedAt: t0})
	}
	_, err := s.AddNotifications(ctx(t), ns)
	return err
}
