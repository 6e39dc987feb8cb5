package node_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
)

// followServer is a server as the follow page meets it: its WebFinger
// answer (for acct:host@host and acct:me@host) carries the given links,
// and it may or may not have Mastodon's /authorize_interaction.
func followServer(t *testing.T, links func(base string) string, authorize bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.7:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/.well-known/webfinger":
			res := r.URL.Query().Get("resource")
			w.Header().Set("Content-Type", "application/jrd+json")
			_, _ = fmt.Fprintf(w, `{"subject":%q,"links":[{"rel":"self","type":"application/activity+json","href":"%s/users/me"}%s]}`,
				res, base, links(base))
		case r.URL.Path == "/authorize_interaction" && authorize:
			http.Redirect(w, r, "/auth/sign_in", http.StatusFound) // Mastodon, signed out
		default:
			http.NotFound(w, r)
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return base
}

// TestFollowLinkPerServer: "follow from your server" sends the person to
// the page their server offers (FEP-3b86 intent, else the OStatus
// subscribe template of WebFinger, else Mastodon's authorize_interaction
// if it exists), keeps a typed http://, and shows the handle to copy when
// the server has no such page, as GoToSocial does.
func TestFollowLinkPerServer(t *testing.T) {
	ctx := context.Background()
	hub := startPeer(t, "hub", 1)
	sec := hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
	f, err := hub.Service.CreateForum(ctx, forum.SystemActor(), forum.ForumInput{Slug: "digitalisation", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Learning forum on digitalisation"}}})
	if err != nil {
		t.Fatal(err)
	}
	q, err := hub.Service.Ask(ctx, sec, f.ID, forum.Question{Title: "Smart benches?", Body: "Worth it?", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	actor := url.QueryEscape(hub.URLs.ThreadActor(q.ID))
	handle := "@t-" + q.ID + "@" + hub.URLs.Host()
	none := func(string) string { return "" }
	mastodon := followServer(t, func(base string) string {
		return fmt.Sprintf(`,{"rel":"http://ostatus.org/schema/1.0/subscribe","template":"%s/authorize_interaction?uri={uri}"}`, base)
	}, true)
	intents := followServer(t, func(base string) string {
		return fmt.Sprintf(`,{"rel":"http://ostatus.org/schema/1.0/subscribe","template":"%s/old?uri={uri}"},`+
			`{"rel":"https://w3id.org/fep/3b86/Follow","template":"%s/intents/follow?object={object}"}`, base, base)
	}, false)
	authorizeOnly := followServer(t, none, true)
	elsewhere := followServer(t, func(string) string {
		return `,{"rel":"http://ostatus.org/schema/1.0/subscribe","template":"https://phish.example/?uri={uri}"}`
	}, false)
	_, g := startWithGoToSocial(t, gtsSetup{name: "port"})
	tests := []struct {
		name, server string
		location     string // "" expects the page with the handle
	}{
		{"Mastodon, by server", mastodon, mastodon + "/authorize_interaction?uri=" + actor},
		{"Mastodon, typed http:// and a handle", "http://@me@" + hostOf(mastodon), mastodon + "/authorize_interaction?uri=" + actor},
		// Without a scheme the server is asked over https, which this one
		// does not speak: nothing found, the handle to copy.
		{"a handle, asked over https", "@me@" + hostOf(mastodon), ""},
		{"FEP-3b86 intent first", intents, intents + "/intents/follow?object=" + actor},
		{"authorize_interaction without template", authorizeOnly, authorizeOnly + "/authorize_interaction?uri=" + actor},
		{"template on another host", elsewhere, ""},
		{"GoToSocial", g.base, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, page, h := getPage(t, hub.URLs.Base()+"/t/"+q.ID+"/follow?server="+url.QueryEscape(tt.server))
			if tt.location != "" {
				if st != http.StatusSeeOther || h.Get("Location") != tt.location {
					t.Errorf("%d to %q, want 303 to %q", st, h.Get("Location"), tt.location)
				}
				return
			}
			if st != http.StatusOK || !strings.Contains(page, `value="`+handle+`"`) || !strings.Contains(page, "has no page for following") {
				t.Errorf("%d, Location %q: want the page with the handle %s", st, h.Get("Location"), handle)
			}
		})
	}
}
