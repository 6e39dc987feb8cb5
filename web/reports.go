package web

import (
	"net/http"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

type reportFormData struct {
	Post  *forum.Post
	Error string
}

// reportForm asks why a post should be looked at by the moderators.
func (s *Server) reportForm(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	p, _, err := s.cfg.Service.PostInThread(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := forum.CanReport(st.viewer, p); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "report", st.tr.T("report.title"), reportFormData{Post: p})
	return nil
}

func (s *Server) report(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	id := r.PathValue("id")
	rep, err := s.cfg.Service.Report(r.Context(), st.viewer, id, r.PostForm.Get("reason"))
	if ve := asValidation(err); ve != nil {
		p, _, err := s.cfg.Service.PostInThread(r.Context(), id)
		if err != nil {
			return err
		}
		s.render(w, r, http.StatusBadRequest, "report", st.tr.T("report.title"), reportFormData{Post: p, Error: s.validationMessage(st.tr, ve)})
		return nil
	} else if err != nil {
		return err
	}
	return s.redirectFlash(w, r, uris.PostAnchor(rep.ThreadID, rep.PostID), "flash.reported")
}

// reportItem is a report with what a moderator needs to judge it.
type reportItem struct {
	*forum.Report
	Post     *forum.Post
	Reporter *forum.Member
	Author   *forum.Member
}

type moderationData struct {
	Reports []reportItem
	Next    string
}

// moderation lists the open reports.
func (s *Server) moderation(w http.ResponseWriter, r *http.Request) error {
	st, svc, ctx := stateOf(r), s.cfg.Service, r.Context()
	page, err := svc.Reports(ctx, st.viewer, r.URL.Query().Get("before"))
	if err != nil {
		return err
	}
	d := moderationData{Next: page.Next}
	var ids []forum.ID
	for _, rep := range page.Items {
		p, err := svc.Post(ctx, rep.PostID)
		if err != nil {
			return err
		}
		d.Reports = append(d.Reports, reportItem{Report: rep, Post: p})
		ids = append(ids, rep.ReporterID, p.AuthorID)
	}
	members, err := svc.Members(ctx, ids)
	if err != nil {
		return err
	}
	for i := range d.Reports {
		d.Reports[i].Reporter = members[d.Reports[i].ReporterID]
		d.Reports[i].Author = members[d.Reports[i].Post.AuthorID]
	}
	s.render(w, r, http.StatusOK, "moderation", st.tr.T("moderation.title"), d)
	return nil
}

func (s *Server) resolveReport(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.Service.ResolveReport(r.Context(), stateOf(r).viewer, r.PathValue("id")); err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/moderation", "flash.report_resolved")
}
