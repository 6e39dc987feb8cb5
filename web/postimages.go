package web

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/media"
)

// maxPostUpload bounds a question or answer form sent with images: four
// files of the largest size accepted (media.DefaultLimits), and room for
// the texts.
const maxPostUpload = forum.MaxImages*(10<<20) + maxFormBytes

// checkPostForm checks a question or answer form: multipart when it
// carries images, URL-encoded otherwise (without JavaScript, an app, a
// test).
func checkPostForm(w http.ResponseWriter, r *http.Request) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return checkForm(w, r)
	}
	return checkMultipart(w, r, maxPostUpload)
}

// postForm is post for the question and answer forms, which may carry
// images; what was typed comes back on a fault of ours, as with post.
func (s *Server) postForm(h handlerFunc) http.Handler { return s.submit(checkPostForm, true, h) }

// typedAlts are the alt texts of the form's image fields, as typed, so a
// form that comes back keeps them.
func typedAlts(r *http.Request) []string {
	alts := make([]string, forum.MaxImages)
	for i := range alts {
		alts[i] = r.PostForm.Get("alt-" + strconv.Itoa(i+1))
	}
	return alts
}

// postImages reads the form's images (fields image-1…image-4, each with
// its alt text alt-1…alt-4), checks and re-encodes them with package
// media and stores them. A refusal (a missing alt text, a file that is
// not an image or is too large) comes back as a message in the reader's
// language, before anything is stored when it is a missing alt text.
func (s *Server) postImages(r *http.Request, st *state) ([]forum.Image, string, error) {
	return s.formImages(r, st, "compose.image_problem")
}

// formImages is postImages, its refusals worded with problemKey (the
// edit form numbers its new images apart from the post's own).
func (s *Server) formImages(r *http.Request, st *state, problemKey string) ([]forum.Image, string, error) {
	if s.cfg.Media == nil || r.MultipartForm == nil {
		return nil, "", nil
	}
	type chosen struct {
		n   int
		alt string
	}
	var files []chosen
	for n := 1; n <= forum.MaxImages; n++ {
		fh := r.MultipartForm.File["image-"+strconv.Itoa(n)]
		if len(fh) == 0 || fh[0].Size == 0 && fh[0].Filename == "" {
			continue
		}
		alt := strings.TrimSpace(r.PostForm.Get("alt-" + strconv.Itoa(n)))
		if alt == "" {
			return nil, st.tr.T(problemKey, "N", n, "Problem", st.tr.T("compose.alt_required")), nil
		}
		files = append(files, chosen{n: n, alt: alt})
	}
	var out []forum.Image
	for _, c := range files {
		f, _, err := r.FormFile("image-" + strconv.Itoa(c.n))
		if err != nil {
			return nil, "", fmt.Errorf("image %d of the form: %w", c.n, err)
		}
		img, err := media.PostImage(f, media.DefaultLimits, media.PostImageSide)
		f.Close()
		if refusal, ok := media.IsRefusal(err); ok {
			return nil, st.tr.T(problemKey, "N", c.n, "Problem", st.tr.T(refusal.Code)), nil
		} else if err != nil {
			return nil, "", fmt.Errorf("image %d of the form: %w", c.n, err)
		}
		name := img.PostName()
		if err := s.cfg.Media.Put(r.Context(), name, img.Data); err != nil {
			return nil, "", fmt.Errorf("store image %d of the form: %w", c.n, err)
		}
		out = append(out, forum.Image{Name: name, Alt: c.alt, MediaType: img.Type, Width: img.Width, Height: img.Height})
	}
	return out, "", nil
}

// servePostImage serves an image of a post while the post can be seen:
// a deleted post, a post of a deleted thread or a name the post does not
// hold answer 404, as if the image never was. Its name is its hash, so a
// browser keeps it for a year; shared caches ask again within minutes
// (s-maxage), so a deleted post's images leave them soon.
func (s *Server) servePostImage(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if !media.ValidName(name) || !strings.HasPrefix(name, media.PostPrefix) {
		return forum.ErrNotFound
	}
	img, err := s.cfg.Service.PostImage(r.Context(), r.PathValue("id"), name)
	if errors.Is(err, forum.ErrGone) {
		return forum.ErrNotFound
	} else if err != nil {
		return err
	}
	f, err := s.cfg.Media.Open(r.Context(), img.Name)
	if errors.Is(err, os.ErrNotExist) {
		return forum.ErrNotFound
	} else if err != nil {
		return err
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", media.TypeOf(img.Name))
	h.Set("Cache-Control", "public, max-age=31536000, s-maxage=300, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(w, r, img.Name, time.Time{}, f)
	return nil
}
