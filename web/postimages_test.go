package web_test

import (
	"bytes"
	"context"
	"html"
	"image/png"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/metropolis/agora/media/mediatest"
)

// postWithImages sends a question or answer form as a browser does with
// files chosen: multipart, fields image-N and alt-N.
func (b *browser) postWithImages(path string, fields map[string]string, files map[string][]byte) page {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", b.csrf())
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for field, data := range files {
		fw, _ := mw.CreateFormFile(field, field+".png")
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.s.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

var imgSrc = regexp.MustCompile(`<img src="(/p/[^"/]+/images/(post-[0-9a-f]{64}\.png))" alt="([^"]*)"`)

// TestPostImages: an answer with an image shows it with its alt text;
// the image is re-encoded and scaled, served cacheable while the answer
// stands, never through the avatars' URL, and 404 once the answer is
// deleted. A question takes images the same way.
func TestPostImages(t *testing.T) {
	s := newSite(t)
	th := s.ask(s.cast.Toronto, "Who maps the fibre ducts?")
	marta := s.signedIn("marta")
	p := marta.postWithImages("/t/"+th.ID+"/reply",
		map[string]string{"body": "We do, see the map.", "language": "en", "alt-2": "Map of the fibre ducts in Eixample"},
		map[string][]byte{"image-2": pngOf(t, 2400, 1200)})
	if p.status != http.StatusSeeOther {
		t.Fatalf("answer with an image: %d\n%s", p.status, p.body)
	}
	page := marta.get("/t/" + th.ID)
	m := imgSrc.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no image in the thread:\n%s", page.body)
	}
	src, name, alt := m[1], m[2], m[3]
	if alt != "Map of the fibre ducts in Eixample" {
		t.Errorf("alt = %q", alt)
	}
	img := s.browser().get(src)
	if img.status != http.StatusOK || img.header.Get("Content-Type") != "image/png" ||
		!strings.Contains(img.header.Get("Cache-Control"), "max-age=31536000") || img.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("GET the image: %d %v", img.status, img.header)
	}
	cfg, err := png.DecodeConfig(strings.NewReader(img.body))
	if err != nil || cfg.Width != 1600 || cfg.Height != 800 {
		t.Errorf("served image: %d×%d (%v), want 1600×800", cfg.Width, cfg.Height, err)
	}
	for _, path := range []string{"/media/" + name, strings.Replace(src, "post-", "post-0", 1),
		"/p/" + th.ID + "/images/" + name} { // the question does not hold it
		if got := s.browser().get(path); got.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, got.status)
		}
	}

	postID := strings.Split(src, "/")[2]
	if _, err := s.rig.Service.DeletePost(context.Background(), s.cast.Barcelona, postID); err != nil {
		t.Fatal(err)
	}
	if got := s.browser().get(src); got.status != http.StatusNotFound {
		t.Errorf("image of a deleted answer: %d, want 404", got.status)
	}

	q := marta.postWithImages("/f/digitalisation/ask",
		map[string]string{"title": "Sensors on bus stops?", "body": "Like these.", "language": "en", "alt-1": "A bus stop with a sensor"},
		map[string][]byte{"image-1": pngOf(t, 300, 200)})
	if q.status != http.StatusSeeOther {
		t.Fatalf("question with an image: %d\n%s", q.status, q.body)
	}
	qsrc := imgSrc.FindStringSubmatch(marta.get(location(q)).body)
	if qsrc == nil || qsrc[3] != "A bus stop with a sensor" {
		t.Fatalf("question image: %v", qsrc)
	}
	if _, err := s.rig.Service.DeleteThread(context.Background(), s.cast.Moderator, strings.TrimPrefix(location(q), "/t/")); err != nil {
		t.Fatal(err)
	}
	if got := s.browser().get(qsrc[1]); got.status != http.StatusNotFound {
		t.Errorf("image of a deleted question: %d, want 404", got.status)
	}
}

// TestPostImageRefusals: a refused image, or one without alt text, gives
// the form back with a message in the member's language and what was
// typed; nothing is posted.
func TestPostImageRefusals(t *testing.T) {
	s := newSite(t)
	th := s.ask(s.cast.Toronto, "Who maps the fibre ducts?")
	marta := s.signedIn("marta")
	marta.lang = "fr"
	tests := []struct {
		name   string
		data   []byte
		alt    string
		status int
		want   string
	}{
		{"50 megapixels", mediatest.PNGHeader(10_000, 5_000), "Big", http.StatusUnprocessableEntity, "40 millions de pixels"},
		{"HTML named .png", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), "Page", http.StatusUnprocessableEntity, "PNG, JPEG, GIF ou WebP"},
		{"30 MB", bytes.Repeat([]byte{0x89}, 30<<20), "Huge", http.StatusUnprocessableEntity, "trop gros"},
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), "Drawing", http.StatusUnprocessableEntity, "PNG, JPEG, GIF ou WebP"},
		{"missing alt", pngOf(t, 40, 40), "  ", http.StatusUnprocessableEntity, "décrivez-la (texte alternatif)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := marta.postWithImages("/t/"+th.ID+"/reply",
				map[string]string{"body": "Voici la carte des gaines.", "language": "fr", "alt-3": tt.alt},
				map[string][]byte{"image-3": tt.data})
			if p.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", p.status, tt.status, p.body)
			}
			body := html.UnescapeString(p.body)
			for _, want := range []string{"Image 3 : ", tt.want, "Voici la carte des gaines.", "choisissez à nouveau les fichiers"} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if strings.TrimSpace(tt.alt) != "" && !strings.Contains(body, `value="`+tt.alt+`"`) {
				t.Errorf("the alt text typed is not kept")
			}
		})
	}
	if got, err := s.rig.Service.Thread(context.Background(), th.ID); err != nil || got.ReplyCount != 0 {
		t.Errorf("answers after refusals: %d (%v), want 0", got.ReplyCount, err)
	}
}
