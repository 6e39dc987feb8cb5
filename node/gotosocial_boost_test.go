package node_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

// TestGoToSocialNoBoostOfOwnReply: bob on GoToSocial follows a thread and
// replies to an answer in it. His reply becomes an answer, and the
// thread actor boosts new answers to the thread's followers, but not to
// bob's own server: GoToSocial (and Mastodon) would tell bob that the
// thread "boosted your post" for every reply he writes, and his server
// has the post already. The next answer from the hub still reaches him.
func TestGoToSocialNoBoostOfOwnReply(t *testing.T) {
	for _, setup := range gtsSetups {
		t.Run(setup.name, func(t *testing.T) {
			ctx := context.Background()
			hub, g := startWithGoToSocial(t, setup)
			f := gtsForum(t, hub)
			asker := hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
			ana := hub.member(t, "ana", "Ana Pérez", "Barcelona", forum.RoleMember, "es")
			q := hub.ask(t, asker, f, "Digital ID for residents?", "Pros and cons.")
			threadActor := hub.URLs.ThreadActor(q.ID)
			gtsFollow(t, hub, g, threadActor)
			a := hub.reply(t, ana, q.ID, "We use one.")
			aURI := hub.URLs.Post(a.ID)
			testrig.Eventually(t, "bob is shown the answer", func() (bool, string) {
				return g.gotObject("Announce", aURI), "no boost of the answer"
			})

			// bob replies, GoToSocial-shaped: to the public, cc his
			// followers, the author and the thread actor he mentions.
			status := g.bob() + "/statuses/01HREPLY"
			create := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s/activity","type":"Create","actor":%q,
"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["%s/followers",%q,%q],
"object":{"id":%q,"type":"Note","attributedTo":%q,"inReplyTo":%q,"published":"2026-12-03T10:00:00Z","url":"%s/@bob/01HREPLY",
"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["%s/followers",%q,%q],
"content":"<p>How do residents sign up?</p>","tag":[{"type":"Mention","href":%q,"name":"@ana@%s"},{"type":"Mention","href":%q,"name":"@t-%s@%s"}]}}`,
				status, g.bob(), g.bob(), hub.URLs.Member("ana"), threadActor,
				status, g.bob(), aURI, g.base, g.bob(), hub.URLs.Member("ana"), threadActor,
				hub.URLs.Member("ana"), hub.URLs.Host(), threadActor, q.ID, hub.URLs.Host())
			if st := g.send(hub.URLs.SharedInbox(), create); st != http.StatusAccepted {
				t.Fatalf("reply from GoToSocial: %d; its errors: %v", st, g.errors())
			}
			testrig.Eventually(t, "bob's reply is an answer on the hub", func() (bool, string) {
				_, err := hub.Service.PostByURI(ctx, status)
				return err == nil, fmt.Sprint(err)
			})
			// The thread's next answer reaches bob: the publisher went
			// past bob's reply.
			b := hub.reply(t, asker, q.ID, "Online, with their residence card.")
			testrig.Eventually(t, "bob is shown the next answer", func() (bool, string) {
				return g.gotObject("Announce", hub.URLs.Post(b.ID)), "no boost of the next answer"
			})
			if g.gotObject("Announce", status) {
				t.Errorf("the thread actor boosted bob's own reply to bob's server")
			}
		})
	}
}
