package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

// TestReindexKeepsConcurrentEdits: an edit of a post, or a new title of
// its question, made while Reindex holds the post's batch (read, its
// documents not written yet) is what the index holds once both are done:
// the edit waits for the batch's transaction, or the batch reads the
// edit. With the batch read before its transaction, the edit committed
// in between and the batch's older text overwrote it in the index.
func TestReindexKeepsConcurrentEdits(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(ctx context.Context, s *storage.Store, th *forum.Thread, q *forum.Post) error
		title     string
		want, old string
	}{
		{"answer text edited", func(ctx context.Context, s *storage.Store, _ *forum.Thread, q *forum.Post) error {
			p := *q
			p.Source, p.HTML = "Bicycle lanes", "<p>Bicycle lanes</p>"
			return s.UpdatePost(ctx, &p)
		}, "Procurement", "bicycle", "covid"},
		{"question retitled", func(ctx context.Context, s *storage.Store, th *forum.Thread, _ *forum.Post) error {
			t := *th
			t.Title = "Tramways"
			return s.UpdateThread(ctx, &t)
		}, "Mobility", "tramways", "mobility"},
	}
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				th, q := f.newThread(t, s, tt.title)
				if got := found(t, s, tt.old); len(got) != 1 || got[0] != q.ID {
					t.Fatalf("before: %q finds %q, want the question", tt.old, got)
				}
				edited := make(chan error, 1)
				paused := false
				_, err := storage.ReindexPausing(ctx(t), s, func() {
					if paused {
						return
					}
					paused = true
					go func() { edited <- tt.edit(context.Background(), s, th, q) }()
					// The edit commits here unless it waits for the batch.
					select {
					case err := <-edited:
						edited <- err
					case <-time.After(300 * time.Millisecond):
					}
				})
				wantErr(t, "Reindex", err, nil)
				select {
				case err := <-edited:
					wantErr(t, "edit", err, nil)
				case <-time.After(10 * time.Second):
					t.Fatal("the edit never ended")
				}
				if got := found(t, s, tt.want); len(got) != 1 || got[0] != q.ID {
					t.Errorf("after: %q finds %q, want the question", tt.want, got)
				}
				if got := found(t, s, tt.old); len(got) != 0 {
					t.Errorf("after: %q still finds %q", tt.old, got)
				}
			})
		}
	})
}
