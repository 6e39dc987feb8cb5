package node_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

// gtsForum creates the forum the GoToSocial tests follow.
func gtsForum(t *testing.T, hub *peer) *forum.Forum {
	t.Helper()
	f, err := hub.Service.CreateForum(context.Background(), forum.SystemActor(), forum.ForumInput{Slug: "digitalisation", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Learning forum on digitalisation"}}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// gtsFollow has bob follow actor and waits for the Accept.
func gtsFollow(t *testing.T, hub *peer, g *gotosocial, actor string) {
	t.Helper()
	follow := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s/follow/%s","type":"Follow","actor":%q,"object":%q}`,
		g.bob(), hostOf(actor)+pathOf(actor), g.bob(), actor)
	if st := g.send(hub.URLs.SharedInbox(), follow); st != http.StatusAccepted {
		t.Fatalf("follow from GoToSocial: %d; GoToSocial's errors: %v", st, g.errors())
	}
	testrig.Eventually(t, "GoToSocial gets the Accept", func() (bool, string) {
		return g.gotType("Accept", actor), fmt.Sprintf("no Accept; GoToSocial's errors: %v", g.errors())
	})
}

// TestGoToSocialFollowsAForum: bob on GoToSocial follows a forum and is
// accepted, whether the node's URL has a port or not. With a port, the
// instance actor's preferredUsername used to be host:port, which
// GoToSocial's WebFinger lookup refuses: it answered 500 to each of our
// signed GETs, so we could not fetch bob's key or actor.
func TestGoToSocialFollowsAForum(t *testing.T) {
	for _, setup := range gtsSetups {
		t.Run(setup.name, func(t *testing.T) {
			hub, g := startWithGoToSocial(t, setup)
			f := gtsForum(t, hub)
			gtsFollow(t, hub, g, hub.URLs.Forum(f.Slug))
			if errs := g.errors(); len(errs) > 0 {
				t.Errorf("GoToSocial could not authenticate us: %v", errs)
			}
		})
	}
}

// TestGoToSocialKeyStub: while GoToSocial cannot authenticate us it
// refuses its actor, but still serves bob's key at {actor}/main-key as a
// stub whose id is the actor. That stub proves the key is bob's: a signed
// activity from bob is accepted.
func TestGoToSocialKeyStub(t *testing.T) {
	for _, setup := range gtsSetups {
		t.Run(setup.name, func(t *testing.T) {
			hub, g := startWithGoToSocial(t, setup)
			g.refuseActor = true
			f := gtsForum(t, hub)
			follow := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s/follow/1","type":"Follow","actor":%q,"object":%q}`,
				g.bob(), g.bob(), hub.URLs.Forum(f.Slug))
			if st := g.send(hub.URLs.SharedInbox(), follow); st != http.StatusAccepted {
				t.Fatalf("signed by the key of the /main-key stub: %d, want 202", st)
			}
		})
	}
}

// TestGoToSocialSeesTheTitle: GoToSocial shows a Page's content with its
// summary as a content warning, and its name nowhere. A question reaches
// bob (a boost of it, for following the forum) and, resolved, shows its
// title as the first line of its text, under no content warning; Lemmy
// and Mastodon still read the title from name, Lemmy the body from the
// markdown source.
func TestGoToSocialSeesTheTitle(t *testing.T) {
	for _, setup := range gtsSetups {
		t.Run(setup.name, func(t *testing.T) {
			ctx := context.Background()
			hub, g := startWithGoToSocial(t, setup)
			f := gtsForum(t, hub)
			gtsFollow(t, hub, g, hub.URLs.Forum(f.Slug))
			asker := hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
			q, err := hub.Service.Ask(ctx, asker, f.ID, forum.Question{Title: "Has Covid-19 been a turning point for internet access?",
				Body: "In our city, *connectivity* became essential.\n\nWhat changed in yours?", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			qURI := hub.URLs.Thread(q.ID)
			testrig.Eventually(t, "bob is shown the question", func() (bool, string) {
				return g.gotObject("Announce", qURI), "no boost of the question"
			})
			page := g.fetch(qURI)
			if s, ok := page["summary"]; ok {
				t.Errorf("summary %q: GoToSocial shows it as a content warning over the question", s)
			}
			wantFirst := "<p><strong>Has Covid-19 been a turning point for internet access?</strong></p>"
			if c := fmt.Sprint(page["content"]); !strings.HasPrefix(c, wantFirst) {
				t.Errorf("content %q: the title is not its first line", c)
			}
			if cm, _ := page["contentMap"].(map[string]any); !strings.HasPrefix(fmt.Sprint(cm["en"]), wantFirst) {
				t.Errorf("contentMap %q: the title is not its first line", cm)
			}
			if page["name"] != q.Title {
				t.Errorf("name %q, want the title (Lemmy's and Mastodon's)", page["name"])
			}
			if src, _ := page["source"].(map[string]any); strings.Contains(fmt.Sprint(src["content"]), "Covid") {
				t.Errorf("source %q repeats the title: Lemmy shows it as the body under the title", src["content"])
			}
		})
	}
}

// TestGoToSocialWalksReplies: GoToSocial resolves a question and walks
// its replies collection (and each reply's) to show the thread: it finds
// every answer and the reply to an answer, each once, and no deleted one.
func TestGoToSocialWalksReplies(t *testing.T) {
	for _, setup := range gtsSetups {
		t.Run(setup.name, func(t *testing.T) {
			ctx := context.Background()
			hub, g := startWithGoToSocial(t, setup)
			f := gtsForum(t, hub)
			asker := hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
			ana := hub.member(t, "ana", "Ana Pérez", "Barcelona", forum.RoleMember, "es")
			q, err := hub.Service.Ask(ctx, asker, f.ID, forum.Question{Title: "Digital ID for residents?", Body: "Pros and cons.", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			a1, err := hub.Service.Reply(ctx, ana, q.ID, "", forum.Answer{Body: "We use one.", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			a2, err := hub.Service.Reply(ctx, asker, q.ID, "", forum.Answer{Body: "We don't.", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			r1, err := hub.Service.Reply(ctx, asker, q.ID, a1.ID, forum.Answer{Body: "Which one?", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			gone, err := hub.Service.Reply(ctx, ana, q.ID, a1.ID, forum.Answer{Body: "Oops.", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := hub.Service.DeletePost(ctx, ana, gone.ID); err != nil {
				t.Fatal(err)
			}
			got := g.descendants(hub.URLs.Thread(q.ID))
			want := []string{hub.URLs.Post(a1.ID), hub.URLs.Post(a2.ID), hub.URLs.Post(r1.ID)}
			if len(got) != len(want) {
				t.Fatalf("descendants %v, want %v", got, want)
			}
			for _, w := range want {
				if !slices.Contains(got, w) {
					t.Errorf("descendants %v lack %s", got, w)
				}
			}
			// An answer's own collection lists its replies alone.
			if got := g.descendants(hub.URLs.Post(a1.ID)); len(got) != 1 || got[0] != hub.URLs.Post(r1.ID) {
				t.Errorf("replies of the answer: %v, want [%s]", got, hub.URLs.Post(r1.ID))
			}
		})
	}
}

// TestGoToSocialAppliesModeratorDeletes: GoToSocial applies a Delete only
// from the post's author. bob follows a thread and the forum, is shown an
// answer and the question; a moderator deletes the answer, then the
// thread: both disappear on GoToSocial, because each Delete comes from
// the post's author. An author's own deletion of their answer does too.
func TestGoToSocialAppliesModeratorDeletes(t *testing.T) {
	for _, setup := range gtsSetups {
		t.Run(setup.name, func(t *testing.T) {
			ctx := context.Background()
			hub, g := startWithGoToSocial(t, setup)
			f := gtsForum(t, hub)
			asker := hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
			mod := hub.member(t, "moderator", "Nadia Ould", "Nouakchott", forum.RoleModerator, "fr")
			ana := hub.member(t, "ana", "Ana Pérez", "Barcelona", forum.RoleMember, "es")
			gtsFollow(t, hub, g, hub.URLs.Forum(f.Slug))
			q, err := hub.Service.Ask(ctx, asker, f.ID, forum.Question{Title: "Digital ID for residents?", Body: "Pros and cons.", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			gtsFollow(t, hub, g, hub.URLs.ThreadActor(q.ID))
			a1, err := hub.Service.Reply(ctx, ana, q.ID, "", forum.Answer{Body: "We use one.", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			a2, err := hub.Service.Reply(ctx, ana, q.ID, "", forum.Answer{Body: "And a second.", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			qURI, a1URI, a2URI := hub.URLs.Thread(q.ID), hub.URLs.Post(a1.ID), hub.URLs.Post(a2.ID)
			testrig.Eventually(t, "bob is shown both answers", func() (bool, string) {
				return g.gotObject("Announce", a1URI) && g.gotObject("Announce", a2URI), "answers not boosted"
			})
			for _, uri := range []string{qURI, a1URI, a2URI} {
				g.fetch(uri) // GoToSocial stores each status with its author
			}
			if _, err := hub.Service.DeletePost(ctx, ana, a2.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := hub.Service.DeletePost(ctx, mod, a1.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := hub.Service.DeleteThread(ctx, mod, q.ID); err != nil {
				t.Fatal(err)
			}
			for what, uri := range map[string]string{"the author's own deletion": a2URI, "the moderator's deletion of an answer": a1URI,
				"the moderator's deletion of the thread": qURI} {
				testrig.Eventually(t, what+" applied on GoToSocial", func() (bool, string) {
					return g.wasDeleted(uri), "not deleted there"
				})
			}
		})
	}
}
