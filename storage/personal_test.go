package storage_test

import (
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/notify"
	"github.com/metropolis/agora/personal"
	"github.com/metropolis/agora/storage"
)

func ids(posts []*forum.Post) []string {
	out := []string{}
	for _, p := range posts {
		out = append(out, p.ID)
	}
	return out
}

// The home timeline holds questions of watched forums, answers of watched
// threads, posts of followed people and one's own, newest first, and
// pages the way Mastodon does.
func TestHomeTimeline(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		reader := f.newMember(t, s, "reader")
		other := f.newMember(t, s, "other")
		_, q1 := f.newThread(t, s, "Watched forum's question")
		a1 := f.reply(t, s, q1) // an answer in a thread not watched
		th2, q2 := f.newThread(t, s, "Watched thread")
		a2 := f.reply(t, s, q2)
		// A post of a followed person elsewhere: other's answer.
		a3 := &forum.Post{ID: f.ids.New(), ThreadID: th2.ID, AuthorID: other.ID, ParentID: q2.ID, BranchID: "",
			Language: "en", Source: "x", HTML: "<p>x</p>", CreatedAt: t0}
		a3.BranchID = a3.ID
		if err := s.CreatePost(ctx(t), a3); err != nil {
			t.Fatal(err)
		}
		// Deleted posts never show.
		gone := f.reply(t, s, q2)
		gone.DeletedAt = ptr(t0)
		if err := s.UpdatePost(ctx(t), gone); err != nil {
			t.Fatal(err)
		}
		home := func(r personal.Range, limit int) []string {
			t.Helper()
			ps, err := s.HomePosts(ctx(t), reader.ID, r, limit)
			if err != nil {
				t.Fatal(err)
			}
			return ids(ps)
		}
		same(t, "nothing watched", home(personal.Range{}, 20), []string{})
		if err := s.SetWatch(ctx(t), reader.ID, notify.TargetForum, f.forum.ID, true, false, t0); err != nil {
			t.Fatal(err)
		}
		same(t, "a watched forum: its questions", home(personal.Range{}, 20), []string{q2.ID, q1.ID})
		if err := s.SetWatch(ctx(t), reader.ID, notify.TargetThread, th2.ID, true, false, t0); err != nil {
			t.Fatal(err)
		}
		same(t, "and a watched thread's answers", home(personal.Range{}, 20), []string{a3.ID, a2.ID, q2.ID, q1.ID})
		if err := s.SetWatch(ctx(t), reader.ID, notify.TargetThread, th2.ID, false, false, t0); err != nil {
			t.Fatal(err)
		}
		if err := s.Follow(ctx(t), reader.ID, other.ID, t0); err != nil {
			t.Fatal(err)
		}
		if err := s.Follow(ctx(t), reader.ID, other.ID, t0); err != nil {
			t.Fatalf("following twice: %v", err)
		}
		same(t, "thread unwatched, other followed", home(personal.Range{}, 20), []string{a3.ID, q2.ID, q1.ID})
		same(t, "max_id", home(personal.Range{MaxID: q2.ID}, 20), []string{q1.ID})
		same(t, "since_id", home(personal.Range{SinceID: q1.ID}, 1), []string{a3.ID})
		same(t, "min_id", home(personal.Range{MinID: q1.ID}, 1), []string{q2.ID})
		following, followers, err := s.CountFollows(ctx(t), reader.ID)
		if err != nil || following != 1 || followers != 0 {
			t.Fatalf("counts %d %d %v", following, followers, err)
		}
		if err := s.Unfollow(ctx(t), reader.ID, other.ID); err != nil {
			t.Fatal(err)
		}
		same(t, "unfollowed", home(personal.Range{}, 20), []string{q2.ID, q1.ID})

		pub, err := s.PublicPosts(ctx(t), true, personal.Range{}, 20)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "public, local", ids(pub), []string{a3.ID, a2.ID, q2.ID, a1.ID, q1.ID})
	})
}

func TestBookmarksAndMarkers(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		_, q := f.newThread(t, s, "Bookmarked question")
		a := f.reply(t, s, q)
		for _, id := range []string{q.ID, a.ID, a.ID} {
			if err := s.AddBookmark(ctx(t), f.member.ID, id, t0); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Bookmarked(ctx(t), f.member.ID, []string{q.ID, a.ID, "01kbm0aaaaaaaaaaaaaaaaaaaa"})
		if err != nil || !got[q.ID] || !got[a.ID] || len(got) != 2 {
			t.Fatalf("bookmarked: %v %v", got, err)
		}
		if err := s.RemoveBookmark(ctx(t), f.member.ID, q.ID); err != nil {
			t.Fatal(err)
		}
		list, err := s.BookmarkedPosts(ctx(t), f.member.ID, personal.Range{}, 20)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "bookmarks", ids(list), []string{a.ID})

		m, err := s.SetMarker(ctx(t), f.member.ID, "home", q.ID, t0)
		if err != nil || m.Version != 1 || m.LastReadID != q.ID {
			t.Fatalf("first marker: %+v %v", m, err)
		}
		m, err = s.SetMarker(ctx(t), f.member.ID, "home", a.ID, t0.Add(time.Minute))
		if err != nil || m.Version != 2 || m.LastReadID != a.ID || !m.UpdatedAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("second marker: %+v %v", m, err)
		}
		ms, err := s.Markers(ctx(t), f.member.ID, []string{"home", "notifications"})
		if err != nil || len(ms) != 1 || ms[0].Timeline != "home" || ms[0].Version != 2 {
			t.Fatalf("markers: %+v %v", ms, err)
		}
	})
}
