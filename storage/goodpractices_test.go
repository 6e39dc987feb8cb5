package storage_test

import (
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

// TestGoodPractices: marked answers are listed per forum (or for the node)
// newest mark first, without deleted answers or answers of deleted
// threads, and counted per thread.
func TestGoodPractices(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		other := &forum.Forum{ID: f.ids.New(), Slug: "other", Language: "en", CreatedAt: t0,
			Texts: map[string]forum.ForumText{"en": {Title: "Other"}}}
		wantErr(t, "CreateForum", s.CreateForum(ctx(t), other), nil)
		th1, q1 := f.newThread(t, s, "one")
		th2, q2 := f.newThread(t, s, "two")
		gone, q3 := f.newThread(t, s, "deleted thread")
		mark := func(p *forum.Post, minutes int) {
			p.GoodPracticeAt, p.GoodPracticeBy = ptr(t0.Add(time.Duration(minutes)*time.Minute)), f.member.ID
			wantErr(t, "mark", s.UpdatePost(ctx(t), p), nil)
		}
		a, b, c := f.reply(t, s, q1), f.reply(t, s, q1), f.reply(t, s, q2)
		f.reply(t, s, q1) // not marked
		deleted, inGone := f.reply(t, s, q2), f.reply(t, s, q3)
		mark(a, 1)
		mark(b, 3)
		mark(c, 2)
		mark(deleted, 4)
		deleted.DeletedAt = ptr(t0)
		wantErr(t, "delete", s.UpdatePost(ctx(t), deleted), nil)
		mark(inGone, 5)
		gone.DeletedAt = ptr(t0)
		wantErr(t, "delete thread", s.UpdateThread(ctx(t), gone), nil)
		// A thread of another forum.
		id := f.ids.New()
		oth := &forum.Thread{ID: id, ForumID: other.ID, AuthorID: f.member.ID, RootPostID: id, Title: "elsewhere",
			Language: "en", LastPostID: id, LastPostAt: t0, CreatedAt: t0}
		oq := &forum.Post{ID: id, ThreadID: id, AuthorID: f.member.ID, BranchID: id, Language: "en", CreatedAt: t0}
		wantErr(t, "CreateThread", s.CreateThread(ctx(t), oth, oq), nil)
		d := f.reply(t, s, oq)
		mark(d, 0)

		ids := func(ps []*forum.Post) []forum.ID {
			var out []forum.ID
			for _, p := range ps {
				out = append(out, p.ID)
			}
			return out
		}
		for _, tc := range []struct {
			name    string
			forumID forum.ID
			limit   int
			want    []forum.ID
		}{
			{"forum", f.forum.ID, 10, []forum.ID{b.ID, c.ID, a.ID}},
			{"limited", f.forum.ID, 2, []forum.ID{b.ID, c.ID}},
			{"other forum", other.ID, 10, []forum.ID{d.ID}},
			{"node", "", 10, []forum.ID{b.ID, c.ID, a.ID, d.ID}},
		} {
			got, err := s.ListGoodPractices(ctx(t), tc.forumID, tc.limit)
			wantErr(t, tc.name, err, nil)
			same(t, tc.name, ids(got), tc.want)
		}
		counts, err := s.CountGoodPractices(ctx(t), []forum.ID{th1.ID, th2.ID, oth.ID, gone.ID, f.ids.New()})
		wantErr(t, "count", err, nil)
		same(t, "counts", counts, map[forum.ID]int{th1.ID: 2, th2.ID: 1, oth.ID: 1, gone.ID: 1})
	})
}
