package federation_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// apDoc GETs path as ActivityPub JSON, unsigned.
func apDoc(t *testing.T, n *secNode, path string) (int, map[string]any) {
	t.Helper()
	resp, body := n.get(t, path, federation.ContentType, "", nil)
	var doc map[string]any
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusGone {
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("GET %s: %v\n%s", path, err, body)
		}
	}
	return resp.StatusCode, doc
}

// TestDocumentCacheFollowsChanges: the ActivityPub documents of posts,
// threads and members are cached, and an edit, a delete or a profile
// change shows in the very next fetch.
func TestDocumentCacheFollowsChanges(t *testing.T) {
	ctx := context.Background()
	n := secStartNode(t, false)
	ana := n.member(t, "ana", forum.RoleAdmin)
	f, err := n.Service.CreateForum(ctx, forum.SystemActor(), forum.ForumInput{Slug: "digitalisation", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Learning forum on digitalisation"}}})
	if err != nil {
		t.Fatal(err)
	}
	th, err := n.Service.Ask(ctx, ana, f.ID, forum.Question{Title: "Open data portals: what worked?", Body: "Tell us.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := n.Service.Reply(ctx, ana, th.ID, "", forum.Answer{Body: "Budgets first.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	post, thread, member := uris.PostPath(a.ID), uris.ThreadPath(th.ID), uris.MemberPath("ana")

	tests := []struct {
		name       string
		change     func() error
		path       string
		wantStatus int
		field      string
		want       string
	}{
		{"answer as first served", nil, post, http.StatusOK, "content", "<p>Budgets first.</p>\n"},
		{"answer served again (cached)", nil, post, http.StatusOK, "content", "<p>Budgets first.</p>\n"},
		{"answer edited", func() error {
			_, err := n.Service.EditPost(ctx, ana, a.ID, forum.Edit{Body: "Budgets and transport first.", Language: "en"})
			return err
		}, post, http.StatusOK, "content", "<p>Budgets and transport first.</p>\n"},
		{"question as first served", nil, thread, http.StatusOK, "name", "Open data portals: what worked?"},
		{"question edited", func() error {
			_, err := n.Service.EditPost(ctx, ana, th.ID, forum.Edit{Title: "Open data portals: what worked for you?", Body: "Tell us.", Language: "en"})
			return err
		}, thread, http.StatusOK, "name", "Open data portals: what worked for you?"},
		{"member as first served", nil, member, http.StatusOK, "name", "Ana"},
		{"member renamed", func() error {
			_, err := n.Service.UpdateProfile(ctx, ana, ana.ID, forum.Profile{DisplayName: "Ana Pérez", Languages: []string{"en"}})
			return err
		}, member, http.StatusOK, "name", "Ana Pérez"},
		{"answer deleted", func() error {
			_, err := n.Service.DeletePost(ctx, ana, a.ID)
			return err
		}, post, http.StatusGone, "type", "Tombstone"},
		{"tombstone served again (cached)", nil, post, http.StatusGone, "type", "Tombstone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.change != nil {
				if err := tt.change(); err != nil {
					t.Fatal(err)
				}
			}
			status, doc := apDoc(t, n, tt.path)
			if status != tt.wantStatus {
				t.Fatalf("GET %s: %d, want %d", tt.path, status, tt.wantStatus)
			}
			if got, _ := doc[tt.field].(string); got != tt.want {
				t.Fatalf("GET %s: %s = %q, want %q", tt.path, tt.field, got, tt.want)
			}
		})
	}
}

// TestDocumentCacheKeepsAuthorizedFetch: with authorized fetch, a document
// a signed request put in the cache is still refused to an unsigned one.
func TestDocumentCacheKeepsAuthorizedFetch(t *testing.T) {
	n := secStartNode(t, true)
	peer := startSecPeer(t, "127.0.0.2:0")
	n.member(t, "ana", forum.RoleMember)
	if resp, _ := n.get(t, "/u/ana", federation.ContentType, peer.keyID("mallory"), secKeys().main); resp.StatusCode != http.StatusOK {
		t.Fatalf("signed GET: %d, want 200", resp.StatusCode)
	}
	if resp, _ := n.get(t, "/u/ana", federation.ContentType, "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned GET after a signed one: %d, want 401", resp.StatusCode)
	}
}
