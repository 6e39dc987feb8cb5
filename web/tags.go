package web

import (
	"net/http"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
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

type tagsData struct {
	Tags []search.TagCount
	Next string
}

// tagsIndex lists every tag with how many posts carry it, by name, paged
// by ?after=.
func (s *Server) tagsIndex(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Search == nil {
		return forum.ErrNotFound
	}
	tags, next, err := s.cfg.Search.Tags(r.Context(), r.URL.Query().Get("after"))
	if err != nil {
		return err
	}
	st := stateOf(r)
	s.render(w, r, http.StatusOK, "tags", st.tr.T("tags.title"), tagsData{Tags: tags, Next: next})
	return nil
}
