package node_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
)

func getPage(t *testing.T, u string) (int, string, http.Header) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// TestFollowFromYourServer: a thread page shows its handle and sends a
// person to their own server to follow it; a forum page shows its handle
// and who may answer.
func TestFollowFromYourServer(t *testing.T) {
	ctx := context.Background()
	hub := startPeer(t, "hub", 1)
	sec := hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
	f := hub.forum(t, "digitalisation", "Learning forum on digitalisation")
	q := hub.ask(t, sec, f, "Smart benches?", "Worth it?")
	base := hub.URLs.Base()
	_, page, _ := getPage(t, base+"/t/"+q.ID)
	handle := "@t-" + q.ID + "@" + hub.URLs.Host()
	for _, want := range []string{`value="` + handle + `"`, `action="/t/` + q.ID + `/follow"`, `src="/static/copy.js"`} {
		if !strings.Contains(page, want) {
			t.Errorf("thread page lacks %q", want)
		}
	}
	tests := []struct {
		server string
		status int
		host   string
	}{
		{"mastodon.social", http.StatusSeeOther, "mastodon.social"},
		{"https://Mastodon.Social/", http.StatusSeeOther, "mastodon.social"},
		{"@bob@social.example:8443", http.StatusSeeOther, "social.example:8443"},
		{"", http.StatusBadRequest, ""},
		{"not a server", http.StatusBadRequest, ""},
		{"javascript:alert(1)", http.StatusBadRequest, ""},
	}
	for _, tt := range tests {
		st, _, h := getPage(t, base+"/t/"+q.ID+"/follow?server="+url.QueryEscape(tt.server))
		if st != tt.status {
			t.Errorf("server %q: %d, want %d", tt.server, st, tt.status)
			continue
		}
		if tt.host != "" {
			want := "https://" + tt.host + "/authorize_interaction?uri=" + url.QueryEscape(hub.URLs.ThreadActor(q.ID))
			if got := h.Get("Location"); got != want {
				t.Errorf("server %q: Location %q, want %q", tt.server, got, want)
			}
		}
	}
	_, forumPage, _ := getPage(t, base+"/f/digitalisation")
	if !strings.Contains(forumPage, "@digitalisation@"+hub.URLs.Host()) || !strings.Contains(forumPage, "Anyone in the fediverse may answer here.") {
		t.Errorf("forum page lacks its handle or policy")
	}
	if _, err := hub.Service.SetPolicy(ctx, forum.SystemActor(), f.ID, forum.ForumPolicy{ListedOnly: true, Instances: []string{"city.example"}}); err != nil {
		t.Fatal(err)
	}
	if _, forumPage, _ = getPage(t, base+"/f/digitalisation"); !strings.Contains(forumPage, "Only members of this node and of its member cities may answer here") {
		t.Errorf("forum page does not show the members-only policy")
	}
}
