package media

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// References tells which stored files something still uses: an image of
// a post that can be seen, an upload waiting for its post, an avatar.
// Images are stored by content hash, so one file may be used by several
// posts and members at once; the answer must look at all of them.
type References interface {
	MediaInUse(ctx context.Context, names []string) (map[string]bool, error)
}

// Sweeper deletes the files of a Store that nothing uses any more:
// uploads that expired, images stored for a post that was then refused,
// images an edit removed or whose post was deleted.
//
// A file is stored before the post that uses it is written (the form's
// images are re-encoded and stored first), so a file nothing uses yet may
// be about to be used: only files stored more than Grace ago are
// candidates (storing a file again renews its time, see Dir.Put).
type Sweeper struct {
	Store Store
	Refs  References
	// Grace is how old an unused file must be to go; 0 means DefaultGrace.
	Grace time.Duration
	// Batch bounds the files one Sweep looks at; 0 means DefaultBatch.
	Batch int

	// mu makes Sweeps one at a time; after is where the next starts:
	// each goes on from where the last stopped, and starts again at the
	// beginning past the end.
	mu    sync.Mutex
	after string
}

const (
	// DefaultGrace is far longer than any form takes to be written, and
	// short enough that the disk is given back the same day.
	DefaultGrace = 6 * time.Hour
	// DefaultBatch keeps one sweep to one short query per page.
	DefaultBatch = 500
)

// Sweep looks at the next Batch files of the store and deletes those
// stored before now-Grace that nothing uses. It reports how many it
// deleted and whether it reached the end of the store (a full pass).
func (s *Sweeper) Sweep(ctx context.Context, now time.Time) (deleted int, wrapped bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	grace, batch := s.Grace, s.Batch
	if grace <= 0 {
		grace = DefaultGrace
	}
	if batch <= 0 {
		batch = DefaultBatch
	}
	files, err := s.Store.List(ctx, s.after, batch)
	if err != nil {
		return 0, false, fmt.Errorf("sweep media: %w", err)
	}
	if len(files) < batch {
		wrapped = true
		s.after = ""
	} else {
		s.after = files[len(files)-1].Name
	}
	cutoff := now.Add(-grace)
	var old []string
	for _, f := range files {
		if f.StoredAt.Before(cutoff) {
			old = append(old, f.Name)
		}
	}
	if len(old) == 0 {
		return 0, wrapped, nil
	}
	used, err := s.Refs.MediaInUse(ctx, old)
	if err != nil {
		return 0, wrapped, fmt.Errorf("sweep media: %w", err)
	}
	for _, name := range old {
		if used[name] {
			continue
		}
		if err := s.Store.Delete(ctx, name, cutoff); err != nil {
			return deleted, wrapped, fmt.Errorf("sweep media: %w", err)
		}
		deleted++
	}
	return deleted, wrapped, nil
}
