package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/metropolis/agora/media/mediatest"
)

// uploadAvatar posts a file as the profile picture form does.
func (b *browser) uploadAvatar(username, filename string, data []byte) page {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", b.csrf())
	fw, _ := mw.CreateFormFile("avatar", filename)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", b.s.srv.URL+"/u/"+username+"/avatar", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestAvatarUpload: a member's picture is re-encoded, stored, shown on the
// profile, served cacheable and unsniffable, and removable; only its owner
// can change it.
func TestAvatarUpload(t *testing.T) {
	s := newSite(t)
	marta := s.signedIn("marta")
	mustContain(t, marta.get("/u/marta"), `<a href="/u/marta/avatar">Change my picture</a>`)
	p := marta.uploadAvatar("marta", "me.png", pngOf(t, 600, 400))
	if p.status != http.StatusSeeOther || location(p) != "/u/marta" {
		t.Fatalf("upload: %d %s\n%s", p.status, location(p), p.body)
	}
	m, err := s.rig.Service.MemberByUsername(context.Background(), "marta")
	if err != nil || m.Avatar == "" {
		t.Fatalf("no avatar stored: %v", err)
	}
	mustContain(t, marta.get("/u/marta"), `<img class="avatar" src="/media/`+m.Avatar+`"`, "Your picture is saved.")
	img := s.browser().get("/media/" + m.Avatar)
	if img.status != http.StatusOK || img.header.Get("Content-Type") != "image/png" ||
		!strings.Contains(img.header.Get("Cache-Control"), "immutable") || img.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("GET the picture: %d %v", img.status, img.header)
	}
	cfg, err := png.DecodeConfig(strings.NewReader(img.body))
	if err != nil || cfg.Width != 256 || cfg.Height != 256 {
		t.Errorf("served picture: %d×%d (%v), want 256×256", cfg.Width, cfg.Height, err)
	}
	// Someone else cannot change it; a visitor is sent to sign in.
	if p := s.signedIn("priya").uploadAvatar("marta", "x.png", pngOf(t, 10, 10)); p.status != http.StatusForbidden {
		t.Errorf("another member's upload: %d, want 403", p.status)
	}
	for _, bad := range []string{"/media/..%2Fforum.db", "/media/" + strings.Repeat("0", 64) + ".png", "/media/x.svg"} {
		if p := s.browser().get(bad); p.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", bad, p.status)
		}
	}
	// Removing it.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", marta.csrf())
	mw.WriteField("remove", "1")
	mw.Close()
	req, _ := http.NewRequest("POST", s.srv.URL+"/u/marta/avatar", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if p := marta.do(req); p.status != http.StatusSeeOther {
		t.Fatalf("remove: %d", p.status)
	}
	if m, _ := s.rig.Service.MemberByUsername(context.Background(), "marta"); m.Avatar != "" {
		t.Error("the picture is still set")
	}
}

// TestAvatarRefusals: each refused file says why in the member's language,
// and the picture stays as it was.
func TestAvatarRefusals(t *testing.T) {
	s := newSite(t)
	marta := s.signedIn("marta")
	marta.lang = "fr"
	huge := &bytes.Buffer{}
	huge.Write(pngOf(t, 4, 4))
	huge.Write(bytes.Repeat([]byte{0}, 30<<20))
	tests := []struct {
		name, file string
		data       []byte
		status     int
		want       string
	}{
		{"30 MB", "big.png", huge.Bytes(), http.StatusRequestEntityTooLarge, "Ce fichier est trop gros"},
		{"50 megapixels", "wide.png", mediatest.PNGHeader(10_000, 5_000), http.StatusUnprocessableEntity, "40 millions de pixels"},
		{"HTML named .png", "page.png", []byte("<html><body><script>alert(1)</script></body></html>"), http.StatusUnprocessableEntity, "n’est pas une image PNG, JPEG, GIF ou WebP"},
		{"SVG", "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), http.StatusUnprocessableEntity, "n’est pas une image PNG, JPEG, GIF ou WebP"},
		{"empty", "none.png", nil, http.StatusBadRequest, "Choisissez d’abord un fichier."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := marta.uploadAvatar("marta", tt.file, tt.data)
			if p.status != tt.status {
				t.Fatalf("status %d, want %d\n%.300s", p.status, tt.status, p.body)
			}
			mustContain(t, p, tt.want)
		})
	}
	if m, _ := s.rig.Service.MemberByUsername(context.Background(), "marta"); m.Avatar != "" {
		t.Error("a refused file became the picture")
	}
}
