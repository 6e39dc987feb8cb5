package web

import (
	"net/http"
	"strings"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// Moderators edit a local forum's coming event and cancel it
// (forum.EditWebinar, CancelWebinar). The edit form is the new-event
// form, filled with the event as it is.

// editableWebinar is the event of the URL and its forum, for a moderator
// of a local forum.
func (s *Server) editableWebinar(r *http.Request) (*forum.Webinar, *forum.Forum, error) {
	st := stateOf(r)
	if st.viewer == nil {
		return nil, nil, errSignIn
	}
	if err := forum.CanModerate(st.viewer); err != nil {
		return nil, nil, err
	}
	wb, err := s.cfg.Service.Webinar(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	f, err := s.cfg.Service.ForumByID(r.Context(), wb.ForumID)
	if err != nil {
		return nil, nil, err
	}
	if !f.Local() {
		return nil, nil, forum.ErrForbidden
	}
	return wb, f, nil
}

func (s *Server) editWebinarForm(w http.ResponseWriter, r *http.Request) error {
	wb, f, err := s.editableWebinar(r)
	if err != nil {
		return err
	}
	d, err := s.webinarFormOf(r, wb)
	if err != nil {
		return err
	}
	s.renderWebinarForm(w, r, http.StatusOK, f, d)
	return nil
}

// webinarFormOf is the edit form holding the event as it is: its times
// as wall-clock times in its zone, its member speakers as @username.
func (s *Server) webinarFormOf(r *http.Request, wb *forum.Webinar) (webinarForm, error) {
	d := webinarForm{Action: uris.WebinarPath(wb.ID) + "/edit", Editing: true, Language: wb.Language,
		TimeZone: wb.TimeZone, OnlineURL: wb.OnlineURL, Programme: wb.Programme}
	loc, err := forum.LoadTimeZone("time_zone", wb.TimeZone)
	if err != nil {
		return d, err
	}
	d.Starts = wb.StartsAt.In(loc).Format(forum.WebinarTimeLayout)
	d.Ends = wb.EndsAt.In(loc).Format(forum.WebinarTimeLayout)
	for l, t := range wb.Texts {
		d.Texts = append(d.Texts, webinarFormText{Lang: l, Title: t.Title, Description: t.Description})
	}
	ids := make([]forum.ID, 0, len(wb.Speakers))
	for _, sp := range wb.Speakers {
		if sp.MemberID != "" {
			ids = append(ids, sp.MemberID)
		}
	}
	ms, err := s.cfg.Service.Members(r.Context(), ids)
	if err != nil {
		return d, err
	}
	lines := make([]string, 0, len(wb.Speakers))
	for _, sp := range wb.Speakers {
		if m := ms[sp.MemberID]; m != nil && m.Local() {
			lines = append(lines, "@"+m.Username)
		} else {
			lines = append(lines, sp.Name)
		}
	}
	d.Speakers = strings.Join(lines, "\n")
	return d, nil
}

func (s *Server) editWebinar(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	wb, f, err := s.editableWebinar(r)
	if err != nil {
		return err
	}
	in, typed := webinarInputOf(r)
	_, err = s.cfg.Service.EditWebinar(r.Context(), st.viewer, wb.ID, in)
	if ve := asValidation(err); ve != nil {
		d := s.webinarFormAgain(st, in, typed, ve)
		d.Action, d.Editing = uris.WebinarPath(wb.ID)+"/edit", true
		if ve.Field == "event" {
			d.Error = st.tr.T(ve.Code) // over or cancelled: nothing in the form to fix
		}
		s.renderWebinarForm(w, r, http.StatusBadRequest, f, d)
		return nil
	} else if err != nil {
		return err
	}
	return redirect(w, r, uris.WebinarPath(wb.ID))
}

func (s *Server) cancelWebinar(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	wb, _, err := s.editableWebinar(r)
	if err != nil {
		return err
	}
	_, err = s.cfg.Service.CancelWebinar(r.Context(), st.viewer, wb.ID)
	if ve := asValidation(err); ve != nil {
		return s.showWebinar(w, r, http.StatusBadRequest, st.tr.T(ve.Code))
	} else if err != nil {
		return err
	}
	return redirect(w, r, uris.WebinarPath(wb.ID))
}
