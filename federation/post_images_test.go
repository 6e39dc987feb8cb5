package federation_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
)

// TestPostImagesAreAttachments: a question's and an answer's images go
// out as `attachment` Image objects with their alt text as name, their
// type and their URL on this node, in order.
func TestPostImagesAreAttachments(t *testing.T) {
	ctx := context.Background()
	n := secStartNode(t, false)
	ana := n.member(t, "ana", forum.RoleMember)
	fo, err := n.Service.CreateForum(ctx, forum.SystemActor(), forum.ForumInput{Slug: "maps", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Maps"}}})
	if err != nil {
		t.Fatal(err)
	}
	name := func(c, ext string) string { return "post-" + strings.Repeat(c, 64) + ext }
	q, err := n.Service.Ask(ctx, ana, fo.ID, forum.Question{Title: "Who maps the ducts?", Body: "Like this.", Language: "en",
		Images: []forum.Image{{Name: name("a", ".png"), Alt: "A duct map", MediaType: "image/png", Width: 10, Height: 10}}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := n.Service.Reply(ctx, ana, q.ID, "", forum.Answer{Body: "And this.", Language: "en",
		Images: []forum.Image{
			{Name: name("b", ".jpg"), Alt: "The square", MediaType: "image/jpeg", Width: 10, Height: 10},
			{Name: name("c", ".png"), Alt: "A sensor", MediaType: "image/png", Width: 10, Height: 10},
		}})
	if err != nil {
		t.Fatal(err)
	}
	type attachment struct{ Type, MediaType, URL, Name string }
	tests := []struct {
		path string
		want []attachment
	}{
		{"/t/" + q.ID, []attachment{{"Image", "image/png", n.base + "/p/" + q.ID + "/images/" + name("a", ".png"), "A duct map"}}},
		{"/p/" + a.ID, []attachment{
			{"Image", "image/jpeg", n.base + "/p/" + a.ID + "/images/" + name("b", ".jpg"), "The square"},
			{"Image", "image/png", n.base + "/p/" + a.ID + "/images/" + name("c", ".png"), "A sensor"},
		}},
	}
	for _, tt := range tests {
		_, body := n.get(t, tt.path, "application/activity+json", "", nil)
		var doc struct{ Attachment []attachment }
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("%s: %v\n%s", tt.path, err, body)
		}
		if len(doc.Attachment) != len(tt.want) {
			t.Fatalf("%s: attachments %+v, want %+v", tt.path, doc.Attachment, tt.want)
		}
		for i := range tt.want {
			if doc.Attachment[i] != tt.want[i] {
				t.Errorf("%s: attachment %d = %+v, want %+v", tt.path, i, doc.Attachment[i], tt.want[i])
			}
		}
	}
}
