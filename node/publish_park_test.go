package node_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

// TestUnreachableForumDoesNotHoldUpThePublisher: a city member asks (and
// then edits) a question in a forum of a node whose host does not answer
// (it hangs, or refuses connections), and the city has never fetched that
// forum's actor. Then the member answers in the hub's forum: the answer
// reaches the hub at once, the question and its edit wait, parked. When
// the host answers again, the question arrives there, then its edit, in
// that order.
func TestUnreachableForumDoesNotHoldUpThePublisher(t *testing.T) {
	for _, mode := range []string{"hangs", "refuses"} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			hub, city, f, asker, member := joinedCluster(t)
			q := hub.ask(t, asker, f, "Open data portals: what worked?", "Tell us.")
			var cityQ *forum.Thread
			testrig.Eventually(t, "the city has the hub's question", func() (bool, string) {
				var err error
				cityQ, err = city.threadOn(hub.URLs.Thread(q.ID))
				return err == nil, fmt.Sprint(err)
			})

			// The other forum's host: hanging (it accepts and never
			// answers), or not there at all (connections refused).
			var far *fakeServer
			var addr string
			if mode == "hangs" {
				far = startFakeServerAt(t, "far", "127.0.0.6:0", "")
				far.holdRequests()
				t.Cleanup(far.release) // before its server closes
				addr = far.host()
			} else {
				ln, err := net.Listen("tcp", "127.0.0.6:0")
				if err != nil {
					t.Fatal(err)
				}
				addr = ln.Addr().String()
				ln.Close()
			}
			forumURI := "http://" + addr + "/c/elsewhere"
			elsewhere, err := city.Service.SaveRemoteForum(ctx, forum.SystemActor(), forum.RemoteForumInfo{URI: forumURI,
				Name: "elsewhere", Domain: addr, Language: "en", Texts: map[string]forum.ForumText{"en": {Title: "Elsewhere"}}})
			if err != nil {
				t.Fatal(err)
			}
			parked := city.ask(t, member, elsewhere, "Broadband in rural areas?", "First words.")
			if _, err := city.Service.EditPost(ctx, member, parked.RootPostID, forum.Edit{Title: "Broadband in rural areas?",
				Body: "Second words.", Language: "en"}); err != nil {
				t.Fatal(err)
			}

			start := time.Now()
			if _, err := city.Service.Reply(ctx, member, cityQ.ID, "", forum.Answer{Body: "Publish the budget first.", Language: "en"}); err != nil {
				t.Fatal(err)
			}
			testrig.Eventually(t, "the answer reaches the hub", func() (bool, string) {
				v, err := hub.view(t, q.ID)
				return err == nil && strings.Contains(v, "Publish the budget first."), v
			})
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("the answer took %v to reach the hub: held up by the unreachable forum", d)
			}
			testrig.Eventually(t, "the question and its edit are parked", func() (bool, string) {
				n, err := city.DB.Bun().NewSelect().Table("events").Where("thread_id = ?", parked.ID).
					Where("published_at IS NULL").Where("publish_retry_at IS NOT NULL").Count(ctx)
				return err == nil && n == 2, fmt.Sprintf("%d parked, err %v", n, err)
			})

			// The host answers again.
			if mode == "hangs" {
				far.actor(fakeActor{Path: "/c/elsewhere", Type: "Group", Username: "elsewhere", Name: "Elsewhere", KeyID: "#main-key"})
				far.release()
			} else {
				far = startFakeServerAt(t, "far", addr, "")
				far.actor(fakeActor{Path: "/c/elsewhere", Type: "Group", Username: "elsewhere", Name: "Elsewhere", KeyID: "#main-key"})
			}
			postURI := city.URLs.Thread(parked.ID)
			testrig.Eventually(t, "the question, then its edit, reach the forum", func() (bool, string) {
				var got []string
				for _, d := range far.receivedIn("/c/elsewhere/inbox") {
					obj, _ := d["object"].(map[string]any)
					got = append(got, fmt.Sprintf("%v %v", d["type"], obj["id"]))
				}
				want := []string{"Create " + postURI, "Update " + postURI}
				return fmt.Sprint(got) == fmt.Sprint(want), fmt.Sprintf("got %q\nwant %q", got, want)
			})
			n, err := city.DB.Bun().NewSelect().Table("events").Where("thread_id = ?", parked.ID).
				Where("published_at IS NULL").Count(ctx)
			if err != nil || n != 0 {
				t.Errorf("%d events of the question left unpublished (err %v)", n, err)
			}
		})
	}
}
