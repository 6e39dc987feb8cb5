package mastoapi_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestEditStatusMedia: PUT /api/v1/statuses/{id} changes a post's images
// as Mastodon does: media_ids is the list from now on (kept, reordered,
// added from the caller's uploads, or none), media_attributes re-describe
// them; what cannot be taken is refused and the post stays as it was.
func TestEditStatusMedia(t *testing.T) {
	s := newSite(t)
	tok := s.login("marta", "read write")
	th, err := s.node.Service.Ask(t.Context(), s.joao, s.forum.ID, questionOf("Where do people learn to use e-government?"))
	if err != nil {
		t.Fatal(err)
	}
	// post answers with two images described "A" and "B".
	post := func(t *testing.T) (string, []string) {
		a, b := s.uploaded(tok, "A")["id"].(string), s.uploaded(tok, "B")["id"].(string)
		r := s.call(tok, "POST", "/api/v1/statuses", map[string]any{"status": "Here.", "in_reply_to_id": th.ID, "media_ids": []string{a, b}})
		if r.status != 200 {
			t.Fatalf("post: %d %s", r.status, r.body)
		}
		st := r.obj(t)
		var ids []string
		for _, at := range st["media_attachments"].([]any) {
			ids = append(ids, at.(map[string]any)["id"].(string))
		}
		return st["id"].(string), ids
	}
	// alts are the descriptions of the post's attachments, read back.
	alts := func(t *testing.T, postID string) string {
		var out []string
		for _, at := range s.call("", "GET", "/api/v1/statuses/"+postID, nil).obj(t)["media_attachments"].([]any) {
			d, _ := at.(map[string]any)["description"].(string)
			out = append(out, d)
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		name   string
		body   func(ids []string, upload func(string) string) any
		status int
		want   string // alt texts after, in order
		err    string
	}{
		{"no media_ids keeps them", func([]string, func(string) string) any { return map[string]any{"status": "Edited."} }, 200, "A,B", ""},
		{"remove one", func(ids []string, _ func(string) string) any {
			return map[string]any{"status": "Edited.", "media_ids": []string{ids[1]}}
		}, 200, "B", ""},
		{"empty list removes all", func([]string, func(string) string) any {
			return map[string]any{"status": "Edited.", "media_ids": []string{}}
		}, 200, "", ""},
		{"reorder and add, JSON", func(ids []string, upload func(string) string) any {
			return map[string]any{"status": "Edited.", "media_ids": []string{ids[1], upload("C"), ids[0]}}
		}, 200, "B,C,A", ""},
		{"describe, JSON", func(ids []string, _ func(string) string) any {
			return map[string]any{"status": "Edited.", "media_ids": ids,
				"media_attributes": []map[string]string{{"id": ids[1], "description": "  B, described better "}}}
		}, 200, "A,B, described better", ""},
		{"describe without media_ids, form", func(ids []string, _ func(string) string) any {
			return url.Values{"status": {"Edited."}, "media_attributes[][id]": {ids[0]}, "media_attributes[][description]": {"A again"}}
		}, 200, "A again,B", ""},
		{"describe an upload as it is added, form", func(ids []string, upload func(string) string) any {
			up := upload("")
			return url.Values{"status": {"Edited."}, "media_ids[]": {ids[0], up},
				"media_attributes[][id]": {up}, "media_attributes[][description]": {"D"}}
		}, 200, "A,D", ""},
		{"blank description", func(ids []string, _ func(string) string) any {
			return map[string]any{"status": "Edited.", "media_attributes": []map[string]string{{"id": ids[0], "description": " "}}}
		}, 422, "A,B", "has no description"},
		{"five images", func(ids []string, upload func(string) string) any {
			return map[string]any{"status": "Edited.", "media_ids": []string{ids[0], ids[1], upload("C"), upload("D"), upload("E")}}
		}, 422, "A,B", "up to 4 images"},
		{"someone else's upload", func(ids []string, _ func(string) string) any {
			return map[string]any{"status": "Edited.", "media_ids": []string{ids[0], "no-such-upload"}}
		}, 422, "A,B", "no-such-upload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			postID, ids := post(t)
			upload := func(d string) string { return s.uploaded(tok, d)["id"].(string) }
			r := s.call(tok, "PUT", "/api/v1/statuses/"+postID, tt.body(ids, upload))
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.err != "" {
				msg, _ := r.obj(t)["error"].(string)
				if want := strings.ReplaceAll(tt.err, "%s", ""); !strings.Contains(msg, want) {
					t.Errorf("error %q, want it to contain %q", msg, want)
				}
			}
			if got := alts(t, postID); got != tt.want {
				t.Errorf("images after: %q, want %q", got, tt.want)
			}
		})
	}
}
