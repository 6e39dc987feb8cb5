package serve

import (
	"net/http"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// GoodPractices serves a local forum's good-practices collection: the
// forum's marked answers, by id, newest mark first (unpaged: a forum marks
// dozens, at most forum.GoodPracticeScan). The web routes it by content
// negotiation: the same URL is the HTML page. See docs/federation.md,
// "Good practices".
func (s *Server) GoodPractices() http.Handler {
	return s.serveAP(s.forumGoodPractices, false)
}

func (s *Server) forumGoodPractices(_ http.ResponseWriter, r *http.Request) (any, error) {
	ctx := r.Context()
	fo, err := LocalForum(ctx, s.cfg.Forum, r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	list, err := s.cfg.Forum.GoodPractices(ctx, forum.GoodPracticeFilter{ForumID: fo.ID})
	if err != nil {
		return nil, err
	}
	items := make([]ap.Ref, 0, len(list.Items))
	for _, g := range list.Items {
		id := g.Post.URI // another node's answer: its origin's id
		if id == "" {
			id = s.urls.Post(g.Post.ID)
		}
		items = append(items, ap.Ref{IRI: id})
	}
	return &ap.Collection{ID: s.urls.Abs(uris.GoodPracticesPath(fo.Slug)), Type: ap.TypeOrderedCollection,
		TotalItems: intp(len(items)), Items: items}, nil
}
