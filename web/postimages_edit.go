package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/metropolis/agora/forum"
)

// The edit form's images: the post's own, each with its alt text to
// change and a box to remove it (fields kept-N, kept-alt-N, kept-remove-N,
// N from 1 in the post's order), and empty fields for new files beside
// them (image-N and alt-N, as on the other forms). The post keeps the
// images not removed, in order, then the new ones: at most
// forum.MaxImages in all, each described.

// keptImage is one of the post's images on the edit form.
type keptImage struct {
	N       int
	PostID  string
	Image   forum.Image
	Alt     string // as typed (the image's own at first)
	Removed bool
	// Named: the form sent back names this image (a form opened before
	// another edit does not name the images that edit added).
	Named bool
}

// keptImages are the post's images as the edit form first shows them.
func keptImages(p *forum.Post) []keptImage {
	out := make([]keptImage, len(p.Images))
	for i, img := range p.Images {
		out[i] = keptImage{N: i + 1, PostID: p.ID, Image: img, Alt: img.Alt}
	}
	return out
}

// typedKept are the post's images with what the form says of them, to
// show the form again as it was sent. The form names each image by its
// file (kept-N), so an image moved by another edit meanwhile is still
// found; one the form does not name is shown as the post has it.
func typedKept(r *http.Request, p *forum.Post) []keptImage {
	out := keptImages(p)
	for i := range out {
		for n := 1; n <= forum.MaxImages; n++ {
			f := strconv.Itoa(n)
			if r.PostForm.Get("kept-"+f) != out[i].Image.Name {
				continue
			}
			out[i].Named = true
			out[i].Alt = r.PostForm.Get("kept-alt-" + f)
			out[i].Removed = r.PostForm.Get("kept-remove-"+f) != ""
			break
		}
	}
	return out
}

// editedImages reads the images an edit form sends back: nil when the
// form carries none of it (sent without the image fields: a node with no
// media store, a script), so the post keeps its images. A refusal comes
// back as a message in the member's language, before any new file is
// stored when it is a missing alt text of a kept image.
func (s *Server) editedImages(r *http.Request, st *state, p *forum.Post) (*[]forum.Image, string, error) {
	if s.cfg.Media == nil || r.MultipartForm == nil {
		return nil, "", nil
	}
	images := []forum.Image{}
	for _, k := range typedKept(r, p) {
		if !k.Named || k.Removed {
			// Removed; or not named by the form, which was opened before
			// another edit added it: what the member saw and sent wins.
			continue
		}
		alt := strings.TrimSpace(k.Alt)
		if alt == "" {
			return nil, st.tr.T("compose.kept_image_problem", "N", k.N, "Problem", st.tr.T("compose.alt_required")), nil
		}
		img := k.Image
		img.Alt = alt
		images = append(images, img)
	}
	added, refused, err := s.formImages(r, st, "compose.new_image_problem")
	if refused != "" || err != nil {
		return nil, refused, err
	}
	images = append(images, added...)
	return &images, "", nil
}
