package web

import (
	"net/http"
	"strings"

	ics "github.com/arran4/golang-ical"

	"github.com/metropolis/agora/forum"
)

// Calendar files (RFC 5545) are made with github.com/arran4/golang-ical.
// Times are written as UTC instants (DTSTART:…Z): every calendar shows
// them in its own zone with no VTIMEZONE to get wrong; the organiser's
// zone is named in X-WR-TIMEZONE for a single event and in the text.

// calendarOf is the events as a calendar named name, in lang where they
// have it.
func (s *Server) calendarOf(name, lang string, ws []*forum.Webinar) string {
	cal := ics.NewCalendarFor("agora")
	cal.SetMethod(ics.MethodPublish)
	cal.SetXWRCalName(name)
	cal.SetName(name)
	cal.SetRefreshInterval("PT1H")
	if len(ws) == 1 {
		cal.SetXWRTimezone(ws[0].TimeZone)
	}
	for _, w := range ws {
		t, _ := w.Text(lang)
		ev := cal.AddEvent(w.ID + "@" + s.cfg.URLs.Host())
		ev.SetDtStampTime(w.CreatedAt)
		ev.SetCreatedTime(w.CreatedAt)
		// A calendar app replaces its copy of an event by one with a
		// greater SEQUENCE: each edit and the cancellation count one.
		ev.SetSequence(w.Sequence)
		if w.Cancelled {
			ev.SetStatus(ics.ObjectStatusCancelled)
		} else {
			ev.SetStatus(ics.ObjectStatusConfirmed)
		}
		ev.SetStartAt(w.StartsAt)
		ev.SetEndAt(w.EndsAt)
		ev.SetSummary(t.Title)
		desc := t.Description
		if items := w.ProgrammeItems(); len(items) > 0 {
			desc = strings.TrimSpace(desc + "\n\n" + strings.Join(items, "\n"))
		}
		ev.SetDescription(strings.TrimSpace(desc + "\n\n" + s.cfg.URLs.Webinar(w.ID)))
		ev.SetURL(s.cfg.URLs.Webinar(w.ID))
		if w.OnlineURL != "" {
			ev.SetLocation(w.OnlineURL)
		}
	}
	return cal.Serialize()
}

// writeCalendar answers with a calendar file.
func writeCalendar(w http.ResponseWriter, filename, body string) {
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write([]byte(body))
}

func (s *Server) webinarICS(w http.ResponseWriter, r *http.Request) error {
	wb, err := s.cfg.Service.Webinar(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	t, _ := wb.Text(stateOf(r).tr.lang)
	writeCalendar(w, "event-"+wb.ID+".ics", s.calendarOf(t.Title, stateOf(r).tr.lang, []*forum.Webinar{wb}))
	return nil
}

func (s *Server) forumCalendar(w http.ResponseWriter, r *http.Request) error {
	f, err := s.cfg.Service.ForumBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	l, err := s.cfg.Service.ListWebinars(r.Context(), f.ID)
	if err != nil {
		return err
	}
	text, _ := f.Text(stateOf(r).tr.lang)
	writeCalendar(w, f.Slug+".ics", s.calendarOf(text.Title, stateOf(r).tr.lang, append(l.Upcoming, l.Past...)))
	return nil
}

func (s *Server) nodeCalendar(w http.ResponseWriter, r *http.Request) error {
	l, err := s.cfg.Service.ListWebinars(r.Context(), "")
	if err != nil {
		return err
	}
	writeCalendar(w, "calendar.ics", s.calendarOf(s.cfg.URLs.Host(), stateOf(r).tr.lang, append(l.Upcoming, l.Past...)))
	return nil
}

// webinarsRecent bounds what the forum page lists of past events.
const webinarsRecent = 10

// forumWebinars is what the forum page shows: upcoming events and the
// latest past ones, each with its discussion thread.
func (s *Server) forumWebinars(r *http.Request, f *forum.Forum) (upcoming, past []*forum.Webinar, err error) {
	l, err := s.cfg.Service.ListWebinars(r.Context(), f.ID)
	if err != nil {
		return nil, nil, err
	}
	if len(l.Past) > webinarsRecent {
		l.Past = l.Past[:webinarsRecent]
	}
	return l.Upcoming, l.Past, nil
}
