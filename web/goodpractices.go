package web

import (
	"net/http"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// goodPracticesData is a good-practice page: a forum's (Forum set) or the
// node's.
type goodPracticesData struct {
	*forum.GoodPractices
	// Action is where the filter form sends its choices (this page).
	Action    string
	ForumText map[string]string
}

// forumGoodPractices is a forum's good-practice page.
func (s *Server) forumGoodPractices(w http.ResponseWriter, r *http.Request) error {
	f, err := s.cfg.Service.ForumBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	return s.goodPracticesPage(w, r, f)
}

// nodeGoodPractices is the good practices of every forum of the node.
func (s *Server) nodeGoodPractices(w http.ResponseWriter, r *http.Request) error {
	return s.goodPracticesPage(w, r, nil)
}

func (s *Server) goodPracticesPage(w http.ResponseWriter, r *http.Request, f *forum.Forum) error {
	q := r.URL.Query()
	filter := forum.GoodPracticeFilter{ThreadID: q.Get("question"), City: q.Get("city"),
		Language: q.Get("language"), Tag: q.Get("theme")}
	st := stateOf(r)
	d := goodPracticesData{Action: uris.NodeGoodPracticesPath()}
	title := st.tr.T("goodpractices.title_node")
	if f != nil {
		filter.ForumID = f.ID
		d.Action = uris.GoodPracticesPath(f.Slug)
		d.ForumText = forumText(f, st.tr.lang)
		title = st.tr.T("goodpractices.title_forum", "Forum", d.ForumText["Title"])
	}
	list, err := s.cfg.Service.GoodPractices(r.Context(), filter)
	if err != nil {
		return err
	}
	d.GoodPractices = list
	s.render(w, r, http.StatusOK, "goodpractices", title, d)
	return nil
}
