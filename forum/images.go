package forum

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxImages bounds the images of one question or answer.
const MaxImages = 4

// MaxAltLen bounds an image's alt text (as long as a received one may be).
const MaxAltLen = maxExtraText

// Image is an image a member of this node put in a post: a file of the
// node's media store (its Name), described by Alt for people who cannot
// see it. It is served only while its post is visible.
type Image struct {
	Name      string
	Alt       string
	MediaType string
	Width     int
	Height    int
}

var (
	errTooManyImages = invalid("images", "error.too_many_images", "has more than 4 images")
	errAltRequired   = invalid("alt", "error.alt_required", "is required for every image")
	errAltTooLong    = invalid("alt", "error.too_long", "is too long")
	errImageFile     = invalid("images", "error.bad_image", "is not a stored image")
)

// checkImages checks a post's images: at most MaxImages, each with a
// file name and an alt text. The alt texts come back trimmed.
func checkImages(in []Image) ([]Image, error) {
	if len(in) > MaxImages {
		return nil, errTooManyImages
	}
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]Image, len(in))
	for i, img := range in {
		img.Alt = strings.TrimSpace(img.Alt)
		switch {
		case img.Name == "" || img.MediaType == "" || img.Width <= 0 || img.Height <= 0:
			return nil, errImageFile
		case img.Alt == "" || !utf8.ValidString(img.Alt):
			return nil, errAltRequired
		case utf8.RuneCountInString(img.Alt) > MaxAltLen:
			return nil, errAltTooLong
		}
		out[i] = img
	}
	return out, nil
}

// PostImage returns the image named of a post, with the post, while the
// post can be seen: ErrNotFound for a name the post does not hold or a
// deleted post, ErrGone for a post of a deleted thread. An image is as
// public as its post and no more.
func (s *Service) PostImage(ctx context.Context, postID ID, name string) (*Image, error) {
	p, _, err := s.PostInThread(ctx, postID)
	if err != nil {
		return nil, err
	}
	if p.Deleted() {
		return nil, ErrNotFound
	}
	for _, img := range p.Images {
		if img.Name == name {
			return &img, nil
		}
	}
	return nil, fmt.Errorf("image %s of post %s: %w", name, postID, ErrNotFound)
}
