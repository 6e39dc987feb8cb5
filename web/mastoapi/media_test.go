package mastoapi_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/testrig"
)

// pngOf is a w × h PNG, as a phone would send one.
func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{R: 200, G: 40, B: 90, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// uploadImage sends a w × h image to path as an app does (multipart
// "file", and "description" when given).
func (s *site) uploadImage(token, path string, w, h int, description string) reply {
	s.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile("file", "square.png")
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := fw.Write(pngOf(s.t, w, h)); err != nil {
		s.t.Fatal(err)
	}
	if description != "" {
		if err := mw.WriteField("description", description); err != nil {
			s.t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		s.t.Fatal(err)
	}
	return s.send(token, "POST", path, http.Header{"Content-Type": {mw.FormDataContentType()}}, &b)
}

// uploaded uploads an image and returns its attachment.
func (s *site) uploaded(token string, description string) map[string]any {
	s.t.Helper()
	r := s.uploadImage(token, "/api/v2/media", 40, 30, description)
	if r.status != 200 {
		s.t.Fatalf("upload: %d %s", r.status, r.body)
	}
	return r.obj(s.t)
}

// TestMediaUploadDescribePost: an app uploads an image, describes it,
// posts a status naming it; the status lists it as a MediaAttachment and
// the thread page shows it with its alt text. As a question (JSON body)
// and as an answer (form body, media_ids[]).
func TestMediaUploadDescribePost(t *testing.T) {
	s := newSite(t)
	tok := s.login("marta", "read write")
	conf := s.call("", "GET", "/api/v2/instance", nil).obj(t)["configuration"].(map[string]any)
	statuses, media := conf["statuses"].(map[string]any), conf["media_attachments"].(map[string]any)
	if statuses["max_media_attachments"] != float64(forum.MaxImages) || media["image_size_limit"] != float64(10<<20) ||
		fmt.Sprint(media["supported_mime_types"]) != "[image/png image/jpeg image/gif image/webp]" {
		t.Fatalf("instance v2 configuration: %v %v", statuses, media)
	}
	v1 := s.call("", "GET", "/api/v1/instance", nil).obj(t)["configuration"].(map[string]any)
	if v1["statuses"].(map[string]any)["max_media_attachments"] != float64(forum.MaxImages) {
		t.Fatalf("instance v1 configuration: %v", v1)
	}
	th, err := s.node.Service.Ask(t.Context(), s.joao, s.forum.ID, questionOf("Where do people learn to use e-government?"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		body func(ids ...string) any
	}{
		{"question, JSON", func(ids ...string) any {
			return map[string]any{"status": "@digitalisation Which square has free wifi?\nThe one in the picture.",
				"media_ids": ids, "language": "en"}
		}},
		{"answer, form", func(ids ...string) any {
			return url.Values{"status": {"This one, in Gràcia."}, "in_reply_to_id": {th.ID}, "media_ids[]": ids}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := s.uploaded(tok, "")
			id, _ := up["id"].(string)
			meta, _ := up["meta"].(map[string]any)
			if id == "" || up["type"] != "image" || up["description"] != nil || meta == nil ||
				meta["original"].(map[string]any)["width"] != float64(40) || meta["original"].(map[string]any)["aspect"] != 40.0/30 {
				t.Fatalf("upload: %v", up)
			}
			file := s.send(tok, "GET", "/api/v1/media/"+id+"/file", nil, nil)
			if _, err := png.Decode(bytes.NewReader(file.body)); file.status != 200 || err != nil {
				t.Fatalf("own upload's file: %d %v", file.status, err)
			}
			alt := "The Plaça del Sol, with the wifi sign on the kiosk"
			r := s.call(tok, "PUT", "/api/v1/media/"+id, map[string]any{"description": "  " + alt + " "})
			if r.status != 200 || r.obj(t)["description"] != alt {
				t.Fatalf("describe: %d %s", r.status, r.body)
			}
			if got := s.call(tok, "GET", "/api/v1/media/"+id, nil).obj(t)["description"]; got != alt {
				t.Fatalf("described upload reads %v", got)
			}
			r = s.call(tok, "POST", "/api/v1/statuses", tt.body(id))
			if r.status != 200 {
				t.Fatalf("post: %d %s", r.status, r.body)
			}
			st := r.obj(t)
			atts, _ := st["media_attachments"].([]any)
			if len(atts) != 1 {
				t.Fatalf("attachments: %s", r.body)
			}
			att := atts[0].(map[string]any)
			imgURL, _ := att["url"].(string)
			postID := st["id"].(string)
			if att["type"] != "image" || att["description"] != alt || att["preview_url"] != imgURL ||
				!strings.HasPrefix(imgURL, s.base+"/p/"+postID+"/images/post-") ||
				att["meta"].(map[string]any)["original"].(map[string]any)["height"] != float64(30) {
				t.Fatalf("attachment: %v", att)
			}
			// The same on a read, signed out.
			again := s.call("", "GET", "/api/v1/statuses/"+postID, nil).obj(t)["media_attachments"].([]any)
			if len(again) != 1 || again[0].(map[string]any)["url"] != imgURL {
				t.Fatalf("status read again: %v", again)
			}
			// The image is the post's now: served publicly, shown on the
			// thread page with its alt text; the upload is gone.
			if img := s.call("", "GET", strings.TrimPrefix(imgURL, s.base), nil); img.status != 200 {
				t.Fatalf("image: %d", img.status)
			}
			threadURL, _ := st["url"].(string)
			page := s.call("", "GET", strings.TrimPrefix(strings.Split(threadURL, "#")[0], s.base), nil)
			if page.status != 200 || !strings.Contains(string(page.body), strings.TrimPrefix(imgURL, s.base)) ||
				!strings.Contains(string(page.body), "The Plaça del Sol") {
				t.Fatalf("thread page without the image: %d", page.status)
			}
			if r := s.call(tok, "GET", "/api/v1/media/"+id, nil); r.status != 404 {
				t.Fatalf("taken upload: %d %s", r.status, r.body)
			}
			// An edit keeps the images when the app sends their ids (as
			// Tusky and Elk do); another list changes them.
			attID := att["id"].(string)
			r = s.call(tok, "PUT", "/api/v1/statuses/"+postID, map[string]any{"status": "Edited: this one.", "media_ids": []string{attID}})
			if kept, _ := r.obj(t)["media_attachments"].([]any); r.status != 200 || len(kept) != 1 {
				t.Fatalf("edit keeping the image: %d %s", r.status, r.body)
			}
			other := s.uploaded(tok, "Another view of the square")["id"].(string)
			r = s.call(tok, "PUT", "/api/v1/statuses/"+postID, map[string]any{"status": "Edited again.", "media_ids": []string{attID, other}})
			if both, _ := r.obj(t)["media_attachments"].([]any); r.status != 200 || len(both) != 2 ||
				both[1].(map[string]any)["description"] != "Another view of the square" {
				t.Fatalf("edit adding an image: %d %s", r.status, r.body)
			}
		})
	}
}

// TestMediaRefusals: what agora does not take, in Mastodon's shape, and
// nothing is posted.
func TestMediaRefusals(t *testing.T) {
	s := newSite(t)
	marta := s.login("marta", "read write")
	joao := s.login("joao", "read write")
	th, err := s.node.Service.Ask(t.Context(), s.joao, s.forum.ID, questionOf("Where do people learn to use e-government?"))
	if err != nil {
		t.Fatal(err)
	}
	undescribed := s.uploaded(marta, "")["id"].(string)
	var described []string
	for i := range forum.MaxImages + 1 {
		described = append(described, s.uploaded(marta, fmt.Sprintf("Photo %d of the library", i+1))["id"].(string))
	}
	reply := func(ids ...string) map[string]any {
		return map[string]any{"status": "Here it is.", "in_reply_to_id": th.ID, "media_ids": ids}
	}
	tests := []struct {
		name   string
		token  string
		method string
		path   string
		body   any
		status int
		want   string
	}{
		{"no description", marta, "POST", "/api/v1/statuses", reply(undescribed), 422,
			"Validation failed: image " + undescribed + " has no description; agora requires one (alt text) for people who cannot see it. Describe it, then post again"},
		{"five images", marta, "POST", "/api/v1/statuses", reply(described...), 422,
			"Validation failed: a post may carry up to 4 images"},
		{"someone else's upload", joao, "POST", "/api/v1/statuses", reply(described[0]), 422,
			"Validation failed: no upload of yours waits under the ids " + described[0] + " (unknown, already posted or expired)"},
		{"an unknown id", marta, "POST", "/api/v1/statuses", reply("01J00000000000000000000000"), 422, ""},
		{"read someone else's upload", joao, "GET", "/api/v1/media/" + described[0], nil, 404, "Record not found"},
		{"fetch someone else's file", joao, "GET", "/api/v1/media/" + described[0] + "/file", nil, 404, "Record not found"},
		{"describe someone else's upload", joao, "PUT", "/api/v1/media/" + undescribed, map[string]any{"description": "Mine now"}, 404, ""},
		{"description too long", marta, "PUT", "/api/v1/media/" + undescribed,
			map[string]any{"description": strings.Repeat("a", forum.MaxAltLen+1)}, 422, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.call(tt.token, tt.method, tt.path, tt.body)
			got, _ := r.obj(t)["error"].(string)
			if r.status != tt.status || (tt.want != "" && got != tt.want) || got == "" {
				t.Fatalf("%d %s, want %d %q", r.status, r.body, tt.status, tt.want)
			}
		})
	}
	if v, _ := s.node.Service.ReadThread(t.Context(), nil, th.ID, ""); len(v.Posts.Items) != 1 {
		t.Fatal("a refused status was stored")
	}
	// Refusals took nothing: marta still has her uploads, undescribed.
	if r := s.call(marta, "GET", "/api/v1/media/"+undescribed, nil); r.status != 200 || r.obj(t)["description"] != nil {
		t.Fatalf("upload after refusals: %d %s", r.status, r.body)
	}
	if r := s.call(marta, "GET", "/api/v1/media/"+described[0], nil); r.status != 200 {
		t.Fatalf("upload after someone else tried it: %d %s", r.status, r.body)
	}
}

// TestMediaScopes: uploading and describing need write:media (or write);
// a token without it is refused, one with only it may upload.
func TestMediaScopes(t *testing.T) {
	s := newSite(t)
	full := s.login("marta", "read write")
	id := s.uploaded(full, "")["id"].(string)
	tests := []struct {
		name   string
		scope  string
		method string
		path   string
		status int
	}{
		{"upload with read", "read", "POST", "/api/v2/media", 403},
		{"upload with write:statuses", "write:statuses", "POST", "/api/v1/media", 403},
		{"upload with write:media", "write:media", "POST", "/api/v2/media", 200},
		{"read upload with read", "read", "GET", "/api/v1/media/" + id, 403},
		{"describe with write:statuses", "write:statuses", "PUT", "/api/v1/media/" + id, 403},
		{"describe with write:media", "write:media", "PUT", "/api/v1/media/" + id, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := s.login("marta", tt.scope)
			var r reply
			if tt.method == "POST" {
				r = s.uploadImage(tok, tt.path, 8, 8, "A dot")
			} else {
				r = s.call(tok, tt.method, tt.path, map[string]any{"description": "A kiosk"})
			}
			if r.status != tt.status {
				t.Fatalf("%d %s, want %d", r.status, r.body, tt.status)
			}
		})
	}
}

// TestMediaWithoutStore: a node that keeps no images says so, in
// Mastodon's shape, and advertises none.
func TestMediaWithoutStore(t *testing.T) {
	s := newSite(t, func(c *node.Config) { c.Media = nil })
	tok := s.login("marta", "read write")
	r := s.uploadImage(tok, "/api/v2/media", 8, 8, "A dot")
	if got := r.obj(t)["error"]; r.status != 422 || got != "Validation failed: this node keeps no images, so none can be attached" {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	conf := s.call("", "GET", "/api/v2/instance", nil).obj(t)["configuration"].(map[string]any)
	if conf["statuses"].(map[string]any)["max_media_attachments"] != float64(0) {
		t.Fatalf("configuration: %v", conf)
	}
}

// TestReceivedImageAttachment: a post received with an image lists it
// in media_attachments, a link to its origin with its alt text.
func TestReceivedImageAttachment(t *testing.T) {
	hub, city := newSite(t), newSite(t)
	ctx := t.Context()
	if _, err := city.node.Federation.Join(ctx, forum.SystemActor(), hub.node.URLs.Forum(hub.forum.Slug)); err != nil {
		t.Fatal(err)
	}
	testrig.Eventually(t, "the city's follow accepted", func() (bool, string) {
		j, err := city.node.Federation.Joined(ctx)
		if err != nil || len(j) != 1 {
			return false, "not joined"
		}
		return j[0].State == "accepted", string(j[0].State)
	})
	q := questionOf("Which libraries lend laptops?")
	name := "post-" + strings.Repeat("c", 64) + ".png"
	q.Images = []forum.Image{{Name: name, Alt: "Laptops on a library shelf", MediaType: "image/png", Width: 40, Height: 30}}
	th, err := hub.node.Service.Ask(ctx, hub.joao, hub.forum.ID, q)
	if err != nil {
		t.Fatal(err)
	}
	var copyOnCity *forum.Thread
	testrig.Eventually(t, "the question on the city", func() (bool, string) {
		copyOnCity, err = city.node.Service.ThreadByURI(ctx, hub.node.URLs.Thread(th.ID))
		return err == nil, "not yet"
	})
	tok := city.login("marta", "read")
	r := city.call(tok, "GET", "/api/v1/statuses/"+copyOnCity.RootPostID, nil)
	atts, _ := r.obj(t)["media_attachments"].([]any)
	if r.status != 200 || len(atts) != 1 {
		t.Fatalf("received status: %d %s", r.status, r.body)
	}
	att := atts[0].(map[string]any)
	want := hub.node.URLs.PostImage(th.RootPostID, name)
	if att["type"] != "image" || att["url"] != want || att["remote_url"] != want || att["preview_url"] != want ||
		att["description"] != "Laptops on a library shelf" {
		t.Fatalf("received attachment: %v", att)
	}
}
