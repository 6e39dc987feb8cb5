package mastoapi_test

import (
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

// An answer written in an app federates like one written on the page: a
// city that joined the hub's forum receives it.
func TestAppReplyReachesCity(t *testing.T) {
	hub, city := newSite(t), newSite(t)
	ctx := t.Context()
	if _, err := city.node.Federation.Join(ctx, forum.SystemActor(), hub.node.URLs.Forum(hub.forum.Slug)); err != nil {
		t.Fatal(err)
	}
	testrig.Eventually(t, "the city's follow accepted", func() (bool, string) {
		j, err := city.node.Federation.Joined(ctx)
		if err != nil || len(j) != 1 {
			return false, "not joined"
		}
		return j[0].State == "accepted", string(j[0].State)
	})
	th, err := hub.node.Service.Ask(ctx, hub.joao, hub.forum.ID, questionOf("Who trains the digital mediators?"))
	if err != nil {
		t.Fatal(err)
	}
	var copyOnCity *forum.Thread
	testrig.Eventually(t, "the question on the city", func() (bool, string) {
		copyOnCity, err = city.node.Service.ThreadByURI(ctx, hub.node.URLs.Thread(th.ID))
		return err == nil, "not yet"
	})
	tok := hub.login("marta", "write")
	r := hub.call(tok, "POST", "/api/v1/statuses", map[string]any{"status": "Libraries do, in Barcelona.", "in_reply_to_id": th.ID, "language": "en"})
	if r.status != 200 {
		t.Fatalf("reply: %d %s", r.status, r.body)
	}
	testrig.Eventually(t, "the app's answer on the city", func() (bool, string) {
		v, err := city.node.Service.ReadThread(ctx, nil, copyOnCity.ID, "")
		if err != nil {
			return false, err.Error()
		}
		for _, p := range v.Posts.Items {
			if strings.Contains(p.HTML, "Libraries do, in Barcelona.") {
				return true, ""
			}
		}
		return false, "not yet"
	})
}
