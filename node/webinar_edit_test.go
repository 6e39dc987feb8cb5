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

// TestWebinarChangeAcrossNodes: the hub's moderator moves the launch
// webinar and renames it, then cancels it; each is an Update of the Event
// (ical:status CONFIRMED, then CANCELLED), and the city's copy follows:
// its title, its times, then its cancellation. An Update of the Event
// from anyone but its organiser's node is refused and changes nothing.
func TestWebinarChangeAcrossNodes(t *testing.T) {
	ctx := context.Background()
	hub, bcn, f, _, _ := joinedCluster(t)
	mod := hub.member(t, "moderator", "Nadia Ould", "Nouakchott", forum.RoleModerator, "fr", "en")
	madrid, _ := time.LoadLocation("Europe/Madrid")
	start := time.Now().In(madrid).Add(48 * time.Hour).Truncate(time.Hour)
	in := forum.WebinarInput{Language: "en", Texts: map[string]forum.WebinarText{"en": {Title: "Launch of the Learning Forum",
		Description: "World Telecommunication Day webinar."}},
		Starts: start.Format(forum.WebinarTimeLayout), Ends: start.Add(90 * time.Minute).Format(forum.WebinarTimeLayout),
		TimeZone: "Europe/Madrid", OnlineURL: "https://meet.example/launch"}
	w, err := hub.Service.CreateWebinar(ctx, mod, f.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	qURI := hub.URLs.Thread(w.ThreadID)
	same(t, "the event's thread on the city", qURI, hub, bcn)
	onCity := func() (*forum.Thread, *forum.Post) {
		th, err := bcn.threadOn(qURI)
		if err != nil {
			t.Fatal(err)
		}
		root, err := bcn.Service.Post(ctx, th.RootPostID)
		if err != nil {
			t.Fatal(err)
		}
		return th, root
	}

	moved := start.Add(24 * time.Hour)
	in.Texts["en"] = forum.WebinarText{Title: "Launch of the Learning Forum (new date)", Description: "Moved by a day."}
	in.Starts, in.Ends = moved.Format(forum.WebinarTimeLayout), moved.Add(time.Hour).Format(forum.WebinarTimeLayout)
	if w, err = hub.Service.EditWebinar(ctx, mod, w.ID, in); err != nil {
		t.Fatal(err)
	}
	testrig.Eventually(t, "the city has the new date and title", func() (bool, string) {
		th, root := onCity()
		e := root.Extras
		ok := th.Title == "Launch of the Learning Forum (new date)" && e.Starts != nil && e.Starts.Equal(w.StartsAt) &&
			e.Ends != nil && e.Ends.Equal(w.EndsAt) && !e.Cancelled && strings.Contains(root.HTML, "Moved by a day.")
		return ok, fmt.Sprintf("%q %+v %q", th.Title, e, root.HTML)
	})
	if event := actorDoc(t, qURI); event["ical:status"] != "CONFIRMED" {
		t.Errorf("the edited Event's status: %v", event["ical:status"])
	}

	if _, err := hub.Service.CancelWebinar(ctx, mod, w.ID); err != nil {
		t.Fatal(err)
	}
	testrig.Eventually(t, "the city has it cancelled", func() (bool, string) {
		_, root := onCity()
		return root.Extras.Cancelled, fmt.Sprintf("%+v", root.Extras)
	})
	if event := actorDoc(t, qURI); event["ical:status"] != "CANCELLED" {
		t.Errorf("the cancelled Event's status: %v", event["ical:status"])
	}
	th, _ := onCity()
	_, page, _ := getPage(t, bcn.URLs.Abs(uris.ThreadPath(th.ID)))
	if !strings.Contains(page, `<span class="tag">Cancelled</span>`) {
		t.Errorf("the city's thread page does not say the event is cancelled:\n%s", page)
	}

	// Someone else's Update of the Event (here a fediverse person's,
	// un-cancelling it) is refused.
	mob := startFakeServer(t, "mobilizon")
	ana := mob.actor(fakeActor{Path: "/@ana", Type: "Person", Username: "ana", Name: "Ana", KeyID: "#main-key"})
	forged := fmt.Sprintf(`{"@context":["https://www.w3.org/ns/activitystreams",{"ical":"http://www.w3.org/2002/12/cal/ical#"}],
"id":"%s#update/1","type":"Update","actor":%q,"object":{"id":%q,"type":"Event","attributedTo":%q,"name":"Not cancelled",
"content":"<p>On again</p>","ical:status":"CONFIRMED","startTime":%q,"updated":%q}}`,
		ana, ana, qURI, ana, moved.UTC().Format(time.RFC3339), time.Now().Add(time.Minute).UTC().Format(time.RFC3339))
	if code := mob.send(delivery{KeyID: ana + "#main-key", Inbox: bcn.URLs.Abs(uris.SharedInboxPath()), Body: forged}); code != 202 {
		t.Fatalf("Update answered %d", code)
	}
	testrig.Eventually(t, "the forged Update is refused", func() (bool, string) {
		failed, reason, _ := inboxOutcome(t, bcn, ana+"#update/1")
		return failed, reason
	})
	if th, root := onCity(); !root.Extras.Cancelled || th.Title != "Launch of the Learning Forum (new date)" {
		t.Errorf("a forged Update changed the city's copy: %q %+v", th.Title, root.Extras)
	}
}
