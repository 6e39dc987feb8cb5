package web

import (
	"net/http"

	"github.com/metropolis/agora/forum"
)

// eventsData is the node's events page: every forum's events, local and
// joined (a city keeps the events of the hub forums it joined).
type eventsData struct {
	Upcoming, Past []*forum.Webinar
}

// eventsPage lists the upcoming and past events of every forum here
// (GET /events), in the reader's time zone, with the node's calendar.
func (s *Server) eventsPage(w http.ResponseWriter, r *http.Request) error {
	l, err := s.cfg.Service.ListWebinars(r.Context(), "")
	if err != nil {
		return err
	}
	st := stateOf(r)
	s.render(w, r, http.StatusOK, "events", st.tr.T("events.title"), eventsData{Upcoming: l.Upcoming, Past: l.Past})
	return nil
}
