package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/metropolis/agora/forum"
)

// parseCalendar reads a calendar file with a calendar library other than
// the one that wrote it, and returns its events.
func parseCalendar(t *testing.T, p page) []ical.Event {
	t.Helper()
	if ct := p.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Fatalf("calendar served as %q", ct)
	}
	cal, err := ical.NewDecoder(strings.NewReader(p.body)).Decode()
	if err != nil {
		t.Fatalf("calendar does not parse: %v\n%s", err, p.body)
	}
	return cal.Events()
}

// TestWebinars: a moderator creates the forum's launch webinar. An end
// before the start is refused in the moderator's language with every
// field as typed. The event page shows its times in the reader's zone
// (the node's, UTC, for visitors; a member's own) and the organiser's;
// its calendar file, the forum's and the node's feeds parse with another
// iCalendar library and give the same instants. A member says they come;
// the forum page lists the event with its discussion thread, first as
// upcoming, then, once it is over, as past, when nobody can RSVP any more.
func TestWebinars(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	c := s.cast

	mod := s.browser()
	mod.lang = "fr"
	mod.signIn("moderator")
	if p := mod.get("/f/digitalisation/events/new"); p.status != http.StatusOK {
		t.Fatalf("new event form: %d", p.status)
	} else if len(p.body) > 20<<10 {
		t.Errorf("new event form is %d bytes, over 20 KB", len(p.body))
	}
	form := url.Values{"language": {"en"}, "text_lang": {"en", "es"},
		"title_en": {"Launch of the Learning Forum on Digitalisation"}, "description_en": {"World Telecommunication Day webinar."},
		"title_es": {"Lanzamiento del Foro de aprendizaje sobre digitalización"}, "description_es": {"Seminario web del Día Mundial de las Telecomunicaciones."},
		"starts": {"2026-11-10T17:00"}, "ends": {"2026-11-10T16:30"}, "time_zone": {"Europe/Madrid"},
		"online_url": {"https://meet.example/launch"}, "speakers": {"@moderator\nEmilia Saiz (UCLG)"},
		"programme": {"Welcome\nThe three debate questions\nQ&A"}}
	p := mod.post("/f/digitalisation/events", form)
	if p.status != http.StatusBadRequest {
		t.Fatalf("event ending before it starts: %d, want 400", p.status)
	}
	mustContain(t, p, "L’événement doit se terminer après son début", `value="2026-11-10T17:00"`, `value="2026-11-10T16:30"`,
		`value="Launch of the Learning Forum on Digitalisation"`, "Seminario web del Día Mundial de las Telecomunicaciones.</textarea>",
		`value="Europe/Madrid"`, `value="https://meet.example/launch"`, "@moderator\nEmilia Saiz (UCLG)</textarea>", "Q&amp;A</textarea>",
		`id="ends" name="ends" type="datetime-local" required value="2026-11-10T16:30" aria-invalid="true"`)

	form.Set("ends", "2026-11-10T18:30")
	p = mod.post("/f/digitalisation/events", form)
	if p.status != http.StatusSeeOther {
		t.Fatalf("create event: %d\n%s", p.status, p.body)
	}
	eventPath := p.header.Get("Location")
	id := strings.TrimPrefix(eventPath, "/e/")
	wb, err := s.rig.Service.Webinar(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 10, 16, 0, 0, 0, time.UTC); !wb.StartsAt.Equal(want) {
		t.Errorf("starts at %v, want %v (17:00 in Madrid)", wb.StartsAt, want)
	}

	visitor := s.browser()
	p = visitor.get(eventPath)
	mustContain(t, p, "<h1 lang=\"en\">Launch of the Learning Forum on Digitalisation</h1>", "16:00 UTC", "17:30 UTC",
		"times in UTC", "organiser’s time (Europe/Madrid)", "17:00 CET", "Emilia Saiz (UCLG)", "Nadia Ould</a>",
		"<li>The three debate questions</li>", `href="https://meet.example/launch"`, "0 people are coming", "Sign in to say you are coming")
	if len(p.body) > 20<<10 {
		t.Errorf("event page is %d bytes, over 20 KB", len(p.body))
	}
	es := s.browser()
	es.lang = "es"
	mustContain(t, es.get(eventPath), "Lanzamiento del Foro de aprendizaje sobre digitalización")

	// A member in Toronto reads the times in their own zone.
	if _, err := s.rig.Service.UpdateProfile(ctx, c.Toronto, c.Toronto.ID, forum.Profile{DisplayName: c.Toronto.DisplayName,
		Title: c.Toronto.Title, Organisation: c.Toronto.Organisation, Languages: c.Toronto.Languages, TimeZone: "America/Toronto"}); err != nil {
		t.Fatal(err)
	}
	priya := s.browser()
	priya.signIn("priya")
	p = priya.get(eventPath)
	mustContain(t, p, "11:00 EST", "times in America/Toronto")
	if p = priya.post(eventPath+"/rsvp", url.Values{"going": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("rsvp: %d", p.status)
	}
	mustContain(t, priya.get(eventPath), "1 person is coming", `aria-pressed="true"`)

	// The calendar files hold the same instants.
	for _, path := range []string{eventPath + "/event.ics", "/f/digitalisation/calendar.ics", "/calendar.ics"} {
		evs := parseCalendar(t, visitor.get(path))
		if len(evs) != 1 {
			t.Fatalf("%s: %d events, want 1", path, len(evs))
		}
		start, err := evs[0].DateTimeStart(time.UTC)
		if err != nil || !start.Equal(wb.StartsAt) {
			t.Errorf("%s: DTSTART %v (%v), want %v", path, start, err, wb.StartsAt)
		}
		end, err := evs[0].DateTimeEnd(time.UTC)
		if err != nil || !end.Equal(wb.EndsAt) {
			t.Errorf("%s: DTEND %v (%v), want %v", path, end, err, wb.EndsAt)
		}
		if sum, _ := evs[0].Props.Text(ical.PropSummary); sum != "Launch of the Learning Forum on Digitalisation" {
			t.Errorf("%s: SUMMARY %q", path, sum)
		}
		if loc, _ := evs[0].Props.Text(ical.PropLocation); loc != "https://meet.example/launch" {
			t.Errorf("%s: LOCATION %q", path, loc)
		}
	}

	// The forum page lists it with its thread; the thread is the event's.
	p = visitor.get("/f/digitalisation")
	mustContain(t, p, "<h3>Upcoming</h3>", `href="/e/`+id+`"`, `href="/t/`+wb.ThreadID+`">Discussion</a>`, `href="/f/digitalisation/calendar.ics"`)
	if p := visitor.get("/t/" + wb.ThreadID); p.status != http.StatusOK {
		t.Errorf("the event's thread: %d", p.status)
	} else {
		mustContain(t, p, "Launch of the Learning Forum", `<a href="/e/`+id+`">See the event</a>`, `datetime="2026-11-10T16:00:00Z"`)
	}

	// Once it is over it is past, and nobody can say they come.
	s.rig.Clock.Advance(9 * 24 * time.Hour)
	p = visitor.get("/f/digitalisation")
	mustContain(t, p, "<h3>Past</h3>")
	if strings.Contains(p.body, "<h3>Upcoming</h3>") {
		t.Error("a past event is listed as upcoming")
	}
	joao := s.browser()
	joao.signIn("joao")
	p = joao.post(eventPath+"/rsvp", url.Values{"going": {"1"}})
	if p.status != http.StatusBadRequest {
		t.Fatalf("rsvp to a past event: %d, want 400", p.status)
	}
	mustContain(t, p, "This event is over.")
}
