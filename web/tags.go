package web

import (
	"net/http"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
)

// tagPage lists the threads carrying a hashtag: where a post's #word
// links. It is paged by ?before= (the cursor of the page above); a later
// page says so in its title, as its heading does, so a reader who lands
// on it (or a screen reader announcing it) knows it is not the newest.
func (s *Server) tagPage(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cfg.Service.TaggedThreads(r.Context(), r.PathValue("tag"), r.URL.Query().Get("before"))
	if err != nil {
		return err
	}
	st := stateOf(r)
	title := st.tr.T("tag.title", "Tag", list.Tag)
	if list.Before != "" {
		title = st.tr.T("tag.title_older", "Tag", list.Tag)
	}
	s.render(w, r, http.StatusOK, "tag", title, list)
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
