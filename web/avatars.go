package web

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/media"
	"github.com/metropolis/agora/uris"
)

// avatarSide is the side, in pixels, of a stored profile picture: twice
// the largest shown (48 CSS px on high-density screens is 96; the profile
// page shows 128).
const avatarSide = 256

// maxUploadBody bounds an upload request: the largest file accepted and
// room for the multipart framing and the CSRF field.
const maxUploadBody = 10<<20 + 64<<10

type avatarData struct {
	Member *forum.Member
	Action string
	Error  string
}

func (s *Server) avatarMember(r *http.Request) (*forum.Member, error) {
	m, err := s.cfg.Service.MemberByUsername(r.Context(), r.PathValue("username"))
	if err != nil {
		return nil, err
	}
	if err := forum.CanEditProfile(stateOf(r).viewer, m); err != nil {
		return nil, err
	}
	return m, nil
}

// avatarForm is the profile picture page: the picture, a file to choose
// and a way to remove it.
func (s *Server) avatarForm(w http.ResponseWriter, r *http.Request) error {
	m, err := s.avatarMember(r)
	if err != nil {
		return err
	}
	return s.showAvatarForm(w, r, http.StatusOK, m, "")
}

func (s *Server) showAvatarForm(w http.ResponseWriter, r *http.Request, status int, m *forum.Member, errMsg string) error {
	st := stateOf(r)
	s.render(w, r, status, "avatar", st.tr.T("avatar.title"),
		avatarData{Member: m, Action: uris.MemberPath(m.Username) + "/avatar", Error: errMsg})
	return nil
}

// uploadAvatar takes a picture (multipart field "avatar") or removes the
// current one (remove=1). The file is checked and re-encoded by package
// media before anything is stored; a refused file says why, in the
// member's language.
func (s *Server) uploadAvatar(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	m, err := s.avatarMember(r)
	if err != nil {
		return err
	}
	if r.PostForm.Get("remove") == "1" {
		if _, err := s.cfg.Service.SetAvatar(r.Context(), st.viewer, m.ID, ""); err != nil {
			return err
		}
		return s.redirectFlash(w, r, uris.MemberPath(m.Username), "flash.avatar_removed")
	}
	f, _, err := r.FormFile("avatar")
	if errors.Is(err, http.ErrMissingFile) {
		return s.showAvatarForm(w, r, http.StatusBadRequest, m, st.tr.T(media.ErrEmpty.Code))
	} else if err != nil {
		return &httpError{status: http.StatusBadRequest, msgID: "error.bad_form", err: err}
	}
	defer f.Close()
	img, err := media.Avatar(f, media.DefaultLimits, avatarSide)
	if refusal, ok := media.IsRefusal(err); ok {
		status := http.StatusUnprocessableEntity
		switch refusal {
		case media.ErrTooLarge:
			status = http.StatusRequestEntityTooLarge
		case media.ErrEmpty:
			status = http.StatusBadRequest
		}
		return s.showAvatarForm(w, r, status, m, st.tr.T(refusal.Code))
	} else if err != nil {
		return fmt.Errorf("avatar of %s: %w", m.Username, err)
	}
	if err := s.cfg.Media.Put(r.Context(), img.Name(), img.Data); err != nil {
		return fmt.Errorf("store avatar of %s: %w", m.Username, err)
	}
	if _, err := s.cfg.Service.SetAvatar(r.Context(), st.viewer, m.ID, img.Name()); err != nil {
		return err
	}
	return s.redirectFlash(w, r, uris.MemberPath(m.Username), "flash.avatar_saved")
}

// serveMedia serves an image of the media store. Its name is its hash,
// so it is cached for a year; it is served as the image type its name
// says, never sniffed, and can run nothing.
func (s *Server) serveMedia(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if !media.ValidName(name) || strings.HasPrefix(name, media.PostPrefix) {
		// An image of a post is served through its post (servePostImage),
		// only while the post is visible.
		return forum.ErrNotFound
	}
	f, err := s.cfg.Media.Open(r.Context(), name)
	if errors.Is(err, os.ErrNotExist) {
		return forum.ErrNotFound
	} else if err != nil {
		return err
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", media.TypeOf(name))
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(w, r, name, time.Time{}, f)
	return nil
}

// checkUpload parses a multipart form of at most maxUploadBody bytes and
// checks its CSRF token, as checkForm does for the other forms.
func checkUpload(w http.ResponseWriter, r *http.Request) error {
	return checkMultipart(w, r, maxUploadBody)
}

// checkMultipart parses a multipart form of at most limit bytes (a larger
// one is 413, told as the upload's size fault) and checks its CSRF token.
func checkMultipart(w http.ResponseWriter, r *http.Request, limit int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &httpError{status: http.StatusRequestEntityTooLarge, msgID: media.ErrTooLarge.Code, err: err}
		}
		return &httpError{status: http.StatusBadRequest, msgID: "error.bad_form", err: err}
	}
	return checkCSRF(r)
}

// upload is post for multipart forms (files). A file cannot be given
// back in a page, so a fault on our side is not answered with the form as
// typed.
func (s *Server) upload(h handlerFunc) http.Handler { return s.submit(checkUpload, false, h) }
