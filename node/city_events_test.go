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

// launchInput is a webinar two days from now, in Madrid's time.
func launchInput(title string) forum.WebinarInput {
	madrid, _ := time.LoadLocation("Europe/Madrid")
	start := time.Now().In(madrid).Add(48 * time.Hour).Truncate(time.Hour)
	return forum.WebinarInput{Language: "en", Texts: map[string]forum.WebinarText{
		"en": {Title: title, Description: "World Telecommunication Day webinar."},
		"es": {Title: title + " (es)", Description: "Seminario web."}},
		Starts: start.Format(forum.WebinarTimeLayout), Ends: start.Add(90 * time.Minute).Format(forum.WebinarTimeLayout),
		TimeZone: "Europe/Madrid", OnlineURL: "https://meet.example/launch"}
}

// cityEvent waits until the city keeps the event whose discussion thread
// is qURI on the hub, and returns its record.
func cityEvent(t *testing.T, city *peer, qURI string, what string, ok func(*forum.Webinar) bool) *forum.Webinar {
	t.Helper()
	var w *forum.Webinar
	testrig.Eventually(t, what, func() (bool, string) {
		th, err := city.threadOn(qURI)
		if err != nil {
			return false, err.Error()
		}
		if w, err = city.Service.WebinarOfThread(context.Background(), th.ID); err != nil {
			return false, err.Error()
		}
		return ok(w), fmt.Sprintf("%+v", w)
	})
	return w
}

// TestCityKeepsHubEvents: the hub's moderator creates an event in the
// forum the city joined; the city keeps its own record of it (texts in
// both languages, times, zone, link), lists it on the mirrored forum's
// page, gives it a page and an .ics of its own; the hub cancels it and
// the city's record, page and .ics say so.
func TestCityKeepsHubEvents(t *testing.T) {
	ctx := context.Background()
	hub, city, f, _, tendai := joinedCluster(t)
	mod := hub.member(t, "moderator", "Nadia Ould", "Nouakchott", forum.RoleModerator, "fr", "en")
	w, err := hub.Service.CreateWebinar(ctx, mod, f.ID, launchInput("Launch of the Learning Forum"))
	if err != nil {
		t.Fatal(err)
	}
	qURI := hub.URLs.Thread(w.ThreadID)
	got := cityEvent(t, city, qURI, "the city keeps the event", func(*forum.Webinar) bool { return true })
	checks := []struct {
		what      string
		got, want any
	}{
		{"title", got.Texts["en"].Title, "Launch of the Learning Forum"},
		{"Spanish title", got.Texts["es"].Title, "Launch of the Learning Forum (es)"},
		{"description", got.Texts["en"].Description, "World Telecommunication Day webinar."},
		{"starts", got.StartsAt.Equal(w.StartsAt), true},
		{"ends", got.EndsAt.Equal(w.EndsAt), true},
		{"zone", got.TimeZone, "Europe/Madrid"},
		{"link", got.OnlineURL, "https://meet.example/launch"},
		{"cancelled", got.Cancelled, false},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("the city's event %s: %v, want %v", c.what, c.got, c.want)
		}
	}
	mirror, err := city.Service.ForumByURI(ctx, hub.URLs.Forum(f.Slug))
	if err != nil {
		t.Fatal(err)
	}
	if got.ForumID != mirror.ID {
		t.Errorf("the city's event is in forum %s, want its mirror %s", got.ForumID, mirror.ID)
	}
	// A fediverse person's Join of the city's copy is refused for good
	// (the hub organises it), and nothing is recorded on the city.
	mob := startFakeServer(t, "mobilizon")
	ana := mob.actor(fakeActor{Path: "/@ana", Type: "Person", Username: "ana", Name: "Ana", KeyID: "#main-key"})
	joinCopy := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s#join/copy","type":"Join","actor":%q,"object":%q}`,
		ana, ana, city.URLs.Webinar(got.ID))
	if code := mob.send(delivery{KeyID: ana + "#main-key", Inbox: city.URLs.SharedInbox(), Body: joinCopy}); code != 202 {
		t.Fatalf("Join answered %d", code)
	}
	testrig.Eventually(t, "the Join of the city's copy is refused", func() (bool, string) {
		failed, reason, _ := inboxOutcome(t, city, ana+"#join/copy")
		return failed && strings.Contains(reason, "organised on another node"), reason
	})
	if ms, _, err := city.Service.Attendees(ctx, got.ID, nil); err != nil || len(ms) != 0 {
		t.Errorf("the city recorded %d attendees of the hub's event from a Join sent to it (%v)", len(ms), err)
	}
	if _, page, _ := getPage(t, city.URLs.Abs(uris.ForumPath(mirror.Slug))); !strings.Contains(page, uris.WebinarPath(got.ID)) {
		t.Errorf("the mirrored forum's page does not list the event %s:\n%s", got.ID, page)
	}
	if code, page, _ := getPage(t, city.URLs.Abs("/events")); code != 200 || !strings.Contains(page, uris.WebinarPath(got.ID)) ||
		!strings.Contains(page, `href="/events"`) {
		t.Errorf("the city's /events page (%d) does not list the joined forum's event %s, or the nav does not link it:\n%s", code, got.ID, page)
	}
	if code, page, _ := getPage(t, city.URLs.Abs(uris.WebinarPath(got.ID))); code != 200 || !strings.Contains(page, "Launch of the Learning Forum") {
		t.Errorf("the city's event page answered %d:\n%s", code, page)
	}
	ics := func() string {
		code, body, _ := getPage(t, city.URLs.Abs(uris.WebinarICSPath(got.ID)))
		if code != 200 {
			t.Fatalf("the city's .ics answered %d", code)
		}
		return body
	}
	if body := ics(); !strings.Contains(body, "SUMMARY:Launch of the Learning Forum") || !strings.Contains(body, "STATUS:CONFIRMED") {
		t.Errorf("the city's .ics:\n%s", body)
	}

	// A city member says they come, changes their mind, and comes after
	// all: each is a Join (or Leave) the hub counts.
	for _, going := range []bool{true, false, true} {
		if _, err := city.Service.RSVP(ctx, tendai, got.ID, going); err != nil {
			t.Fatal(err)
		}
		if _, here, err := city.Service.Attendees(ctx, got.ID, tendai); err != nil || here != going {
			t.Fatalf("the city shows tendai going=%v, want %v (err %v)", here, going, err)
		}
		want := 0
		if going {
			want = 1
		}
		testrig.Eventually(t, fmt.Sprintf("the hub counts %d coming", want), func() (bool, string) {
			ms, _, err := hub.Service.Attendees(ctx, w.ID, nil)
			if err != nil {
				return false, err.Error()
			}
			names := make([]string, len(ms))
			for i, m := range ms {
				names[i] = m.Username + "@" + m.Domain
			}
			return len(ms) == want && (want == 0 || ms[0].URI == city.URLs.Member(tendai.Username)), fmt.Sprint(names)
		})
	}

	if _, err := hub.Service.CancelWebinar(ctx, mod, w.ID); err != nil {
		t.Fatal(err)
	}
	got = cityEvent(t, city, qURI, "the city has the event cancelled", func(w *forum.Webinar) bool { return w.Cancelled })
	if got.Sequence < 1 {
		t.Errorf("the cancelled copy's sequence is %d: calendars would not replace it", got.Sequence)
	}
	if body := ics(); !strings.Contains(body, "STATUS:CANCELLED") {
		t.Errorf("the city's .ics of the cancelled event:\n%s", body)
	}
}

// TestCityBackfillsHubEvents: an event created before the city joined
// arrives with the backfill: its discussion thread and the event itself.
func TestCityBackfillsHubEvents(t *testing.T) {
	ctx := context.Background()
	hub := startPeer(t, "hub", 1)
	city := startPeer(t, "city", 2)
	mod := hub.member(t, "moderator", "Nadia Ould", "Nouakchott", forum.RoleModerator, "fr", "en")
	f := hub.forum(t, "digitalisation", "Learning forum on digitalisation")
	w, err := hub.Service.CreateWebinar(ctx, mod, f.ID, launchInput("Launch of the Learning Forum"))
	if err != nil {
		t.Fatal(err)
	}
	join(t, city, hub, f)
	got := cityEvent(t, city, hub.URLs.Thread(w.ThreadID), "the backfill brings the event", func(*forum.Webinar) bool { return true })
	if got.Texts["en"].Title != "Launch of the Learning Forum" || !got.StartsAt.Equal(w.StartsAt) {
		t.Errorf("the backfilled event: %+v", got)
	}
}
