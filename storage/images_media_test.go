package storage_test

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/personal"
	"github.com/metropolis/agora/storage"
)

// TestUpdatePostReplacesImages: an edit's new list of images (one
// removed, one re-described, one added) is what reads back; a deleted
// post's empty list leaves none.
func TestUpdatePostReplacesImages(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		_, q := f.newThread(t, s, "question")
		q.Images = []forum.Image{
			{Name: "post-a.png", Alt: "A", MediaType: "image/png", Width: 4, Height: 3},
			{Name: "post-b.png", Alt: "B", MediaType: "image/png", Width: 4, Height: 3},
		}
		wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), q), nil)
		edited := []forum.Image{
			{Name: "post-b.png", Alt: "B, described better", MediaType: "image/png", Width: 4, Height: 3},
			{Name: "post-c.jpg", Alt: "C", MediaType: "image/jpeg", Width: 8, Height: 6},
		}
		q.Images = edited
		wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), q), nil)
		got, err := s.PostByID(ctx(t), q.ID)
		wantErr(t, "PostByID", err, nil)
		same(t, "images after the edit", got.Images, edited)
		got.Images = nil
		wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), got), nil)
		got, err = s.PostByID(ctx(t), q.ID)
		wantErr(t, "PostByID", err, nil)
		if got.Images != nil {
			t.Errorf("images after removing them all: %+v", got.Images)
		}
	})
}

// TestMediaInUse: a file is in use while an image of a visible post, an
// upload or an avatar names it; the same file (content hash) in two posts
// stays in use while one of them stands; a deleted post's or deleted
// thread's images, and names nobody uses, are not.
func TestMediaInUse(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		img := func(name string) []forum.Image {
			return []forum.Image{{Name: name, Alt: "alt", MediaType: "image/png", Width: 1, Height: 1}}
		}
		_, q1 := f.newThread(t, s, "first")
		_, q2 := f.newThread(t, s, "second")
		th3, q3 := f.newThread(t, s, "third")
		q1.Images, q2.Images, q3.Images = img("post-shared.png"), img("post-shared.png"), img("post-in-deleted-thread.png")
		for _, q := range []*forum.Post{q1, q2, q3} {
			wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), q), nil)
		}
		now := time.Now()
		th3.DeletedAt = &now
		wantErr(t, "UpdateThread", s.UpdateThread(ctx(t), th3), nil)
		wantErr(t, "AddUpload", s.AddUpload(ctx(t), &personal.Upload{ID: f.ids.New(), OwnerID: f.member.ID, Name: "post-upload.png",
			MediaType: "image/png", Width: 1, Height: 1, CreatedAt: now}), nil)
		f.member.Avatar = "avatar.png"
		wantErr(t, "UpdateMember", s.UpdateMember(ctx(t), f.member), nil)

		names := []string{"post-shared.png", "post-in-deleted-thread.png", "post-upload.png", "avatar.png", "post-nobody.png"}
		inUse := func() string {
			used, err := s.MediaInUse(ctx(t), names)
			wantErr(t, "MediaInUse", err, nil)
			var out []string
			for n, ok := range used {
				if ok {
					out = append(out, n)
				}
			}
			sort.Strings(out)
			return strings.Join(out, " ")
		}
		if got, want := inUse(), "avatar.png post-shared.png post-upload.png"; got != want {
			t.Errorf("in use: %q, want %q", got, want)
		}
		// One of the two posts sharing the file is deleted: still in use.
		q1.DeletedAt, q1.Images = &now, nil
		wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), q1), nil)
		if got, want := inUse(), "avatar.png post-shared.png post-upload.png"; got != want {
			t.Errorf("in use after deleting one sharer: %q, want %q", got, want)
		}
		// A deleted post that kept its image rows (as before images went
		// with a delete) uses nothing either.
		q2.DeletedAt = &now
		wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), q2), nil)
		if got, want := inUse(), "avatar.png post-upload.png"; got != want {
			t.Errorf("in use after deleting both: %q, want %q", got, want)
		}
	})
}
