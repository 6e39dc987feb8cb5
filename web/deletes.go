package web

import (
	"net/http"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// Deleting a question or an answer takes two steps that work without
// JavaScript: a confirmation page that quotes the post (GET), then its
// form (POST with confirm=1). A POST without that marker, from an old page
// or a stray click, is answered with the confirmation page and deletes
// nothing.

// confirmDeleteData is what the confirmation page shows and sends.
type confirmDeleteData struct {
	Post   *forum.Post
	Author *forum.Member
	Thread *forum.Thread
	// Action is where the Delete button posts; ThreadAction adds
	// action=delete for the thread's moderation endpoint.
	Action       string
	ThreadAction bool
	Cancel       string
}

// confirmed reports whether a delete form came from the confirmation page.
func confirmed(r *http.Request) bool { return r.PostForm.Get("confirm") == "1" }

// confirmDeleteAnswer is the confirmation page for deleting an answer.
func (s *Server) confirmDeleteAnswer(w http.ResponseWriter, r *http.Request) error {
	p, t, err := s.cfg.Service.PostInThread(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if p.IsQuestion() {
		return redirect(w, r, uris.ThreadPath(t.ID)+"/delete")
	}
	if err := forum.CanDeletePost(stateOf(r).viewer, t, p); err != nil {
		return err
	}
	return s.showConfirmDelete(w, r, p, t)
}

// confirmDeleteThread is the confirmation page for deleting a question
// with its thread.
func (s *Server) confirmDeleteThread(w http.ResponseWriter, r *http.Request) error {
	t, err := s.cfg.Service.Thread(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := forum.CanDeleteThread(stateOf(r).viewer, t); err != nil {
		return err
	}
	p, _, err := s.cfg.Service.PostInThread(r.Context(), t.RootPostID)
	if err != nil {
		return err
	}
	return s.showConfirmDelete(w, r, p, t)
}

// showConfirmDelete renders the confirmation page for post p of thread t;
// the caller checked that the viewer may delete it.
func (s *Server) showConfirmDelete(w http.ResponseWriter, r *http.Request, p *forum.Post, t *forum.Thread) error {
	st := stateOf(r)
	authors, err := s.cfg.Service.Members(r.Context(), []forum.ID{p.AuthorID})
	if err != nil {
		return err
	}
	d := confirmDeleteData{Post: p, Author: authors[p.AuthorID], Thread: t}
	title := "confirm.delete_answer"
	if p.IsQuestion() {
		title = "confirm.delete_question"
		d.Action, d.ThreadAction, d.Cancel = uris.ThreadPath(t.ID)+"/moderate", true, uris.ThreadPath(t.ID)
	} else {
		d.Action, d.Cancel = uris.PostPath(p.ID)+"/delete", uris.PostAnchor(t.ID, p.ID)
	}
	s.render(w, r, http.StatusOK, "confirm_delete", st.tr.T(title), d)
	return nil
}
