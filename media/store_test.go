package media

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

func TestDirStore(t *testing.T) {
	d := Dir{Path: t.TempDir() + "/media"}
	ctx := context.Background()
	name := strings.Repeat("ab", 32) + ".png"
	for range 2 { // storing twice is harmless
		if err := d.Put(ctx, name, []byte("pixels")); err != nil {
			t.Fatal(err)
		}
	}
	f, err := d.Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if string(got) != "pixels" {
		t.Errorf("read %q", got)
	}
	for _, bad := range []string{"../forum.db", "x.png", strings.Repeat("ab", 32) + ".svg", strings.Repeat("cd", 32) + ".png"} {
		if _, err := d.Open(ctx, bad); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Open(%q) = %v, want not found", bad, err)
		}
	}
	if err := d.Put(ctx, "../escape.png", []byte("x")); err == nil {
		t.Error("a name outside the store was written")
	}
}
