package web

import (
	"net/http"
)

// tagPage lists the threads carrying a hashtag: where a post's #word links.
func (s *Server) tagPage(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cfg.Service.TaggedThreads(r.Context(), r.PathValue("tag"))
	if err != nil {
		return err
	}
	st := stateOf(r)
	s.render(w, r, http.StatusOK, "tag", st.tr.T("tag.title", "Tag", list.Tag), list)
	return nil
}
