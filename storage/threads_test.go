package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

func TestThreads(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		th, q := f.newThread(t, s, "Has Covid-19 been a turning point for internet access?")
		got, err := s.ThreadByID(ctx(t), th.ID)
		wantErr(t, "ThreadByID", err, nil)
		same(t, "ThreadByID", got, th)
		gotQ, err := s.PostByID(ctx(t), q.ID)
		wantErr(t, "PostByID question", err, nil)
		same(t, "question", gotQ, q)

		_, err = s.ThreadByID(ctx(t), f.ids.New())
		wantErr(t, "ThreadByID unknown", err, forum.ErrNotFound)

		// CreateThread is all or nothing: a question that clashes leaves no thread.
		id := f.ids.New()
		bad := &forum.Thread{ID: id, ForumID: f.forum.ID, AuthorID: f.member.ID, RootPostID: q.ID,
			Title: "dup", Language: "en", LastPostID: id, LastPostAt: t0, CreatedAt: t0}
		wantErr(t, "CreateThread clashing question", s.CreateThread(ctx(t), bad, q), forum.ErrConflict)
		_, err = s.ThreadByID(ctx(t), id)
		wantErr(t, "thread of failed CreateThread", err, forum.ErrNotFound)
		// A thread in an unknown forum is refused.
		bad.ForumID = f.ids.New()
		wantErr(t, "CreateThread unknown forum", s.CreateThread(ctx(t), bad, &forum.Post{ID: id, ThreadID: id,
			AuthorID: f.member.ID, BranchID: id, CreatedAt: t0}), forum.ErrNotFound)

		th.Pinned, th.Locked, th.ReplyCount, th.Title = true, true, 4, "Edited title"
		th.LastPostAt = t0.Add(time.Hour)
		th.DeletedAt = ptr(t0.Add(2 * time.Hour))
		wantErr(t, "UpdateThread", s.UpdateThread(ctx(t), th), nil)
		got, _ = s.ThreadByID(ctx(t), th.ID)
		same(t, "after UpdateThread", got, th)
		wantErr(t, "UpdateThread unknown", s.UpdateThread(ctx(t), &forum.Thread{ID: f.ids.New(), ForumID: f.forum.ID}), forum.ErrNotFound)

		n, err := s.CountThreads(ctx(t), f.forum.ID)
		wantErr(t, "CountThreads", err, nil)
		if n != 0 {
			t.Errorf("CountThreads with only a deleted thread = %d, want 0", n)
		}
		f.newThread(t, s, "Another question")
		if n, _ = s.CountThreads(ctx(t), f.forum.ID); n != 1 {
			t.Errorf("CountThreads = %d, want 1", n)
		}
	})
}

// TestListThreads pages through 7 threads, 3 at a time: pinned first, then
// by last post (newest first), then by ID; deleted threads and other
// forums' threads never show.
func TestListThreads(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		threads := make([]*forum.Thread, 7)
		for i := range threads {
			threads[i], _ = f.newThread(t, s, "question")
		}
		// New answers bump threads 0 and 3 (in that order); 1 and 5 are
		// pinned; 4 gets the same last post as 2 would sort by ID.
		bump := func(th *forum.Thread) {
			th.LastPostID = f.ids.New()
			wantErr(t, "UpdateThread", s.UpdateThread(ctx(t), th), nil)
		}
		bump(threads[0])
		bump(threads[3])
		for _, i := range []int{1, 5} {
			threads[i].Pinned = true
			wantErr(t, "pin", s.UpdateThread(ctx(t), threads[i]), nil)
		}
		threads[4].LastPostID = threads[2].LastPostID
		wantErr(t, "UpdateThread", s.UpdateThread(ctx(t), threads[4]), nil)

		deleted, _ := f.newThread(t, s, "deleted")
		deleted.DeletedAt, deleted.Pinned = ptr(t0), true
		wantErr(t, "delete", s.UpdateThread(ctx(t), deleted), nil)
		other := &forum.Forum{ID: f.ids.New(), Slug: "other", Language: "en", CreatedAt: t0}
		wantErr(t, "CreateForum", s.CreateForum(ctx(t), other), nil)
		elsewhere, _ := f.newThread(t, s, "elsewhere")
		elsewhere.ForumID = other.ID
		wantErr(t, "move", s.UpdateThread(ctx(t), elsewhere), nil)

		want := []*forum.Thread{threads[5], threads[1], threads[3], threads[0], threads[6], threads[4], threads[2]}
		var got []*forum.Thread
		var after forum.ThreadCursor
		var sizes []int
		for len(sizes) < 5 {
			page, err := s.ListThreads(ctx(t), f.forum.ID, after, 3)
			wantErr(t, "ListThreads", err, nil)
			sizes = append(sizes, len(page))
			if len(page) == 0 {
				break
			}
			got = append(got, page...)
			last := page[len(page)-1]
			after = forum.ThreadCursor{Pinned: last.Pinned, LastPostID: last.LastPostID, ID: last.ID}
		}
		same(t, "page sizes", sizes, []int{3, 3, 1, 0})
		same(t, "ListThreads order", threadIDs(got), threadIDs(want))
		if len(got) > 0 {
			same(t, "first thread", got[0], threads[5])
		}
	})
}

func threadIDs(ts []*forum.Thread) []forum.ID {
	out := make([]forum.ID, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// AddThreadReplies counts replies in the database: concurrent counts add
// up (none lost, whichever commits first), and the last post moves only to
// a newer one. ReadThread reads what ThreadByID reads, inside a
// transaction too.
func TestAddThreadReplies(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		th, q := f.newThread(t, s, "Has Covid-19 been a turning point for internet access?")
		newer := f.reply(t, s, q)
		at := t0.Add(time.Hour)
		wantErr(t, "AddThreadReplies", s.AddThreadReplies(ctx(t), th.ID, 3, newer.ID, at), nil)
		got, err := s.ReadThread(ctx(t), th.ID)
		wantErr(t, "ReadThread", err, nil)
		if got.ReplyCount != th.ReplyCount+3 || got.LastPostID != newer.ID || !got.LastPostAt.Equal(at) {
			t.Fatalf("after 3 replies: count %d, last %s at %v; want %d, %s at %v", got.ReplyCount, got.LastPostID, got.LastPostAt,
				th.ReplyCount+3, newer.ID, at)
		}
		// An older post counts, but does not become the last.
		wantErr(t, "AddThreadReplies older", s.AddThreadReplies(ctx(t), th.ID, 1, q.ID, t0), nil)
		got, _ = s.ReadThread(ctx(t), th.ID)
		if got.ReplyCount != th.ReplyCount+4 || got.LastPostID != newer.ID || !got.LastPostAt.Equal(at) {
			t.Fatalf("after an older reply: count %d, last %s at %v; want %d, %s at %v", got.ReplyCount, got.LastPostID,
				got.LastPostAt, th.ReplyCount+4, newer.ID, at)
		}
		// Concurrent writers lose no count.
		errs := make(chan error, 8)
		for range 8 {
			go func() {
				errs <- s.Atomic(ctx(t), func(ctx context.Context, tx forum.Store) error {
					if _, err := tx.ReadThread(ctx, th.ID); err != nil {
						return err
					}
					return tx.AddThreadReplies(ctx, th.ID, 1, q.ID, t0)
				})
			}()
		}
		for range 8 {
			wantErr(t, "concurrent AddThreadReplies", <-errs, nil)
		}
		got, _ = s.ThreadByID(ctx(t), th.ID)
		if got.ReplyCount != th.ReplyCount+12 {
			t.Errorf("after 8 concurrent replies: count %d, want %d", got.ReplyCount, th.ReplyCount+12)
		}
		wantErr(t, "AddThreadReplies unknown", s.AddThreadReplies(ctx(t), f.ids.New(), 1, q.ID, t0), forum.ErrNotFound)
	})
}
