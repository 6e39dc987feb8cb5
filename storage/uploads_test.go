package storage_test

import (
	"errors"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/personal"
	"github.com/metropolis/agora/storage"
)

// Uploads waiting for a status are their owner's alone, expire, and go
// when a post takes them.
func TestUploads(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		owner, other := f.newMember(t, s, "owner"), f.newMember(t, s, "other")
		mk := func(at time.Time) *personal.Upload {
			t.Helper()
			u := &personal.Upload{ID: f.ids.New(), OwnerID: owner.ID, Name: "post-" + f.ids.New() + ".png",
				MediaType: "image/png", Width: 40, Height: 30, CreatedAt: at}
			if err := s.AddUpload(ctx(t), u); err != nil {
				t.Fatal(err)
			}
			return u
		}
		old, fresh, kept := mk(t0), mk(t0.Add(2*time.Hour)), mk(t0.Add(3*time.Hour))
		since := t0.Add(time.Hour) // old has expired
		tests := []struct {
			name    string
			ownerID forum.ID
			id      forum.ID
			want    error
		}{
			{"own, fresh", owner.ID, fresh.ID, nil},
			{"own, expired", owner.ID, old.ID, forum.ErrNotFound},
			{"someone else's", other.ID, fresh.ID, forum.ErrNotFound},
			{"unknown", owner.ID, f.ids.New(), forum.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				u, err := s.Upload(ctx(t), tt.ownerID, tt.id, since)
				if !errors.Is(err, tt.want) || (err == nil && (u.Name != fresh.Name || u.Width != 40 || u.OwnerID != owner.ID)) {
					t.Fatalf("got %+v %v, want %v", u, err, tt.want)
				}
				derr := s.DescribeUpload(ctx(t), tt.ownerID, tt.id, since, "A kiosk")
				if !errors.Is(derr, tt.want) {
					t.Fatalf("describe: %v, want %v", derr, tt.want)
				}
			})
		}
		if u, err := s.Upload(ctx(t), owner.ID, fresh.ID, since); err != nil || u.Description != "A kiosk" {
			t.Fatalf("described: %+v %v", u, err)
		}
		if n, err := s.CountUploads(ctx(t), owner.ID, since); err != nil || n != 2 {
			t.Fatalf("count: %d %v", n, err)
		}
		// Someone else cannot delete them; the owner's post takes one.
		if err := s.DeleteUploads(ctx(t), other.ID, []forum.ID{fresh.ID}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUploads(ctx(t), owner.ID, []forum.ID{fresh.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Upload(ctx(t), owner.ID, fresh.ID, since); !errors.Is(err, forum.ErrNotFound) {
			t.Fatalf("taken upload: %v", err)
		}
		if n, err := s.DeleteUploadsBefore(ctx(t), since); err != nil || n != 1 {
			t.Fatalf("expired swept: %d %v", n, err)
		}
		if _, err := s.Upload(ctx(t), owner.ID, kept.ID, since); err != nil {
			t.Fatalf("the sweep took a fresh upload: %v", err)
		}
	})
}
