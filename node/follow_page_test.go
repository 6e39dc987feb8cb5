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
	for _, want := range []string{`>` + handle + `</code>`, `action="/t/` + q.ID + `/follow"`, `src="/static/copy.js"`} {
		if !strings.Contains(page, want) {
			t.Errorf("thread page lacks %q", want)
		}
	}
	// Where each kind of server sends the person: TestFollowLinkPerServer.
	for _, server := range []string{"", "not a server", "javascript:alert(1)"} {
		if st, _, _ := getPage(t, base+"/t/"+q.ID+"/follow?server="+url.QueryEscape(server)); st != http.StatusBadRequest {
			t.Errorf("server %q: %d, want 400", server, st)
		}
	}
	_, forumPage, _ := getPage(t, base+"/f/digitalisation")
	if !strings.Contains(forumPage, "@digitalisation@"+hub.URLs.Host()) || !strings.Contains(forumPage, "Anyone, from Mastodon or a similar app too, may answer here.") {
		t.Errorf("forum page lacks its handle or policy")
	}
	if _, err := hub.Service.SetPolicy(ctx, forum.SystemActor(), f.ID, forum.ForumPolicy{ListedOnly: true, Instances: []string{"city.example"}}); err != nil {
		t.Fatal(err)
	}
	if _, forumPage, _ = getPage(t, base+"/f/digitalisation"); !strings.Contains(forumPage, "Only members of this site and of its member cities may answer here") {
		t.Errorf("forum page does not show the members-only policy")
	}
}
