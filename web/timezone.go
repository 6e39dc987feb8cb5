package web

import (
	"time"

	"github.com/metropolis/agora/forum"
)

// Times of events are written on the server in the reader's time zone:
// the member's choice (profile), else the node's. No script guesses the
// browser's zone, so the page says which zone it uses and reads the same
// everywhere (and in the calendar files, which carry the zone).

// readerZone is the zone m reads times in.
func (s *Server) readerZone(m *forum.Member) *time.Location {
	if m != nil && m.TimeZone != "" {
		if loc, err := time.LoadLocation(m.TimeZone); err == nil {
			return loc
		}
	}
	return s.zone
}

// Zone names the reader's time zone ("Europe/Madrid").
func (v *view) Zone() string {
	if v.zone == nil {
		return "UTC"
	}
	return v.zone.String()
}

// LocalTime is an instant as the reader's date and time of day, in their
// zone, with the zone's abbreviation ("17 May 2026 at 15:00 CEST").
func (v *view) LocalTime(t time.Time) string {
	zone := v.zone
	if zone == nil {
		zone = time.UTC
	}
	lt := t.In(zone)
	// The translator writes UTC dates: hand it the wall clock as UTC.
	wall := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, time.UTC)
	return v.T("date.zoned_time_format", "Date", v.Date(wall), "Time", v.num.digits(lt.Format("15:04")), "Zone", lt.Format("MST"))
}

// LocalISO is the instant with the reader's offset, for <time datetime>.
func (v *view) LocalISO(t time.Time) string {
	zone := v.zone
	if zone == nil {
		zone = time.UTC
	}
	return t.In(zone).Format(time.RFC3339)
}
