package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Store keeps images by name. Dir keeps them on disk; another store (S3
// and the like) can take its place.
type Store interface {
	// Put stores data under name; storing a name again is harmless (the
	// name is the content's hash).
	Put(ctx context.Context, name string, data []byte) error
	// Open returns the image named, or an error wrapping os.ErrNotExist.
	Open(ctx context.Context, name string) (io.ReadSeekCloser, error)
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
