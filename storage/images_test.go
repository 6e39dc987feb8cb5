package storage_test

import (
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

// TestPostImages: a post's images are stored with it in order and read
// back by id and in a thread's list; an update (a new text) keeps them;
// posts without images read back with none.
func TestPostImages(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		_, q := f.newThread(t, s, "question")
		images := []forum.Image{
			{Name: "b1.png", Alt: "A map of the fibre ducts", MediaType: "image/png", Width: 640, Height: 480},
			{Name: "a2.jpg", Alt: "The square at night", MediaType: "image/jpeg", Width: 1600, Height: 900},
		}
		a := &forum.Post{ID: f.ids.New(), ThreadID: q.ThreadID, AuthorID: f.member.ID, ParentID: q.ID,
			Language: "en", Source: "see", HTML: "<p>see</p>", Images: images, CreatedAt: t0}
		a.BranchID = a.ID
		wantErr(t, "CreatePost", s.CreatePost(ctx(t), a), nil)
		got, err := s.PostByID(ctx(t), a.ID)
		wantErr(t, "PostByID", err, nil)
		same(t, "images by id", got.Images, images)

		got.Source, got.HTML = "see both", "<p>see both</p>"
		wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), got), nil)
		page, err := s.ListPosts(ctx(t), q.ThreadID, forum.PostCursor{}, 10)
		wantErr(t, "ListPosts", err, nil)
		if len(page) != 2 {
			t.Fatalf("listed %d posts, want 2", len(page))
		}
		for _, p := range page {
			switch p.ID {
			case a.ID:
				same(t, "listed images after an edit", p.Images, images)
			case q.ID:
				if p.Images != nil {
					t.Errorf("a post without images reads back with %+v", p.Images)
				}
			}
		}
	})
}
