package node_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
	"github.com/metropolis/agora/uris"
)

// marks lists, as p shows them, the answers of a thread (by question URI)
// marked good practices, by their ActivityPub ids.
func (p *peer) marks(t *testing.T, qURI string) (string, error) {
	t.Helper()
	th, err := p.threadOn(qURI)
	if err != nil {
		return "", err
	}
	v, err := p.Service.ReadThread(context.Background(), nil, th.ID, "")
	if err != nil {
		return "", err
	}
	var out []string
	for _, post := range v.Posts.Items {
		if post.GoodPracticeAt == nil {
			continue
		}
		uri := post.URI
		if uri == "" {
			uri = p.URLs.Post(post.ID)
		}
		out = append(out, uri)
	}
	sort.Strings(out)
	return strings.Join(out, "\n"), nil
}

// sameMarks waits until every peer marks exactly want (post ids).
func sameMarks(t *testing.T, what, qURI string, want []string, peers ...*peer) {
	t.Helper()
	sort.Strings(want)
	w := strings.Join(want, "\n")
	testrig.Eventually(t, what, func() (bool, string) {
		var state []string
		ok := true
		for _, p := range peers {
			got, err := p.marks(t, qURI)
			if err != nil || got != w {
				ok = false
			}
			state = append(state, fmt.Sprintf("%s: %q (err %v)", p.name, got, err))
		}
		return ok, "want " + fmt.Sprintf("%q", w) + "\n" + strings.Join(state, "\n")
	})
}

// TestGoodPracticesAcrossNodes: the hub's moderators mark answers (one
// from a city, one from the hub) and every city shows the same marks,
// including a city that joins afterwards (from the forum's collection);
// unmarking reaches them all. A city's moderators cannot mark a joined
// forum's answers, and an Add from anyone but the forum itself (a
// look-alike forum on another server) is refused by the hub and the
// cities alike.
func TestGoodPracticesAcrossNodes(t *testing.T) {
	ctx := context.Background()
	hub, bcn, f, sec, marta := joinedCluster(t)
	mod := hub.member(t, "moderator", "Nadia Ould", "Nouakchott", forum.RoleModerator, "fr")
	bcnMod := bcn.member(t, "cap", "Cap de Sala", "Barcelona", forum.RoleModerator, "ca")

	q, err := hub.Service.Ask(ctx, sec, f.ID, forum.Question{Title: "Has Covid-19 been a turning point for internet access?",
		Body: "Tell us what your city did.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	qURI := hub.URLs.Thread(q.ID)
	same(t, "question on the city", qURI, hub, bcn)
	tb, _ := bcn.threadOn(qURI)
	fromCity, err := bcn.Service.Reply(ctx, marta, tb.ID, "", forum.Answer{Body: "Laptops for students in vulnerable areas.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	fromHub, err := hub.Service.Reply(ctx, mod, q.ID, "", forum.Answer{Body: "Seniors teaching 8,000 peers to use kiosks.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "answers everywhere", qURI, hub, bcn)
	cityURI, hubURI := bcn.URLs.Post(fromCity.ID), hub.URLs.Post(fromHub.ID)

	// The city's moderators cannot mark the hub forum's answers.
	if _, err := bcn.Service.SetGoodPractice(ctx, bcnMod, fromCity.ID, true); !forum.IsValidation(err) {
		t.Fatalf("city moderator marks a hub forum's answer: %v; want refused", err)
	}

	// The hub's moderator marks both answers.
	onHub, err := hub.Service.PostByURI(ctx, cityURI)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []forum.ID{onHub.ID, fromHub.ID} {
		if _, err := hub.Service.SetGoodPractice(ctx, mod, id, true); err != nil {
			t.Fatal(err)
		}
	}
	sameMarks(t, "marks reach the city", qURI, []string{cityURI, hubURI}, hub, bcn)

	// A city that joins now finds the marks in the forum's collection.
	bh := startPeer(t, "belo-horizonte", 3)
	if _, err := bh.Federation.Join(ctx, forum.SystemActor(), hub.URLs.Forum(f.Slug)); err != nil {
		t.Fatal(err)
	}
	sameMarks(t, "a late city backfills the marks", qURI, []string{cityURI, hubURI}, hub, bcn, bh)
	testrig.Eventually(t, "belo horizonte's follow accepted", func() (bool, string) {
		j, err := bh.Federation.Joined(ctx)
		return err == nil && len(j) == 1 && j[0].State == "accepted", "pending"
	})

	// Unmarking reaches every city.
	if _, err := hub.Service.SetGoodPractice(ctx, mod, onHub.ID, false); err != nil {
		t.Fatal(err)
	}
	sameMarks(t, "unmark reaches the cities", qURI, []string{hubURI}, hub, bcn, bh)

	// A look-alike forum on another server Adds the city's answer to the
	// hub forum's collection, to the hub and to a city: both refuse it.
	rogue := startFakeServer(t, "mallory")
	rogueForum := rogue.actor(fakeActor{Path: "/c/digitalisation", Type: "Group", Username: "digitalisation", Name: "Digitalisation", KeyID: "#main-key"})
	for i, target := range []*peer{hub, bcn} {
		id := rogue.url(fmt.Sprintf("/activities/add-%d", i))
		body := fmt.Sprintf(`{"@context": "https://www.w3.org/ns/activitystreams", "id": %q, "type": "Add", "actor": %q,
  "object": %q, "target": %q, "to": ["https://www.w3.org/ns/activitystreams#Public"]}`,
			id, rogueForum, cityURI, hub.URLs.Forum(f.Slug)+uris.GoodPracticesSuffix)
		if code := rogue.send(delivery{KeyID: rogueForum + "#main-key", Inbox: target.URLs.Abs(uris.SharedInboxPath()), Body: body}); code != 202 {
			t.Fatalf("%s: rogue Add answered %d", target.name, code)
		}
		testrig.Eventually(t, target.name+" refuses the rogue Add", func() (bool, string) {
			failed, reason, _ := inboxOutcome(t, target, id)
			return failed && strings.Contains(reason, "only the forum marks its good practices"), reason
		})
	}
	// Nor may it claim to be the hub's forum: its signature is not the
	// forum's.
	forged := fmt.Sprintf(`{"@context": "https://www.w3.org/ns/activitystreams", "id": %q, "type": "Add", "actor": %q,
  "object": %q, "target": %q}`, hub.URLs.Forum(f.Slug)+"#forged", hub.URLs.Forum(f.Slug), cityURI, hub.URLs.Forum(f.Slug)+uris.GoodPracticesSuffix)
	if code := rogue.send(delivery{KeyID: rogueForum + "#main-key", Inbox: bcn.URLs.Abs(uris.SharedInboxPath()), Body: forged}); code != 401 {
		t.Errorf("Add signed by another actor than the forum: %d, want 401", code)
	}
	sameMarks(t, "marks unchanged by the rogue", qURI, []string{hubURI}, hub, bcn, bh)
}
