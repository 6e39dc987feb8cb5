package web

import (
	"net/http"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// welcomeData is the first-steps page a new member lands on.
type welcomeData struct {
	Name   string
	Edit   string // the member's profile form
	Notify bool   // the node gives notifications (settings exist)
	Forums forum.Page[*forum.Forum]
}

// welcome is where accepting an invitation leads: a short checklist
// (profile, languages, notifications, forums to watch) instead of an empty
// profile with no next step. It stays reachable at /welcome.
func (s *Server) welcome(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if st.viewer == nil {
		return errSignIn
	}
	forums, err := s.cfg.Service.ListForums(r.Context(), "")
	if err != nil {
		return err
	}
	d := welcomeData{Name: st.viewer.DisplayName, Edit: uris.MemberPath(st.viewer.Username) + "/edit", Notify: s.cfg.Notify != nil, Forums: forums}
	s.render(w, r, http.StatusOK, "welcome", st.tr.T("welcome.title", "Name", d.Name), d)
	return nil
}
