package node_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
	"github.com/metropolis/agora/uris"
)

// TestWebinarAcrossNodes: the hub's moderator creates the forum's launch
// webinar. Its discussion thread is published as a FEP-8a8e Event: a city
// keeps it as a question carrying the event's times, where its members
// answer (the answer reaches the hub), and a Mobilizon-like follower gets
// the Event with its zone and online link. A fediverse person's Join is
// kept as their RSVP and answered with the organiser's Accept; their
// Leave takes it back; a Join of something that is no event is refused.
func TestWebinarAcrossNodes(t *testing.T) {
	ctx := context.Background()
	hub, bcn, f, _, marta := joinedCluster(t)
	mod := hub.member(t, "moderator", "Nadia Ould", "Nouakchott", forum.RoleModerator, "fr", "en")
	mob := startFakeServer(t, "mobilizon")
	ana := mob.actor(fakeActor{Path: "/@ana", Type: "Person", Username: "ana", Name: "Ana", KeyID: "#main-key"})
	forumURI := hub.URLs.Forum(f.Slug)
	follow := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s#follows/1","type":"Follow","actor":%q,"object":%q}`,
		ana, ana, forumURI)
	if code := mob.send(delivery{KeyID: ana + "#main-key", Inbox: hub.URLs.Abs(uris.InboxPath(uris.ForumPath(f.Slug))), Body: follow}); code != 202 {
		t.Fatalf("Follow answered %d", code)
	}
	testrig.Eventually(t, "ana follows the forum (with the city)", func() (bool, string) {
		n, err := hub.DB.Store().CountFollowers(ctx, forumURI)
		return err == nil && n == 2, fmt.Sprint(n, err)
	})

	madrid, _ := time.LoadLocation("Europe/Madrid")
	start := time.Now().In(madrid).Add(48 * time.Hour).Truncate(time.Hour)
	w, err := hub.Service.CreateWebinar(ctx, mod, f.ID, forum.WebinarInput{Language: "en",
		Texts: map[string]forum.WebinarText{
			"en": {Title: "Launch of the Learning Forum", Description: "World Telecommunication Day webinar."},
			"es": {Title: "Lanzamiento del Foro de aprendizaje", Description: "Seminario web."}},
		Starts: start.Format(forum.WebinarTimeLayout), Ends: start.Add(90 * time.Minute).Format(forum.WebinarTimeLayout),
		TimeZone: "Europe/Madrid", OnlineURL: "https://meet.example/launch", Speakers: "@moderator\nEmilia Saiz"})
	if err != nil {
		t.Fatal(err)
	}
	qURI := hub.URLs.Thread(w.ThreadID)
	same(t, "the event's thread on the city", qURI, hub, bcn)
	onCity, err := bcn.threadOn(qURI)
	if err != nil {
		t.Fatal(err)
	}
	root, err := bcn.Service.Post(ctx, onCity.RootPostID)
	if err != nil {
		t.Fatal(err)
	}
	if e := root.Extras; e.Kind != forum.KindEvent || e.Starts == nil || !e.Starts.Equal(w.StartsAt) || e.Ends == nil || !e.Ends.Equal(w.EndsAt) ||
		e.Link != hub.URLs.Webinar(w.ID) {
		t.Errorf("the city's copy of the event: %+v, want starts %v, ends %v, link %s", e, w.StartsAt, w.EndsAt, hub.URLs.Webinar(w.ID))
	}

	// The discussion: a city member answers; the hub has it.
	if _, err := bcn.Service.Reply(ctx, marta, onCity.ID, "", forum.Answer{Body: "Harare will join the webinar.", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	if got := same(t, "the answer on the hub", qURI, hub, bcn); !strings.Contains(got, "Harare will join the webinar.") {
		t.Errorf("the hub's thread lacks the answer:\n%s", got)
	}

	// The person following from Mobilizon is shown the new question as
	// the forum's Announce of its id, which is the Event.
	testrig.Eventually(t, "mobilizon is shown the event", func() (bool, string) {
		for _, a := range mob.receivedAt("", "Announce") {
			if a["object"] == qURI && a["actor"] == forumURI {
				return true, ""
			}
		}
		return false, fmt.Sprint(mob.receivedMentioning(qURI))
	})
	event := actorDoc(t, qURI)
	if byPage := actorDoc(t, hub.URLs.Webinar(w.ID)); byPage["id"] != qURI {
		t.Errorf("the event page, asked for ActivityPub, gives %v, want the Event %s", byPage["id"], qURI)
	}
	if event["type"] != "Event" {
		t.Fatalf("the event's thread is served as %v, want an Event", event["type"])
	}
	loc, _ := event["location"].(map[string]any)
	at := func(key string) time.Time {
		s, _ := event[key].(string)
		v, _ := time.Parse(time.RFC3339, s)
		return v
	}
	if event["id"] != qURI || event["timezone"] != "Europe/Madrid" || !at("startTime").Equal(w.StartsAt) ||
		!at("endTime").Equal(w.EndsAt) || event["url"] != hub.URLs.Webinar(w.ID) ||
		loc["type"] != "VirtualLocation" || loc["url"] != "https://meet.example/launch" || event["joinMode"] != "free" {
		t.Errorf("the Event sent:\n%v", event)
	}
	if names, _ := event["nameMap"].(map[string]any); names["es"] != "Lanzamiento del Foro de aprendizaje" {
		t.Errorf("nameMap: %v", event["nameMap"])
	}

	// Ana joins from Mobilizon, then leaves.
	inbox := hub.URLs.Abs(uris.SharedInboxPath())
	attendees := func() string {
		ms, _, err := hub.Service.Attendees(ctx, w.ID, nil)
		if err != nil {
			return err.Error()
		}
		var out []string
		for _, m := range ms {
			out = append(out, m.URI)
		}
		return strings.Join(out, ",")
	}
	joinID := ana + "#join/1"
	body := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":%q,"type":"Join","actor":%q,"object":%q}`, joinID, ana, qURI)
	if code := mob.send(delivery{KeyID: ana + "#main-key", Inbox: inbox, Body: body}); code != 202 {
		t.Fatalf("Join answered %d", code)
	}
	testrig.Eventually(t, "ana attends", func() (bool, string) { a := attendees(); return a == ana, a })
	testrig.Eventually(t, "the organiser accepts the Join", func() (bool, string) {
		for _, a := range mob.receivedAt("", "Accept") {
			if o, _ := a["object"].(map[string]any); o != nil && o["type"] == "Join" && o["id"] == joinID && a["actor"] == hub.URLs.Member("moderator") {
				return true, ""
			}
		}
		return false, fmt.Sprint(mob.receivedMentioning(joinID))
	})
	leave := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s#leave/1","type":"Leave","actor":%q,"object":%q}`, ana, ana, hub.URLs.Webinar(w.ID))
	if code := mob.send(delivery{KeyID: ana + "#main-key", Inbox: inbox, Body: leave}); code != 202 {
		t.Fatalf("Leave answered %d", code)
	}
	testrig.Eventually(t, "ana left", func() (bool, string) { a := attendees(); return a == "", a })

	// A Join of a thread that is no event is refused.
	plain := hub.ask(t, mod, f, "Open data portals", "What worked?")
	bad := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s#join/2","type":"Join","actor":%q,"object":%q}`, ana, ana, hub.URLs.Thread(plain.ID))
	if code := mob.send(delivery{KeyID: ana + "#main-key", Inbox: inbox, Body: bad}); code != 202 {
		t.Fatalf("Join answered %d", code)
	}
	testrig.Eventually(t, "the Join of a plain thread is refused", func() (bool, string) {
		failed, reason, _ := inboxOutcome(t, hub, ana+"#join/2")
		return failed && strings.Contains(reason, "no event here"), reason
	})
}
