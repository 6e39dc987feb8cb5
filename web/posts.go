package web

import (
	"net/http"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

func (s *Server) postPermalink(w http.ResponseWriter, r *http.Request) error {
	p, _, err := s.cfg.Service.PostInThread(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return redirect(w, r, uris.PostAnchor(p.ThreadID, p.ID))
}

func (s *Server) editForm(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	p, t, err := s.cfg.Service.PostInThread(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := forum.CanEdit(st.viewer, t, p); err != nil {
		return err
	}
	d := s.editData(st, p, forum.Edit{Title: t.Title, Body: p.Source, Language: p.Language})
	if d.Images {
		d.Kept = keptImages(p)
	}
	s.render(w, r, http.StatusOK, "compose", st.tr.T("edit.title"), d)
	return nil
}

// editData is the edit form of p showing e, with empty fields for new
// images when the node keeps images.
func (s *Server) editData(st *state, p *forum.Post, e forum.Edit) composeData {
	d := composeData{Action: uris.PostEditPath(p.ID), IsEdit: true, HasTitle: p.IsQuestion(),
		Title: e.Title, Body: e.Body, Language: e.Language, Languages: postLanguages(st.viewer, e.Language)}
	if s.cfg.Media != nil && p.URI == "" {
		d.Images, d.Alts = true, make([]string, forum.MaxImages)
	}
	return d
}

func (s *Server) edit(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	id := r.PathValue("id")
	e := forum.Edit{Title: r.PostForm.Get("title"), Body: r.PostForm.Get("body"), Language: r.PostForm.Get("language")}
	old, t, err := s.cfg.Service.PostInThread(r.Context(), id)
	if err != nil {
		return err
	}
	if err := forum.CanEdit(st.viewer, t, old); err != nil {
		return err
	}
	// typed is the form as sent, to give back with a preview or a message.
	typed := func() composeData {
		d := s.editData(st, old, e)
		if d.Images {
			d.Alts, d.Kept = typedAlts(r), typedKept(r, old)
		}
		return d
	}
	if previewing(r) {
		d := typed()
		s.preview(st, &d)
		s.render(w, r, http.StatusOK, "compose", st.tr.T("edit.title"), d)
		return nil
	}
	images, refused, err := s.editedImages(r, st, old)
	if err != nil {
		return err
	}
	if refused != "" {
		d := typed()
		d.Error = refused
		s.render(w, r, http.StatusUnprocessableEntity, "compose", st.tr.T("edit.title"), d)
		return nil
	}
	e.Images = images
	p, err := s.cfg.Service.EditPost(r.Context(), st.viewer, id, e)
	if ve := asValidation(err); ve != nil {
		d := typed()
		d.Error = s.validationMessage(st.tr, ve)
		s.render(w, r, http.StatusBadRequest, "compose", st.tr.T("edit.title"), d)
		return nil
	} else if err != nil {
		return err
	}
	return s.redirectFlash(w, r, uris.PostAnchor(p.ThreadID, p.ID), "flash.post_edited")
}

func (s *Server) deletePost(w http.ResponseWriter, r *http.Request) error {
	if !confirmed(r) {
		return s.confirmDeleteAnswer(w, r)
	}
	p, err := s.cfg.Service.DeletePost(r.Context(), stateOf(r).viewer, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, uris.PostAnchor(p.ThreadID, p.ID), "flash.post_deleted")
}

// on reads the on/off switch of a toggle form.
func on(r *http.Request) bool { return r.PostForm.Get("on") == "1" }

// onOff picks the flash message of a toggle.
func onOff(r *http.Request, onID, offID string) string {
	if on(r) {
		return onID
	}
	return offID
}

func (s *Server) helpful(w http.ResponseWriter, r *http.Request) error {
	p, err := s.cfg.Service.SetHelpful(r.Context(), stateOf(r).viewer, r.PathValue("id"), on(r))
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, uris.PostAnchor(p.ThreadID, p.ID), onOff(r, "flash.helpful_on", "flash.helpful_off"))
}

func (s *Server) goodPractice(w http.ResponseWriter, r *http.Request) error {
	p, err := s.cfg.Service.SetGoodPractice(r.Context(), stateOf(r).viewer, r.PathValue("id"), on(r))
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, uris.PostAnchor(p.ThreadID, p.ID), onOff(r, "flash.good_practice_on", "flash.good_practice_off"))
}

type historyData struct {
	Post      *forum.Post
	Revisions []*forum.Revision
	Editors   map[string]*forum.Member
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	p, revs, err := s.cfg.Service.History(r.Context(), st.viewer, r.PathValue("id"))
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(revs))
	for _, rv := range revs {
		ids = append(ids, rv.EditorID)
	}
	editors, err := s.cfg.Service.Members(r.Context(), ids)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "history", st.tr.T("history.title"), historyData{Post: p, Revisions: revs, Editors: editors})
	return nil
}
