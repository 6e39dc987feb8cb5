// Package media turns images people upload (profile pictures, images in
// posts) into safe, small files and keeps them. Every upload is decoded and re-encoded: what
// is stored and served is pixels we wrote, never the bytes sent, so camera
// metadata (GPS position, device) is dropped and a file that only claims
// to be an image is refused.
package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/gif" // decoders of the accepted formats
	"image/jpeg"
	"image/png"
	"io"
	"net/http"

	xdraw "golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
)

// Limits bound what an upload may be.
type Limits struct {
	// MaxBytes is the largest file accepted.
	MaxBytes int64
	// MaxPixels bounds width × height, read from the header before any
	// decoding: a small file can declare a huge image (a decompression
	// bomb).
	MaxPixels int
}

// DefaultLimits: a phone photo fits; a 30 MB file or a 50-megapixel image
// does not.
var DefaultLimits = Limits{MaxBytes: 10 << 20, MaxPixels: 40_000_000}

// Why an upload is refused. Each has a Code the web layer translates.
var (
	ErrTooLarge      = &Refusal{Code: "media.too_large", msg: "file too large"}
	ErrTooManyPixels = &Refusal{Code: "media.too_many_pixels", msg: "image has too many pixels"}
	ErrNotImage      = &Refusal{Code: "media.not_image", msg: "not a PNG, JPEG, GIF or WebP image"}
	ErrEmpty         = &Refusal{Code: "media.empty", msg: "no file"}
)

// Refusal is an upload refused for what it is (not for a fault of ours).
type Refusal struct {
	Code string
	msg  string
}

func (r *Refusal) Error() string { return r.msg }

// accepted are the types sniffed from content (never from the name or
// the Content-Type the browser sent). SVG is not among them: it is a
// document that can carry scripts.
var accepted = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range Accepted() {
		m[t] = true
	}
	return m
}()

// Image is an upload re-encoded.
type Image struct {
	Data          []byte
	Type          string // image/png or image/jpeg
	Width, Height int
}

// Name is the file name the image is stored and served under: the
// SHA-256 of its bytes, so a name never changes meaning and can be cached
// forever.
func (img *Image) Name() string {
	sum := sha256.Sum256(img.Data)
	ext := ".png"
	if img.Type == "image/jpeg" {
		ext = ".jpg"
	}
	return hex.EncodeToString(sum[:]) + ext
}

// Avatar reads an uploaded picture within l and returns it cropped to a
// centred square of side pixels: photos stay JPEG, the rest become PNG.
func Avatar(r io.Reader, l Limits, side int) (*Image, error) {
	src, sniffed, err := decode(r, l)
	if err != nil {
		return nil, err
	}
	b := src.Bounds()
	edge := min(b.Dx(), b.Dy())
	crop := image.Rect(0, 0, edge, edge).Add(image.Pt(b.Min.X+(b.Dx()-edge)/2, b.Min.Y+(b.Dy()-edge)/2))
	side = min(side, edge)
	return encode(src, crop, side, side, sniffed)
}

// PostImageSide is the longest side, in pixels, of a stored image in a
// post: sharp across a wide column on a high-density screen, and a
// fraction of a phone photo's weight. The web forms and the Mastodon API
// both scale to it.
const PostImageSide = 1600

// Accepted lists the media types an upload may be, for clients to offer
// only those (the Mastodon API's instance configuration).
func Accepted() []string { return []string{"image/png", "image/jpeg", "image/gif", "image/webp"} }

// PostImage reads an image for a post within l and returns it scaled down
// (never up) to fit a square of maxSide pixels, keeping its proportions:
// photos stay JPEG, the rest become PNG.
func PostImage(r io.Reader, l Limits, maxSide int) (*Image, error) {
	src, sniffed, err := decode(r, l)
	if err != nil {
		return nil, err
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > maxSide || h > maxSide {
		// Scale the longer side to maxSide; the other keeps at least a pixel.
		if w >= h {
			w, h = maxSide, max(1, h*maxSide/b.Dx())
		} else {
			w, h = max(1, w*maxSide/b.Dy()), maxSide
		}
	}
	return encode(src, b, w, h, sniffed)
}

// decode reads an upload within l and decodes it, checking its size, the
// type sniffed from its first bytes and its declared pixels before any
// pixel is decoded.
func decode(r io.Reader, l Limits) (image.Image, string, error) {
	data, err := io.ReadAll(io.LimitReader(r, l.MaxBytes+1))
	if err != nil {
		return nil, "", fmt.Errorf("read upload: %w", err)
	}
	switch {
	case len(data) == 0:
		return nil, "", ErrEmpty
	case int64(len(data)) > l.MaxBytes:
		return nil, "", ErrTooLarge
	}
	sniffed := http.DetectContentType(data)
	if !accepted[sniffed] {
		return nil, "", ErrNotImage
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, "", ErrNotImage
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > l.MaxPixels/cfg.Height {
		return nil, "", ErrTooManyPixels
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", ErrNotImage
	}
	return src, sniffed, nil
}

// encode draws the part from of src into a new w × h image and encodes
// it: JPEG for a photo (sniffed image/jpeg), PNG for the rest.
func encode(src image.Image, from image.Rectangle, w, h int, sniffed string) (*Image, error) {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if sniffed == "image/jpeg" {
		// JPEG has no transparency: start from white, not black.
		draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	}
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, from, xdraw.Over, nil)
	out := &Image{Width: w, Height: h}
	var buf bytes.Buffer
	var err error
	if sniffed == "image/jpeg" {
		out.Type = "image/jpeg"
		err = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 85})
	} else {
		out.Type = "image/png"
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, dst)
	}
	if err != nil {
		return nil, fmt.Errorf("encode image: %w", err)
	}
	out.Data = buf.Bytes()
	return out, nil
}

// IsRefusal tells a refused upload from a fault of ours.
func IsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	ok := errors.As(err, &r)
	return r, ok
}
