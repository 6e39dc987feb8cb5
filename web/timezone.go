package web

import (
	"net/http"
	"sync"
	"time"

	"github.com/metropolis/agora/forum"
)

// Times are written on the server in the reader's time zone: the member's
// choice (profile), else the zone their browser reported (zone.js sets the
// cookieZone cookie to it), else the node's. Every page cache keys on the
// zone (and, for relative times, on the minute), so no reader sees
// another's clock.

// cookieZone holds the browser's IANA zone, set by static/zone.js.
const cookieZone = "agora_tz"

// zones keeps the locations already loaded, by name: time.LoadLocation
// reads and parses a tzdata file each time. Only names that loaded are
// kept, so the map is bounded by the tz database, whatever cookies say.
type zones struct{ m sync.Map }

// load is the named zone, or nil if the name is none (empty, "Local",
// a path, garbage).
func (z *zones) load(name string) *time.Location {
	if name == "" || len(name) > 64 {
		return nil
	}
	if loc, ok := z.m.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := forum.LoadTimeZone("time_zone", name)
	if err != nil {
		return nil
	}
	z.m.Store(name, loc)
	return loc
}

// readerZone is the zone the reader of r reads times in: m's setting,
// else their browser's (the zone cookie), else the node's. An invalid
// setting or cookie falls back, never fails.
func (s *Server) readerZone(m *forum.Member, r *http.Request) *time.Location {
	if m != nil && m.TimeZone != "" {
		if loc := s.zones.load(m.TimeZone); loc != nil {
			return loc
		}
	}
	if loc := s.browserZone(r); loc != nil {
		return loc
	}
	return s.zone
}

// browserZone is the zone r's browser reported (zone.js), nil if none.
func (s *Server) browserZone(r *http.Request) *time.Location {
	if r == nil {
		return nil
	}
	if c, err := r.Cookie(s.cookieName(cookieZone)); err == nil {
		return s.zones.load(c.Value)
	}
	return nil
}

// Zone names the reader's time zone ("Europe/Madrid").
func (v *view) Zone() string { return v.location().String() }

// GuessZone: the page asks the browser for its zone (zone.js), because
// the reader chose none.
func (v *view) GuessZone() bool { return v.Viewer == nil || v.Viewer.TimeZone == "" }

func (v *view) location() *time.Location {
	if v.zone == nil {
		return time.UTC
	}
	return v.zone
}

// LocalTime is an instant as the reader's date and time of day, in their
// zone, with the zone's abbreviation ("17 May 2026 at 15:00 CEST").
func (v *view) LocalTime(t time.Time) string {
	if v.location().String() == "UTC" {
		return v.translator.DateTime(t) // "UTC" in the reader's words
	}
	lt := t.In(v.location())
	// The translator writes UTC dates: hand it the wall clock as UTC.
	wall := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, time.UTC)
	return v.T("date.zoned_time_format", "Date", v.translator.Date(wall), "Time", v.num.digits(lt.Format("15:04")), "Zone", lt.Format("MST"))
}

// DateTime is LocalTime: every page writes times in the reader's zone
// (the translator's DateTime, in UTC, is for mail).
func (v *view) DateTime(t time.Time) string { return v.LocalTime(t) }

// Date is the day an instant falls on in the reader's zone.
func (v *view) Date(t time.Time) string {
	lt := t.In(v.location())
	return v.translator.Date(time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, time.UTC))
}

// LocalISO is the instant with the reader's offset, for <time datetime>.
func (v *view) LocalISO(t time.Time) string { return t.In(v.location()).Format(time.RFC3339) }

// Ago is how long before the page t was ("3 hours ago"), in the reader's
// language; past a month, the date. The exact time goes in the <time>
// element's title.
func (v *view) Ago(t time.Time) string {
	if d := v.now.Sub(t); d >= 30*24*time.Hour {
		return v.Date(t)
	}
	return relativeTime(v.translator, v.now, t)
}

// relativeTime is t said from now ("just now", "5 minutes ago", "3 hours
// ago", "2 days ago"), plural forms from the catalogs. A time ahead of now
// (clocks of other nodes) is "just now".
func relativeTime(tr *translator, now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return tr.T("time.just_now")
	case d < time.Hour:
		return tr.T("time.minutes_ago", "Count", int(d/time.Minute))
	case d < 24*time.Hour:
		return tr.T("time.hours_ago", "Count", int(d/time.Hour))
	}
	return tr.T("time.days_ago", "Count", int(d/(24*time.Hour)))
}

// siteName is this site's name as pages say where things come from.
func (s *Server) siteName() string {
	if s.cfg.SiteName != "" {
		return s.cfg.SiteName
	}
	return s.cfg.URLs.Host()
}

// minuteOf is the minute now falls in: caches of pages with relative
// times key on it, so "5 minutes ago" is never served at minute 7.
func minuteOf(now time.Time) int64 { return now.Unix() / 60 }
