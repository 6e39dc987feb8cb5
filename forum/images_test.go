package forum_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
)

// TestReplyImages: an answer keeps up to 4 images, each with an alt text
// (trimmed); a fifth image, a missing or overlong alt text, or an image
// without a stored file is refused and nothing is posted. A deleted
// answer's images are no longer served.
func TestReplyImages(t *testing.T) {
	w := newWorld(t)
	th := w.ask(t, w.cast.Toronto, "Who maps the fibre ducts?")
	img := func(alt string) forum.Image {
		return forum.Image{Name: "post-" + strings.Repeat("a", 64) + ".png", Alt: alt, MediaType: "image/png", Width: 4, Height: 3}
	}
	tests := []struct {
		name   string
		images []forum.Image
		field  string
	}{
		{"five images", []forum.Image{img("1"), img("2"), img("3"), img("4"), img("5")}, "images"},
		{"missing alt", []forum.Image{img("a map"), img("  ")}, "alt"},
		{"overlong alt", []forum.Image{img(strings.Repeat("x", forum.MaxAltLen+1))}, "alt"},
		{"no file", []forum.Image{{Alt: "a map"}}, "images"},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.rig.Service.Reply(ctx, w.cast.Barcelona, th.ID, "", forum.Answer{Body: "See.", Language: "en", Images: tt.images})
			var ve *forum.ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field {
				t.Fatalf("Reply = %v, want a validation error on %s", err, tt.field)
			}
		})
	}
	p, err := w.rig.Service.Reply(ctx, w.cast.Barcelona, th.ID, "", forum.Answer{Body: "See.", Language: "en",
		Images: []forum.Image{img("  A map of the ducts "), img("The square")}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.rig.Service.PostImage(ctx, p.ID, img("").Name)
	if err != nil || got.Alt != "A map of the ducts" {
		t.Fatalf("PostImage = %+v, %v; want the first image, its alt trimmed", got, err)
	}
	if th, _ := w.rig.Service.Thread(ctx, th.ID); th.ReplyCount != 1 {
		t.Errorf("%d answers, want 1 (refused ones are not posted)", th.ReplyCount)
	}
	if _, err := w.rig.Service.DeletePost(ctx, w.cast.Barcelona, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.rig.Service.PostImage(ctx, p.ID, img("").Name); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("image of a deleted answer: %v, want ErrNotFound", err)
	}
}
