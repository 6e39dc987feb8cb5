package federation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
)

// TestMemberIconIsTheAvatar: a member's picture goes out as the Person's
// icon (what Mastodon and the others show as the avatar), with its type.
func TestMemberIconIsTheAvatar(t *testing.T) {
	n := secStartNode(t, false)
	m := n.member(t, "ana", forum.RoleMember)
	_, body := n.get(t, "/u/ana", "application/activity+json", "", nil)
	if strings.Contains(string(body), `"icon"`) {
		t.Fatalf("a member without a picture has an icon:\n%s", body)
	}
	name := strings.Repeat("ab", 32) + ".jpg"
	if _, err := n.Service.SetAvatar(context.Background(), m, m.ID, name); err != nil {
		t.Fatal(err)
	}
	_, body = n.get(t, "/u/ana", "application/activity+json", "", nil)
	want := `"icon":{"mediaType":"image/jpeg","type":"Image","url":"` + n.base + `/media/` + name + `"}`
	if !strings.Contains(string(body), want) {
		t.Errorf("Person lacks %s:\n%s", want, body)
	}
}
