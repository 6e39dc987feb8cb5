package storage_test

import (
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

// TestListPostsByHelpful: the question first, then good practices, then
// answers by helpful marks (ties oldest first), each with its replies
// under it whatever their own marks; read 2 at a time by keyset, every
// post comes once, in order.
func TestListPostsByHelpful(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		_, q := f.newThread(t, s, "question")
		set := func(p *forum.Post, helpful int, good bool) {
			p.HelpfulCount = helpful
			if good {
				p.GoodPracticeAt, p.GoodPracticeBy = ptr(t0), f.member.ID
			}
			wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), p), nil)
		}
		a1 := f.reply(t, s, q) // 1 mark
		a2 := f.reply(t, s, q) // 5 marks
		a3 := f.reply(t, s, q) // a good practice with none
		a4 := f.reply(t, s, q) // 1 mark, after a1
		r11 := f.reply(t, s, a1)
		r21 := f.reply(t, s, a2)
		set(a1, 1, false)
		set(a2, 5, false)
		set(a3, 0, true)
		set(a4, 1, false)
		set(r11, 9, false) // a reply's marks do not move its branch
		set(q, 7, false)   // nor do the question's
		_, otherQ := f.newThread(t, s, "other")
		f.reply(t, s, otherQ)

		want := []*forum.Post{q, a3, a2, r21, a1, r11, a4}
		for _, size := range []int{2, 3, 100} {
			var got []*forum.Post
			var after forum.HelpfulCursor
			for range len(want) + 1 {
				page, err := s.ListPostsByHelpful(ctx(t), q.ThreadID, after, size)
				wantErr(t, "ListPostsByHelpful", err, nil)
				if len(page) == 0 {
					break
				}
				for _, r := range page {
					got = append(got, r.Post)
				}
				after = page[len(page)-1].Place
			}
			same(t, "ListPostsByHelpful", got, want)
		}
	})
}
