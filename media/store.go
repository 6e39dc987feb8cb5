package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Store keeps images by name. Dir keeps them on disk; another store (S3
// and the like) can take its place.
type Store interface {
	// Put stores data under name; storing a name again is harmless (the
	// name is the content's hash).
	Put(ctx context.Context, name string, data []byte) error
	// Open returns the image named, or an error wrapping os.ErrNotExist.
	Open(ctx context.Context, name string) (io.ReadSeekCloser, error)
	// Delete removes the file named unless it was stored (or stored
	// again) at or after storedBefore: a post may have just stored the
	// same picture again, after the sweeper found it unused. A name not
	// stored is no error (two sweeps may meet).
	Delete(ctx context.Context, name string, storedBefore time.Time) error
	// List returns up to limit stored files whose names sort after
	// after, in name order, with the time each was last stored: the
	// sweeper (Sweeper) walks the store a page at a time.
	List(ctx context.Context, after string, limit int) ([]Stored, error)
}

// Stored is a file of a Store: its name and when it was last stored (Put
// of a name already stored counts, so a file a post is taking right now
// looks new).
type Stored struct {
	Name     string
	StoredAt time.Time
}

// validName is the shape of the names Image.Name and Image.PostName make:
// nothing else is ever looked up, so a request cannot reach outside the
// store.
var validName = regexp.MustCompile(`^(post-)?[0-9a-f]{64}\.(png|jpg)$`)

// PostPrefix starts the names of images in posts (Image.PostName). They
// are served only through their post, while it is visible: the server of
// pictures by name alone (avatars) refuses them.
const PostPrefix = "post-"

// PostName is the name an image in a post is stored under.
func (img *Image) PostName() string { return PostPrefix + img.Name() }

// ValidName reports whether name is one Image.Name or Image.PostName
// could have made.
func ValidName(name string) bool { return validName.MatchString(name) }

// TypeOf is the media type of a stored image, told by the extension
// Image.Name gave it (what is stored is only ever PNG or JPEG).
func TypeOf(name string) string {
	if strings.HasSuffix(name, ".jpg") {
		return "image/jpeg"
	}
	return "image/png"
}

// Dir is a Store in a directory.
type Dir struct{ Path string }

// Put writes the file under a temporary name and renames it, so a reader
// never sees half a file, even with several processes.
func (d Dir) Put(_ context.Context, name string, data []byte) error {
	if !ValidName(name) {
		return fmt.Errorf("media name %q", name)
	}
	if err := os.MkdirAll(d.Path, 0o755); err != nil {
		return fmt.Errorf("media directory: %w", err)
	}
	final := filepath.Join(d.Path, name)
	if _, err := os.Stat(final); err == nil {
		// Already stored (the same picture again): mark it as stored now,
		// so the sweeper, which keeps files stored within its grace
		// period, cannot take it while the post that stores it again is
		// being written.
		now := time.Now()
		if err := os.Chtimes(final, now, now); err != nil {
			return fmt.Errorf("touch %s: %w", name, err)
		}
		return nil
	}
	tmp, err := os.CreateTemp(d.Path, ".upload-*")
	if err != nil {
		return fmt.Errorf("media temp file: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("store %s: %w", name, err)
	}
	return nil
}

// Open opens a stored image.
func (d Dir) Open(_ context.Context, name string) (io.ReadSeekCloser, error) {
	if !ValidName(name) {
		return nil, fmt.Errorf("media name %q: %w", name, os.ErrNotExist)
	}
	f, err := os.Open(filepath.Join(d.Path, name))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("media %s: %w", name, os.ErrNotExist)
		}
		return nil, fmt.Errorf("open media %s: %w", name, err)
	}
	return f, nil
}

// Delete removes a stored image that was not stored again since
// storedBefore.
func (d Dir) Delete(_ context.Context, name string, storedBefore time.Time) error {
	if !ValidName(name) {
		return fmt.Errorf("media name %q", name)
	}
	path := filepath.Join(d.Path, name)
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("delete media %s: %w", name, err)
	}
	if !info.ModTime().Before(storedBefore) {
		return nil
	}
	err = os.Remove(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("delete media %s: %w", name, err)
	}
	return nil
}

// List lists the stored images after a name. Temporary files of a Put
// in progress and anything else in the directory are not images of the
// store: they are left out, and never deleted.
func (d Dir) List(_ context.Context, after string, limit int) ([]Stored, error) {
	entries, err := os.ReadDir(d.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("list media: %w", err)
	}
	// ReadDir sorts by name already; sorting again keeps List's promise
	// whatever the platform does.
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	var out []Stored
	for _, e := range entries {
		if len(out) >= limit {
			break
		}
		if e.Name() <= after || !e.Type().IsRegular() || !ValidName(e.Name()) {
			continue
		}
		info, err := e.Info()
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted since ReadDir
		} else if err != nil {
			return nil, fmt.Errorf("list media %s: %w", e.Name(), err)
		}
		out = append(out, Stored{Name: e.Name(), StoredAt: info.ModTime()})
	}
	return out, nil
}
