package media

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/metropolis/agora/media/mediatest"
)

// photo is a real JPEG with an EXIF segment (a GPS position, say) after
// its start marker.
func photo(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	exif := append([]byte("Exif\x00\x00"), []byte("GPS 41.3851 N 2.1734 E secret")...)
	seg := []byte{0xFF, 0xE1, byte((len(exif) + 2) >> 8), byte(len(exif) + 2)}
	data := b.Bytes()
	return append(append(append([]byte{}, data[:2]...), append(seg, exif...)...), data[2:]...)
}

func TestAvatarRefusals(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrEmpty},
		{"30 MB", bytes.Repeat([]byte{0xFF}, 30<<20), ErrTooLarge},
		{"50 megapixels", mediatest.PNGHeader(10_000, 5_000), ErrTooManyPixels},
		// The PNG decoder itself refuses a size that overflows.
		{"overflowing size", mediatest.PNGHeader(1<<31-1, 1<<31-1), ErrNotImage},
		{"HTML named .png", []byte("<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"), ErrNotImage},
		{"SVG", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>`), ErrNotImage},
		{"PNG header, no pixels", mediatest.PNGHeader(64, 64), ErrNotImage},
		{"PDF", []byte("%PDF-1.7\n1 0 obj <<>> endobj"), ErrNotImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := Avatar(bytes.NewReader(tt.data), DefaultLimits, 256)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Avatar = %v, %v; want %v", img, err, tt.want)
			}
			if r, ok := IsRefusal(err); !ok || !strings.HasPrefix(r.Code, "media.") {
				t.Errorf("%v is not a refusal with a message code", err)
			}
		})
	}
}

// TestAvatarReencoded: a photo comes back a centred square of the asked
// side, a JPEG without the EXIF it carried; a PNG stays a PNG.
func TestAvatarReencoded(t *testing.T) {
	src := photo(t, 400, 300)
	if !bytes.Contains(src, []byte("GPS 41.3851")) {
		t.Fatal("the test photo has no EXIF")
	}
	img, err := Avatar(bytes.NewReader(src), DefaultLimits, 256)
	if err != nil {
		t.Fatal(err)
	}
	if img.Type != "image/jpeg" || img.Width != 256 || img.Height != 256 {
		t.Fatalf("avatar = %s %d×%d, want image/jpeg 256×256", img.Type, img.Width, img.Height)
	}
	if bytes.Contains(img.Data, []byte("GPS")) || bytes.Contains(img.Data, []byte("Exif")) {
		t.Error("the metadata survived")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(img.Data))
	if err != nil || format != "jpeg" || cfg.Width != 256 {
		t.Fatalf("stored avatar decodes as %s %d (%v)", format, cfg.Width, err)
	}
	if !ValidName(img.Name()) || !strings.HasSuffix(img.Name(), ".jpg") {
		t.Errorf("name %q", img.Name())
	}

	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 100, 120))); err != nil {
		t.Fatal(err)
	}
	small, err := Avatar(&b, DefaultLimits, 256)
	if err != nil {
		t.Fatal(err)
	}
	if small.Type != "image/png" || small.Width != 100 {
		t.Errorf("small PNG = %s %d wide, want a PNG of 100 (never enlarged)", small.Type, small.Width)
	}
}

// TestPostImageRefusals: what an avatar refuses, an image in a post
// refuses too, through the same checks.
func TestPostImageRefusals(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrEmpty},
		{"30 MB", bytes.Repeat([]byte{0xFF}, 30<<20), ErrTooLarge},
		{"50 megapixels", mediatest.PNGHeader(10_000, 5_000), ErrTooManyPixels},
		{"HTML named .png", []byte("<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"), ErrNotImage},
		{"SVG", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>`), ErrNotImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := PostImage(bytes.NewReader(tt.data), DefaultLimits, 1600)
			if !errors.Is(err, tt.want) {
				t.Fatalf("PostImage = %v, %v; want %v", img, err, tt.want)
			}
		})
	}
}

// TestPostImageScaled: a large photo is scaled down to fit, keeping its
// proportions and losing its EXIF; a small one keeps its size.
func TestPostImageScaled(t *testing.T) {
	tests := []struct {
		name       string
		w, h, side int
		wantW      int
		wantH      int
	}{
		{"wide, scaled", 400, 300, 200, 200, 150},
		{"tall, scaled", 300, 400, 200, 150, 200},
		{"small, kept", 120, 80, 200, 120, 80},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := PostImage(bytes.NewReader(photo(t, tt.w, tt.h)), DefaultLimits, tt.side)
			if err != nil {
				t.Fatal(err)
			}
			if img.Width != tt.wantW || img.Height != tt.wantH || img.Type != "image/jpeg" {
				t.Fatalf("image = %s %d×%d, want image/jpeg %d×%d", img.Type, img.Width, img.Height, tt.wantW, tt.wantH)
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(img.Data))
			if err != nil || cfg.Width != tt.wantW || cfg.Height != tt.wantH {
				t.Fatalf("stored image decodes as %d×%d (%v)", cfg.Width, cfg.Height, err)
			}
			if bytes.Contains(img.Data, []byte("GPS")) {
				t.Error("the metadata survived")
			}
		})
	}
}
