package uris

import "net/url"

// WebinarPath is a forum event's page, and its ActivityPub `Event` id.
func WebinarPath(id string) string { return "/e/" + url.PathEscape(id) }

// WebinarICSPath is one event as an iCalendar file.
func WebinarICSPath(id string) string { return WebinarPath(id) + "/event.ics" }

// NewWebinarPath is a forum's form for a new event.
func NewWebinarPath(slug string) string { return ForumPath(slug) + "/events/new" }

// WebinarsPath is where a forum's new events are posted.
func WebinarsPath(slug string) string { return ForumPath(slug) + "/events" }

// ForumCalendarPath is a forum's events as an iCalendar feed.
func ForumCalendarPath(slug string) string { return ForumPath(slug) + "/calendar.ics" }

// CalendarPath is every forum's events as an iCalendar feed.
func CalendarPath() string { return "/calendar.ics" }

// Webinar is an event's absolute URL (its ActivityPub id).
func (b *Builder) Webinar(id string) string { return b.base + WebinarPath(id) }
