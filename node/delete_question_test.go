package node_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
	"github.com/metropolis/agora/uris"
)

// browserAs signs m in on p's web pages.
func browserAs(t *testing.T, p *peer, m *forum.Member) *adminBrowser {
	t.Helper()
	ctx := context.Background()
	_, token, err := p.Service.PasswordResetToken(ctx, forum.SystemActor(), m.Username)
	if err != nil {
		t.Fatal(err)
	}
	const password = "a long enough passphrase"
	if _, _, err := p.Service.SetPasswordWithToken(ctx, token, password); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	b := &adminBrowser{t: t, base: "http://" + p.ln.Addr().String(), c: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if status, _ := b.post("/login", url.Values{"username": {m.Username}, "password": {password}, "next": {"/"}}); status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", m.Username, status)
	}
	return b
}

// TestAuthorDeletesOwnQuestion: a member who asked a question nobody has
// answered (or whose only answer was withdrawn) deletes it from its
// page, with the form the page shows: on the hub (a local forum), and on
// a city (a question asked from the city in the hub's forum), where the
// deletion then reaches the hub.
func TestAuthorDeletesOwnQuestion(t *testing.T) {
	ctx := context.Background()
	hub, city, f, _, _ := joinedCluster(t)
	ana := hub.member(t, "ana", "Ana Pérez", "Barcelona", forum.RoleMember, "es")
	marta := city.member(t, "marta", "Marta Puig", "Barcelona", forum.RoleMember, "es")
	mirror, err := city.Service.ForumByURI(ctx, hub.URLs.Forum(f.Slug))
	if err != nil {
		t.Fatal(err)
	}
	cityQ, err := city.Service.Ask(ctx, marta, mirror.ID, forum.Question{Title: "Open data portals?", Body: "Which platform?", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	cityQURI := city.URLs.Thread(cityQ.ID)
	testrig.Eventually(t, "the city's question reaches the hub", func() (bool, string) {
		_, err := hub.Service.ThreadByURI(ctx, cityQURI)
		return err == nil, fmt.Sprint(err)
	})
	hubQ := hub.ask(t, ana, f, "Digital ID for residents?", "Pros and cons.")
	// An answer that was withdrawn leaves the question unanswered, on both
	// nodes.
	onHub, err := hub.Service.ThreadByURI(ctx, cityQURI)
	if err != nil {
		t.Fatal(err)
	}
	gone := hub.reply(t, ana, onHub.ID, "Oops, wrong thread.")
	testrig.Eventually(t, "the answer reaches the city", func() (bool, string) {
		th, err := city.Service.Thread(ctx, cityQ.ID)
		return err == nil && th.ReplyCount == 1, fmt.Sprintf("%+v %v", th, err)
	})
	if _, err := hub.Service.DeletePost(ctx, ana, gone.ID); err != nil {
		t.Fatal(err)
	}
	testrig.Eventually(t, "its withdrawal reaches the city", func() (bool, string) {
		th, err := city.Service.Thread(ctx, cityQ.ID)
		return err == nil && th.ReplyCount == 0, fmt.Sprintf("%d answers, %v", th.ReplyCount, err)
	})

	for _, tc := range []struct {
		name   string
		p      *peer
		m      *forum.Member
		thread forum.ID
		slug   string
	}{
		{"local forum", hub, ana, hubQ.ID, f.Slug},
		{"joined forum, from the city", city, marta, cityQ.ID, mirror.Slug},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := browserAs(t, tc.p, tc.m)
			status, page := b.get(uris.ThreadPath(tc.thread))
			link := `href="` + uris.ThreadPath(tc.thread) + `/delete"`
			if status != http.StatusOK || !strings.Contains(page, link) {
				t.Fatalf("the question's page (%d) offers its author no delete link %s", status, link)
			}
			// Deleting goes through a confirmation page, whose form
			// posts the thread's delete with confirm=1.
			status, page = b.get(uris.ThreadPath(tc.thread) + "/delete")
			form := `action="` + uris.ThreadPath(tc.thread) + `/moderate"`
			if status != http.StatusOK || !strings.Contains(page, form) {
				t.Fatalf("the confirmation page (%d) has no delete form %s", status, form)
			}
			status, body := b.post(uris.ThreadPath(tc.thread)+"/moderate", url.Values{"action": {"delete"}, "confirm": {"1"}})
			if status != http.StatusSeeOther {
				t.Fatalf("the author deletes the question: %d %s", status, body)
			}
			if _, err := tc.p.Service.Thread(ctx, tc.thread); !errors.Is(err, forum.ErrGone) {
				t.Errorf("after the deletion the thread reads %v, want gone", err)
			}
		})
	}
	testrig.Eventually(t, "the city's deletion reaches the hub", func() (bool, string) {
		th, err := hub.Service.ThreadByURI(ctx, cityQURI)
		return errors.Is(err, forum.ErrGone) || (err == nil && th.DeletedAt != nil), fmt.Sprint(err)
	})
}

// TestGoToSocialAuthorDeletesOwnQuestion: bob on GoToSocial starts a
// question by mentioning the forum, then deletes his post: GoToSocial
// sends a Delete of a Tombstone from bob, and the question goes, on the
// hub and on the city that joined the forum.
func TestGoToSocialAuthorDeletesOwnQuestion(t *testing.T) {
	for _, setup := range gtsSetups {
		t.Run(setup.name, func(t *testing.T) {
			ctx := context.Background()
			hub, city, g := startWithGoToSocialAndCity(t, setup)
			f := gtsForum(t, hub)
			join(t, city, hub, f)
			forumActor := hub.URLs.Forum(f.Slug)
			path := "/users/bob/statuses/01HQUESTION"
			status := g.base + path
			create := g.post(path, fmt.Sprintf(`{"id":%q,"type":"Note","attributedTo":%q,"published":"2026-12-03T10:00:00Z","url":"%s/@bob/01HQUESTION",
"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["%s/followers",%q],
"content":"<p>@digitalisation Which open data portal software do cities use?</p>","tag":[{"type":"Mention","href":%q,"name":"@digitalisation@%s"}]}`,
				status, g.bob(), g.base, g.bob(), forumActor, forumActor, hub.URLs.Host()))
			if st := g.send(hub.URLs.SharedInbox(), create); st != http.StatusAccepted {
				t.Fatalf("question from GoToSocial: %d; its errors: %v", st, g.errors())
			}
			for _, p := range []*peer{hub, city} {
				testrig.Eventually(t, "the question reaches "+p.name, func() (bool, string) {
					_, err := p.Service.ThreadByURI(ctx, status)
					return err == nil, fmt.Sprint(err)
				})
			}
			g.unpost(path)
			del := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s#delete","type":"Delete","actor":%q,
"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["%s/followers",%q],"object":{"id":%q,"type":"Tombstone"}}`,
				status, g.bob(), g.bob(), forumActor, status)
			if st := g.send(hub.URLs.SharedInbox(), del); st != http.StatusAccepted {
				t.Fatalf("deletion from GoToSocial: %d; its errors: %v", st, g.errors())
			}
			for _, p := range []*peer{hub, city} {
				testrig.Eventually(t, "the deletion reaches "+p.name, func() (bool, string) {
					th, err := p.Service.ThreadByURI(ctx, status)
					return errors.Is(err, forum.ErrGone) || (err == nil && th.DeletedAt != nil), fmt.Sprint(err)
				})
			}
		})
	}
}
