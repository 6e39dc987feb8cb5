package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

// TestWebinarEditCancel: a moderator edits a coming event. An end before
// the start is refused with a clear message, the form keeping what was
// typed; a good edit moves the event, and its calendar file (read by
// another iCalendar library) says so with a greater SEQUENCE. The member
// who said they come is told, in their language. Cancelling marks the
// event cancelled on its page, in the forum's list and in its calendar
// file (STATUS:CANCELLED); it takes no more RSVPs nor edits, and the
// member is told again.
func TestWebinarEditCancel(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	mod := s.browser()
	mod.signIn("moderator")
	form := url.Values{"language": {"en"}, "text_lang": {"en", "es"},
		"title_en": {"Launch webinar"}, "description_en": {"World Telecommunication Day."},
		"title_es": {"Seminario de lanzamiento"}, "description_es": {"Día Mundial de las Telecomunicaciones."},
		"starts": {"2026-11-10T17:00"}, "ends": {"2026-11-10T18:30"}, "time_zone": {"Europe/Madrid"},
		"online_url": {"https://meet.example/launch"}, "speakers": {"@moderator\nEmilia Saiz (UCLG)"}, "programme": {"Welcome"}}
	p := mod.post("/f/digitalisation/events", form)
	if p.status != http.StatusSeeOther {
		t.Fatalf("create event: %d\n%s", p.status, p.body)
	}
	eventPath := p.header.Get("Location")
	id := strings.TrimPrefix(eventPath, "/e/")

	priya := s.browser()
	priya.lang = "es"
	priya.signIn("priya")
	if p = priya.post(eventPath+"/rsvp", url.Values{"going": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("rsvp: %d", p.status)
	}
	s.derive()

	// The edit form holds the event as it is, times in its zone.
	p = mod.get(eventPath + "/edit")
	mustContain(t, p, `value="2026-11-10T17:00"`, `value="2026-11-10T18:30"`, `value="Europe/Madrid"`,
		"@moderator\nEmilia Saiz (UCLG)</textarea>", `value="Seminario de lanzamiento"`, "Save the changes")
	if p := priya.get(eventPath + "/edit"); p.status != http.StatusForbidden {
		t.Errorf("a member opens the edit form: %d, want 403", p.status)
	}

	form.Set("title_en", "Launch webinar, moved")
	form.Set("starts", "2026-11-12T17:00")
	form.Set("ends", "2026-11-12T16:00")
	p = mod.post(eventPath+"/edit", form)
	if p.status != http.StatusBadRequest {
		t.Fatalf("edit ending before it starts: %d, want 400", p.status)
	}
	mustContain(t, p, "The event must end after it starts", `value="Launch webinar, moved"`, `value="2026-11-12T17:00"`,
		`value="2026-11-12T16:00"`, `action="/e/`+id+`/edit"`)
	if wb, _ := s.rig.Service.Webinar(ctx, id); wb.Sequence != 0 || wb.Texts["en"].Title != "Launch webinar" {
		t.Errorf("a refused edit changed the event: %+v", wb)
	}

	form.Set("ends", "2026-11-12T18:00")
	if p = mod.post(eventPath+"/edit", form); p.status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", p.status, p.body)
	}
	visitor := s.browser()
	evs := parseCalendar(t, visitor.get(eventPath+"/event.ics"))
	if len(evs) != 1 {
		t.Fatalf("%d events in the calendar file", len(evs))
	}
	if start, err := evs[0].DateTimeStart(time.UTC); err != nil || !start.Equal(time.Date(2026, 11, 12, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("DTSTART after the edit: %v (%v)", start, err)
	}
	calendarSays(t, evs[0], 1, "CONFIRMED", "Launch webinar, moved")
	mustContain(t, visitor.get("/t/"+threadOf(t, s, id)),
		"Launch webinar, moved")
	s.derive()
	mustContain(t, priya.get("/notifications"), "El evento «Launch webinar, moved» al que va a asistir ha cambiado")

	if p = mod.post(eventPath+"/cancel", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d\n%s", p.status, p.body)
	}
	evs = parseCalendar(t, visitor.get(eventPath+"/event.ics"))
	calendarSays(t, evs[0], 2, "CANCELLED", "Launch webinar, moved")
	mustContain(t, visitor.get(eventPath), `<span class="tag">Cancelled</span>`)
	mustContain(t, visitor.get("/f/digitalisation"), `Launch webinar, moved</a> <span class="tag">Cancelled</span>`)
	s.derive()
	mustContain(t, priya.get("/notifications"), "El evento «Launch webinar, moved» al que iba a asistir está cancelado")

	if p = mod.post(eventPath+"/edit", form); p.status != http.StatusBadRequest {
		t.Errorf("edit of a cancelled event: %d, want 400", p.status)
	}
	joao := s.browser()
	joao.signIn("joao")
	if p = joao.post(eventPath+"/rsvp", url.Values{"going": {"1"}}); p.status != http.StatusBadRequest {
		t.Errorf("rsvp to a cancelled event: %d, want 400", p.status)
	}
	if p = mod.post(eventPath+"/cancel", url.Values{}); p.status != http.StatusSeeOther {
		t.Errorf("cancelling again: %d, want it to change nothing", p.status)
	}
	if wb, _ := s.rig.Service.Webinar(ctx, id); wb.Sequence != 2 {
		t.Errorf("sequence %d after cancelling twice, want 2", wb.Sequence)
	}
}

func threadOf(t *testing.T, s *site, webinarID string) string {
	t.Helper()
	wb, err := s.rig.Service.Webinar(context.Background(), webinarID)
	if err != nil {
		t.Fatal(err)
	}
	return wb.ThreadID
}

// calendarSays checks an event's SEQUENCE, STATUS and SUMMARY.
func calendarSays(t *testing.T, ev ical.Event, seq int, status, summary string) {
	t.Helper()
	if p := ev.Props.Get(ical.PropSequence); p == nil {
		t.Error("no SEQUENCE")
	} else if n, err := p.Int(); err != nil || n != seq {
		t.Errorf("SEQUENCE %d (%v), want %d", n, err, seq)
	}
	for prop, want := range map[string]string{ical.PropStatus: status, ical.PropSummary: summary} {
		got, err := ev.Props.Text(prop)
		if err != nil {
			t.Errorf("%s: %v", prop, err)
		}
		if got != want {
			t.Errorf("%s: %q, want %q", prop, got, want)
		}
	}
}
