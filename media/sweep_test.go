package media

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// refs is a References that knows a fixed set of names in use.
type refs map[string]bool

func (r refs) MediaInUse(_ context.Context, names []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, n := range names {
		out[n] = r[n]
	}
	return out, nil
}

// TestSweeper: an old file nothing uses goes; an old file in use stays; a
// fresh one stays whatever uses it, and one stored again (a post taking
// the same picture) counts as fresh; what is not an image of the store
// is never touched; each sweep looks at a bounded page and the pages go
// round.
func TestSweeper(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	name := func(c string) string { return PostPrefix + strings.Repeat(c, 64) + ".png" }
	d := Dir{Path: t.TempDir()}
	files := []struct {
		name string
		age  time.Duration
		used bool
		kept bool
	}{
		{name("a"), 48 * time.Hour, false, false},
		{name("b"), 48 * time.Hour, true, true},
		{name("c"), time.Minute, false, true},
		{strings.Repeat("d", 64) + ".jpg", 48 * time.Hour, false, false}, // an avatar nobody has any more
		{name("e"), 48 * time.Hour, false, true},                         // stored again below
	}
	used := refs{}
	for _, f := range files {
		if err := d.Put(ctx, f.name, []byte("pixels")); err != nil {
			t.Fatal(err)
		}
		old := now.Add(-f.age)
		if err := os.Chtimes(filepath.Join(d.Path, f.name), old, old); err != nil {
			t.Fatal(err)
		}
		used[f.name] = f.used
	}
	if err := d.Put(ctx, name("e"), []byte("pixels")); err != nil { // the same picture, in a post being written
		t.Fatal(err)
	}
	stray := filepath.Join(d.Path, ".upload-123")
	if err := os.WriteFile(stray, []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := now.Add(-48 * time.Hour)
	if err := os.Chtimes(stray, old, old); err != nil {
		t.Fatal(err)
	}

	s := &Sweeper{Store: d, Refs: used, Grace: time.Hour, Batch: 2}
	total, pages := 0, 0
	for wrapped := false; !wrapped; pages++ {
		n, w, err := s.Sweep(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		total, wrapped = total+n, w
		if pages > 5 {
			t.Fatal("the sweep never reaches the end of the store")
		}
	}
	if total != 2 || pages != 3 {
		t.Errorf("deleted %d files in %d pages, want 2 in 3", total, pages)
	}
	for _, f := range files {
		_, err := os.Stat(filepath.Join(d.Path, f.name))
		if kept := err == nil; kept != f.kept {
			t.Errorf("%s: kept=%v, want %v (%v)", f.name[:8], kept, f.kept, err)
		}
	}
	if _, err := os.Stat(stray); err != nil {
		t.Errorf("a file that is no image of the store was touched: %v", err)
	}
	// The next pass starts again from the beginning.
	if _, err := d.Open(ctx, name("b")); err != nil {
		t.Fatal(err)
	}
	delete(used, name("b"))
	if n, _, err := s.Sweep(ctx, now); err != nil || n != 1 {
		t.Errorf("second pass: deleted %d (%v), want the file no longer used", n, err)
	}
}

// TestDirDelete: Delete removes a file stored before the time given, keeps
// one stored again since, ignores a name not stored and refuses names
// outside the store.
func TestDirDelete(t *testing.T) {
	ctx := context.Background()
	d := Dir{Path: t.TempDir()}
	name := strings.Repeat("ab", 32) + ".png"
	if err := d.Put(ctx, name, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, name, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Open(ctx, name); err != nil {
		t.Errorf("a file stored after the cut-off was deleted: %v", err)
	}
	if err := d.Delete(ctx, name, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Open(ctx, name); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Delete: %v", err)
	}
	if err := d.Delete(ctx, name, time.Now()); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
	if err := d.Delete(ctx, "../forum.db", time.Now()); err == nil {
		t.Error("a name outside the store was accepted")
	}
}
