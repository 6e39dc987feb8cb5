package mastoapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/media"
	"github.com/metropolis/agora/personal"
)

// Images from apps come in Mastodon's two steps: the file first (POST
// /api/v2/media), re-encoded exactly as the web form's images are
// (media.PostImage), then the status that names it in media_ids. Between
// the two the upload is its uploader's alone; a post takes it, or it
// expires.
const (
	// UploadTTL is how long an upload waits for a status: an app posts
	// within minutes; a day leaves room for a draft.
	UploadTTL = 24 * time.Hour
	// maxWaitingUploads bounds a member's uploads no post took yet, so a
	// token cannot fill the disk with files nobody will see.
	maxWaitingUploads = 4 * forum.MaxImages
	// maxUploadBody bounds an upload request: the largest file accepted,
	// and room for the description and the multipart framing.
	maxUploadBody = 10<<20 + 64<<10
)

// attachmentJSON is Mastodon's MediaAttachment entity.
type attachmentJSON struct {
	ID               string    `json:"id"`
	Type             string    `json:"type"`
	URL              string    `json:"url"`
	PreviewURL       *string   `json:"preview_url"`
	RemoteURL        *string   `json:"remote_url"`
	PreviewRemoteURL *string   `json:"preview_remote_url"`
	TextURL          *string   `json:"text_url"`
	Meta             *metaJSON `json:"meta"`
	Description      *string   `json:"description"`
	Blurhash         *string   `json:"blurhash"`
}

type metaJSON struct {
	Original sizeJSON `json:"original"`
	Small    sizeJSON `json:"small"`
}

type sizeJSON struct {
	Width  int     `json:"width"`
	Height int     `json:"height"`
	Size   string  `json:"size"`
	Aspect float64 `json:"aspect"`
}

func sizeOf(w, h int) sizeJSON {
	return sizeJSON{Width: w, Height: h, Size: fmt.Sprintf("%dx%d", w, h), Aspect: float64(w) / float64(h)}
}

// imageAttachment is an image this node keeps, served at url.
func imageAttachment(id, url, alt string, w, h int) attachmentJSON {
	a := attachmentJSON{ID: id, Type: "image", URL: url, PreviewURL: &url}
	if alt != "" {
		a.Description = &alt
	}
	if w > 0 && h > 0 {
		// The stored file is the only size agora makes: small is the same.
		a.Meta = &metaJSON{Original: sizeOf(w, h), Small: sizeOf(w, h)}
	}
	return a
}

// attachments are a post's media: the images a member of this node put
// in it (served through the post, so only while it is visible), or what a
// received post carries, as links to its origin (agora keeps no copy).
func (a *API) attachments(p *forum.Post) []attachmentJSON {
	out := []attachmentJSON{}
	for i, img := range p.Images {
		out = append(out, imageAttachment(fmt.Sprintf("%s-%d", p.ID, i+1), a.cfg.URLs.PostImage(p.ID, img.Name),
			img.Alt, img.Width, img.Height))
	}
	for i, m := range p.Extras.Media {
		if !strings.HasPrefix(m.URL, "https://") && !strings.HasPrefix(m.URL, "http://") {
			continue
		}
		url := m.URL
		at := attachmentJSON{ID: fmt.Sprintf("%s-%d", p.ID, i+1), Type: "unknown", URL: url, RemoteURL: &url}
		switch m.Kind {
		case forum.MediaImage:
			at.Type, at.PreviewURL = "image", &url
		case forum.MediaVideo:
			at.Type = "video"
		case forum.MediaAudio:
			at.Type = "audio"
		}
		if m.Name != "" {
			name := m.Name
			at.Description = &name
		}
		out = append(out, at)
	}
	return out
}

// uploadAttachment is an upload waiting for its status. Its file is
// served to its uploader only (mediaFile): it is no post's yet.
func (a *API) uploadAttachment(u *personal.Upload) attachmentJSON {
	return imageAttachment(u.ID, a.cfg.URLs.Abs("/api/v1/media/"+u.ID+"/file"), u.Description, u.Width, u.Height)
}

// mediaEnabled tells whether this node takes images from apps: it needs a
// media store and a place for the uploads.
func (a *API) mediaEnabled() bool { return a.cfg.Media != nil && a.cfg.Uploads != nil }

// checkDescription trims an image description and checks it as the
// forum checks alt text.
func checkDescription(d string) (string, error) {
	d = strings.TrimSpace(d)
	if !utf8.ValidString(d) {
		return "", &forum.ValidationError{Field: "alt", Code: "error.text_encoding", Message: "is not valid text"}
	}
	if utf8.RuneCountInString(d) > forum.MaxAltLen {
		return "", &forum.ValidationError{Field: "alt", Code: "error.too_long", Message: "is too long"}
	}
	return d, nil
}

// uploadMedia is POST /api/v1/media and /api/v2/media: a multipart
// "file" and an optional "description". The image is re-encoded and
// stored at once, so the answer is final (200, with its url): apps never
// have to poll for it.
func (a *API) uploadMedia(w http.ResponseWriter, r *http.Request, c *call) error {
	if !a.mediaEnabled() {
		return errNoMedia
	}
	ctx := r.Context()
	now := a.cfg.Now()
	// Expired uploads go as new ones come: the table grows only with
	// uploads, so sweeping here bounds it without a worker.
	if _, err := a.cfg.Uploads.DeleteUploadsBefore(ctx, now.Add(-UploadTTL)); err != nil {
		return fmt.Errorf("sweep expired uploads: %w", err)
	}
	n, err := a.cfg.Uploads.CountUploads(ctx, c.member.ID, now.Add(-UploadTTL))
	if err != nil {
		return err
	}
	if n >= maxWaitingUploads {
		return invalid("api.error.uploads_waiting", "Limit", limitArg(maxWaitingUploads))
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadBody)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return problem(media.ErrTooLarge.Code)
		}
		return badRequest("api.error.malformed")
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }() // temporary files of the parse; nothing to tell the client
	desc, err := checkDescription(r.FormValue("description"))
	if err != nil {
		return err
	}
	f, _, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) {
		return problem(media.ErrEmpty.Code)
	} else if err != nil {
		return badRequest("api.error.malformed")
	}
	defer f.Close()
	img, err := media.PostImage(f, media.DefaultLimits, media.PostImageSide)
	if refusal, ok := media.IsRefusal(err); ok {
		return problem(refusal.Code)
	} else if err != nil {
		return fmt.Errorf("upload of %s: %w", c.member.ID, err)
	}
	name := img.PostName()
	if err := a.cfg.Media.Put(ctx, name, img.Data); err != nil {
		return fmt.Errorf("store upload of %s: %w", c.member.ID, err)
	}
	u := &personal.Upload{ID: a.cfg.IDs.New(), OwnerID: c.member.ID, Name: name, MediaType: img.Type,
		Width: img.Width, Height: img.Height, Description: desc, CreatedAt: now}
	if err := a.cfg.Uploads.AddUpload(ctx, u); err != nil {
		return err
	}
	return ok(w, a.uploadAttachment(u))
}

// ownUpload loads the caller's upload named in the path: anyone else's, or
// an expired one, is not found.
func (a *API) ownUpload(r *http.Request, c *call) (*personal.Upload, error) {
	if !a.mediaEnabled() {
		return nil, errNotFound
	}
	return a.cfg.Uploads.Upload(r.Context(), c.member.ID, r.PathValue("id"), a.cfg.Now().Add(-UploadTTL))
}

// getMedia is GET /api/v1/media/{id}.
func (a *API) getMedia(w http.ResponseWriter, r *http.Request, c *call) error {
	u, err := a.ownUpload(r, c)
	if err != nil {
		return err
	}
	return ok(w, a.uploadAttachment(u))
}

// describeMedia is PUT /api/v1/media/{id}: the description (alt text) an
// app sets before posting.
func (a *API) describeMedia(w http.ResponseWriter, r *http.Request, c *call) error {
	u, err := a.ownUpload(r, c)
	if err != nil {
		return err
	}
	if _, given := c.params["description"]; !given {
		return ok(w, a.uploadAttachment(u))
	}
	desc, err := checkDescription(c.params.get("description"))
	if err != nil {
		return err
	}
	if err := a.cfg.Uploads.DescribeUpload(r.Context(), c.member.ID, u.ID, a.cfg.Now().Add(-UploadTTL), desc); err != nil {
		return err
	}
	u.Description = desc
	return ok(w, a.uploadAttachment(u))
}

// mediaFile is GET /api/v1/media/{id}/file: an upload's image, to its
// uploader only (with the token, like every call), until a post takes it;
// from then on the post serves it.
func (a *API) mediaFile(w http.ResponseWriter, r *http.Request, c *call) error {
	u, err := a.ownUpload(r, c)
	if err != nil {
		return err
	}
	f, err := a.cfg.Media.Open(r.Context(), u.Name)
	if errors.Is(err, os.ErrNotExist) {
		return errNotFound
	} else if err != nil {
		return fmt.Errorf("open upload %s: %w", u.ID, err)
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", media.TypeOf(u.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	_, err = io.Copy(w, f)
	if err != nil {
		a.cfg.Logger.Debug("upload file copy", "id", u.ID, "err", err) // the client went away
	}
	return nil
}

// attach turns a status's media_ids into the post's images: each must be
// the caller's own waiting upload, with a description (agora requires
// alt text), at most forum.MaxImages. Nothing is attached on a refusal.
func (a *API) attach(r *http.Request, c *call) ([]forum.Image, []forum.ID, error) {
	var ids []forum.ID
	seen := map[string]bool{}
	for _, id := range c.params.all("media_ids") {
		if id = strings.TrimSpace(id); id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil, nil
	}
	if !a.mediaEnabled() {
		return nil, nil, errNoMedia
	}
	if len(ids) > forum.MaxImages {
		return nil, nil, invalid("api.error.too_many_media", "Limit", limitArg(forum.MaxImages))
	}
	var images []forum.Image
	var missing []string
	for _, id := range ids {
		u, err := a.cfg.Uploads.Upload(r.Context(), c.member.ID, id, a.cfg.Now().Add(-UploadTTL))
		if errors.Is(err, forum.ErrNotFound) {
			missing = append(missing, id)
			continue
		} else if err != nil {
			return nil, nil, err
		}
		if strings.TrimSpace(u.Description) == "" {
			return nil, nil, invalid("api.error.media_description", "ID", id)
		}
		images = append(images, forum.Image{Name: u.Name, Alt: u.Description, MediaType: u.MediaType,
			Width: u.Width, Height: u.Height})
	}
	if len(missing) > 0 {
		return nil, nil, invalid("api.error.media_not_found", "IDs", strings.Join(missing, ", "))
	}
	return images, ids, nil
}
