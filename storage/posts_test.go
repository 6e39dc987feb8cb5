package storage_test

import (
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

// TestListPosts builds a thread whose answers and replies arrive
// interleaved, and reads it back in (BranchID, ID) order, 3 at a time.
func TestListPosts(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		_, q := f.newThread(t, s, "question")
		a1 := f.reply(t, s, q)
		a2 := f.reply(t, s, q)
		r11 := f.reply(t, s, a1) // a reply to a1 after a2 exists
		a3 := f.reply(t, s, q)
		r21 := f.reply(t, s, a2)
		r12 := f.reply(t, s, r11) // a reply to a reply stays in a1's branch
		r12.DeletedAt, r12.DeletedBy = ptr(t0), f.member.ID
		wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), r12), nil)
		_, otherQ := f.newThread(t, s, "other")
		f.reply(t, s, otherQ)

		want := []*forum.Post{q, a1, r11, r12, a2, r21, a3}
		var got []*forum.Post
		var after forum.PostCursor
		for range len(want) {
			page, err := s.ListPosts(ctx(t), q.ThreadID, after, 3)
			wantErr(t, "ListPosts", err, nil)
			if len(page) == 0 {
				break
			}
			got = append(got, page...)
			last := page[len(page)-1]
			after = forum.PostCursor{BranchID: last.BranchID, ID: last.ID}
		}
		same(t, "ListPosts", got, want)
	})
}

func TestPosts(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		_, q := f.newThread(t, s, "question")
		a := f.reply(t, s, q)
		got, err := s.PostByID(ctx(t), a.ID)
		wantErr(t, "PostByID", err, nil)
		same(t, "PostByID", got, a)
		_, err = s.PostByID(ctx(t), f.ids.New())
		wantErr(t, "PostByID unknown", err, forum.ErrNotFound)
		wantErr(t, "CreatePost again", s.CreatePost(ctx(t), a), forum.ErrConflict)
		orphan := *a
		orphan.ID, orphan.ThreadID = f.ids.New(), f.ids.New()
		wantErr(t, "CreatePost in unknown thread", s.CreatePost(ctx(t), &orphan), forum.ErrNotFound)

		a.Source, a.HTML, a.HelpfulCount = "edited", "<p>edited</p>", 3
		a.EditedAt = ptr(t0.Add(time.Minute))
		a.GoodPracticeAt, a.GoodPracticeBy = ptr(t0.Add(2*time.Minute)), f.member.ID
		wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), a), nil)
		got, _ = s.PostByID(ctx(t), a.ID)
		same(t, "after UpdatePost", got, a)
		wantErr(t, "UpdatePost unknown", s.UpdatePost(ctx(t), &orphan), forum.ErrNotFound)
	})
}

func TestListMemberPosts(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		other := f.newMember(t, s, "bea")
		_, q := f.newThread(t, s, "question")
		posts := []*forum.Post{q}
		for range 5 {
			posts = append(posts, f.reply(t, s, q))
		}
		posts[2].DeletedAt = ptr(t0)
		wantErr(t, "delete", s.UpdatePost(ctx(t), posts[2]), nil)
		byOther := f.reply(t, s, q)
		byOther.AuthorID = other.ID
		wantErr(t, "reassign", s.UpdatePost(ctx(t), byOther), nil)

		tests := []struct {
			before forum.ID
			want   []*forum.Post
		}{
			{"", []*forum.Post{posts[5], posts[4]}},
			{posts[4].ID, []*forum.Post{posts[3], posts[1]}},
			{posts[1].ID, []*forum.Post{posts[0]}},
			{posts[0].ID, []*forum.Post{}},
		}
		for _, tt := range tests {
			got, err := s.ListMemberPosts(ctx(t), f.member.ID, tt.before, 2)
			wantErr(t, "ListMemberPosts", err, nil)
			same(t, "ListMemberPosts before "+tt.before, got, tt.want)
		}
	})
}

func TestRevisions(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		_, q := f.newThread(t, s, "question")
		var want []*forum.Revision
		for i := range 3 {
			r := &forum.Revision{ID: f.ids.New(), PostID: q.ID, EditorID: f.member.ID, Title: "v",
				Source: "version " + string(rune('1'+i)), Language: "en", CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
			wantErr(t, "CreateRevision", s.CreateRevision(ctx(t), r), nil)
			want = append(want, r)
		}
		wantErr(t, "CreateRevision again", s.CreateRevision(ctx(t), want[0]), forum.ErrConflict)
		got, err := s.ListRevisions(ctx(t), q.ID)
		wantErr(t, "ListRevisions", err, nil)
		same(t, "ListRevisions", got, want)
		got, err = s.ListRevisions(ctx(t), f.ids.New())
		wantErr(t, "ListRevisions of another post", err, nil)
		same(t, "ListRevisions of another post", got, []*forum.Revision{})
	})
}

func TestHelpful(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		bea := f.newMember(t, s, "bea")
		_, q := f.newThread(t, s, "question")
		a1, a2, a3 := f.reply(t, s, q), f.reply(t, s, q), f.reply(t, s, q)

		steps := []struct {
			name    string
			add     bool
			post    *forum.Post
			member  *forum.Member
			wantErr error
		}{
			{"add", true, a1, bea, nil},
			{"add again", true, a1, bea, forum.ErrConflict},
			{"add another post", true, a3, bea, nil},
			{"another member", true, a2, f.member, nil},
			{"remove", false, a3, bea, nil},
			{"remove again", false, a3, bea, forum.ErrNotFound},
			{"remove never added", false, a2, bea, forum.ErrNotFound},
		}
		for _, st := range steps {
			var err error
			if st.add {
				err = s.AddHelpful(ctx(t), st.post.ID, st.member.ID, t0)
			} else {
				err = s.RemoveHelpful(ctx(t), st.post.ID, st.member.ID)
			}
			wantErr(t, st.name, err, st.wantErr)
		}
		got, err := s.HelpfulMarks(ctx(t), bea.ID, []forum.ID{q.ID, a1.ID, a2.ID, a3.ID})
		wantErr(t, "HelpfulMarks", err, nil)
		same(t, "HelpfulMarks", got, map[forum.ID]bool{a1.ID: true})
		got, err = s.HelpfulMarks(ctx(t), bea.ID, nil)
		if err != nil || got == nil || len(got) != 0 {
			t.Errorf("HelpfulMarks(nil) = %v, %v; want an empty map", got, err)
		}
	})
}

func TestCountLocalPosts(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		th, q := f.newThread(t, s, "Counted")
		f.reply(t, s, q)
		gone := f.reply(t, s, q)
		gone.DeletedAt = ptr(t0)
		wantErr(t, "delete", s.UpdatePost(ctx(t), gone), nil)
		remote := f.reply(t, s, q)
		remote.URI = "https://city.example/p/1"
		wantErr(t, "make remote", s.UpdatePost(ctx(t), remote), nil)
		n, err := s.CountLocalPosts(ctx(t))
		wantErr(t, "CountLocalPosts", err, nil)
		same(t, "question and one answer", n, 2)
		th.DeletedAt = ptr(t0)
		wantErr(t, "delete thread", s.UpdateThread(ctx(t), th), nil)
		n, _ = s.CountLocalPosts(ctx(t))
		same(t, "a deleted thread's posts are not counted", n, 0)
	})
}

func TestShares(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		_, q := f.newThread(t, s, "Shared")
		a := f.reply(t, s, q)
		other := f.newMember(t, s, "sharer")
		wantErr(t, "AddShare", s.AddShare(ctx(t), a.ID, other.ID, t0), nil)
		wantErr(t, "AddShare again", s.AddShare(ctx(t), a.ID, other.ID, t0), forum.ErrConflict)
		a.ShareCount = 1
		wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), a), nil)
		got, err := s.PostByID(ctx(t), a.ID)
		wantErr(t, "PostByID", err, nil)
		same(t, "share count stored", got.ShareCount, 1)
		wantErr(t, "RemoveShare", s.RemoveShare(ctx(t), a.ID, other.ID), nil)
		wantErr(t, "RemoveShare again", s.RemoveShare(ctx(t), a.ID, other.ID), forum.ErrNotFound)
	})
}
