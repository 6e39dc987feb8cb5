package node_test

import (
	"context"
	"net"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
	"github.com/metropolis/agora/uris"
)

// startWithGoToSocialAndCity runs a hub, a city node and a GoToSocial peer
// placed as setup says (a city on 127.0.0.2, or the port-less
// http://city.test).
func startWithGoToSocialAndCity(t *testing.T, setup gtsSetup) (hub, city *peer, g *gotosocial) {
	t.Helper()
	nw := newLoopNet()
	listen := func(ip string) net.Listener {
		ln, err := net.Listen("tcp", ip+":0")
		if err != nil {
			t.Fatal(err)
		}
		return ln
	}
	hubLn, cityLn, gtsLn := listen("127.0.0.1"), listen("127.0.0.2"), listen("127.0.0.6")
	hubBase, cityBase, gtsBase := "http://"+hubLn.Addr().String(), "http://"+cityLn.Addr().String(), "http://"+gtsLn.Addr().String()
	if setup.portless {
		hubBase, cityBase, gtsBase = "http://agora.test", "http://city.test", "http://gts.test"
		nw.add("agora.test", hubLn)
		nw.add("city.test", cityLn)
		nw.add("gts.test", gtsLn)
	}
	g = startGoToSocial(t, gtsLn, gtsBase, nw)
	hub = startNodeAt(t, "hub", hubBase, hubLn, nw)
	city = startNodeAt(t, "city", cityBase, cityLn, nw)
	return hub, city, g
}

// TestGoToSocialSeesCityEditsAndDeletes: bob on GoToSocial follows a
// hub's thread; a city member answers it from the city node, and bob is
// shown the answer (the thread actor's boost of the city's Note, which
// GoToSocial fetches from the city and files under its author). The
// member's edit, and then the deletion, reach bob from the author, the
// only actor GoToSocial and Mastodon accept them from: they used to go to
// the hub's forum alone, which cannot sign as the city's member, so bob
// kept the first version for ever.
func TestGoToSocialSeesCityEditsAndDeletes(t *testing.T) {
	for _, setup := range gtsSetups {
		t.Run(setup.name, func(t *testing.T) {
			ctx := context.Background()
			hub, city, g := startWithGoToSocialAndCity(t, setup)
			f := gtsForum(t, hub)
			join(t, city, hub, f)
			asker := hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
			marta := city.member(t, "marta", "Marta Puig", "Barcelona", forum.RoleMember, "es")
			q := hub.ask(t, asker, f, "Digital ID for residents?", "Pros and cons.")
			gtsFollow(t, hub, g, hub.URLs.ThreadActor(q.ID))
			qURI := hub.URLs.Thread(q.ID)
			var onCity *forum.Thread
			testrig.Eventually(t, "the question reaches the city", func() (bool, string) {
				th, err := city.threadOn(qURI)
				onCity = th
				return err == nil, "not yet"
			})
			a := city.reply(t, marta, onCity.ID, "We use one since 2019.")
			aURI := city.URLs.Post(a.ID)
			testrig.Eventually(t, "bob is shown the city's answer", func() (bool, string) {
				return g.gotObject("Announce", aURI), "no boost of the answer"
			})
			if doc := g.fetch(aURI); doc["attributedTo"] != city.URLs.Member("marta") {
				t.Fatalf("the answer's author is %v", doc["attributedTo"])
			}

			if _, err := city.Service.EditPost(ctx, marta, a.ID, forum.Edit{Body: "We use one since 2018.", Language: "en"}); err != nil {
				t.Fatal(err)
			}
			testrig.Eventually(t, "the edit reaches bob from its author", func() (bool, string) {
				return g.gotObject("Update", aURI) && g.gotType("Update", city.URLs.Member("marta")), "no Update from marta"
			})
			if _, err := city.Service.DeletePost(ctx, marta, a.ID); err != nil {
				t.Fatal(err)
			}
			testrig.Eventually(t, "the deletion applied on GoToSocial", func() (bool, string) {
				return g.wasDeleted(aURI), "not deleted there"
			})
			// Who follows the thread is listed to the city alone: bob, a
			// person, is told the count.
			followers := g.fetch(uris.ActorFollowers(hub.URLs.ThreadActor(q.ID)))
			if items, ok := followers["orderedItems"]; ok {
				t.Errorf("the thread's followers listed to a person: %v", items)
			}
			if followers["totalItems"] != 1.0 {
				t.Errorf("totalItems %v, want 1", followers["totalItems"])
			}
		})
	}
}
