package federation

import (
	"html"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/forum"
)

// A forum's webinar is published as its discussion thread's question, typed
// `Event` (FEP-8a8e) instead of `Page`: one object, so servers that show
// events (Mobilizon, Gancio) list it, Mastodon shows its name and link,
// and other agora nodes and forum software keep it as a question whose
// answers are the discussion (docs/federation.md, "Events").

// asEvent turns a question's Page into the Event of its webinar: times,
// zone, online location, the event page as url, its title and description
// in every language it has.
func (f *Federation) asEvent(o *ap.Object, w *forum.Webinar) {
	o.Type = ap.TypeEvent
	start, end := w.StartsAt, w.EndsAt
	o.StartTime, o.EndTime, o.TimeZone = &start, &end, w.TimeZone
	o.LocationURL = w.OnlineURL
	o.EventStatus = ap.EventConfirmed
	if w.Cancelled {
		o.EventStatus = ap.EventCancelled
	}
	o.URL = f.urls.Webinar(w.ID)
	for lang, t := range w.Texts {
		if _, ok := o.NameMap[lang]; !ok {
			o.NameMap[lang] = t.Title
		}
		if _, ok := o.ContentMap[lang]; !ok && t.Description != "" {
			o.ContentMap[lang] = "<p>" + html.EscapeString(t.Description) + "</p>"
		}
	}
}
