package storage_test

import (
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

// TestPostExtras: what a post from another server carries beside its text
// is stored with it, read back alike (by id and in a thread's list),
// replaced by an update and gone once cleared; posts without any read
// back with none.
func TestPostExtras(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		_, q := f.newThread(t, s, "question")
		starts, closes := time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC), time.Date(2026, 12, 7, 12, 20, 0, 0, time.UTC)
		a := f.reply(t, s, q)
		a.Extras = forum.Extras{Kind: forum.KindPoll, Warning: "Budget", Sensitive: true, Link: "https://example.org/e",
			Media:   []forum.Media{{Kind: forum.MediaImage, URL: "https://example.org/a.jpg", MediaType: "image/jpeg", Name: "A map"}},
			Options: []forum.PollOption{{Name: "Ducts", Votes: 4}, {Name: "Schools", Votes: 7}}, Multiple: true,
			Closes: &closes, Starts: &starts, Place: "Central Library"}
		wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), a), nil)
		got, err := s.PostByID(ctx(t), a.ID)
		wantErr(t, "PostByID", err, nil)
		if !got.Extras.Equal(a.Extras) {
			t.Errorf("extras read back as %+v, want %+v", got.Extras, a.Extras)
		}
		page, err := s.ListPosts(ctx(t), q.ThreadID, forum.PostCursor{}, 10)
		wantErr(t, "ListPosts", err, nil)
		for _, p := range page {
			if p.ID == a.ID && !p.Extras.Equal(a.Extras) {
				t.Errorf("listed extras %+v, want %+v", p.Extras, a.Extras)
			}
			if p.ID == q.ID && !p.Extras.IsZero() {
				t.Errorf("a post without extras reads back with %+v", p.Extras)
			}
		}
		a.Extras = forum.Extras{}
		wantErr(t, "UpdatePost", s.UpdatePost(ctx(t), a), nil)
		if got, err := s.PostByID(ctx(t), a.ID); err != nil || !got.Extras.IsZero() {
			t.Errorf("cleared extras read back as %+v (%v)", got.Extras, err)
		}
	})
}
