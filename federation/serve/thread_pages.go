package serve

import (
	"encoding/json"
	"net/http"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// threadPages serves a collection of a thread's posts that pages like the
// thread's own pages (the context collection, a question's replies):
// without ?page, the collection top (which links its first page); with
// it, the posts of that page of the thread, each made an item by item
// (a nil item leaves the post out), linked to the next page.
func (s *Server) threadPages(r *http.Request, t *forum.Thread, top *ap.Collection, item func(*forum.Post) (json.RawMessage, error)) (any, error) {
	id := top.ID
	page := r.URL.Query().Get("page")
	if page == "" {
		top.Type, top.First = ap.TypeOrderedCollection, uris.CollectionPage(id, uris.FirstPage)
		return top, nil
	}
	cursor := page
	if page == uris.FirstPage {
		cursor = ""
	}
	v, err := s.cfg.Forum.ReadThread(r.Context(), nil, t.ID, cursor)
	if forum.IsValidation(err) {
		return nil, forum.ErrNotFound // not a cursor of ours
	} else if err != nil {
		return nil, err
	}
	c := &ap.Collection{ID: uris.CollectionPage(id, page), Type: ap.TypeOrderedCollectionPage, PartOf: id}
	if v.Posts.Next != "" {
		c.Next = uris.CollectionPage(id, v.Posts.Next)
	}
	var items []json.RawMessage
	for _, p := range v.Posts.Items {
		it, err := item(p)
		if err != nil {
			return nil, err
		}
		if it != nil {
			items = append(items, it)
		}
	}
	return withItems(c, items)
}
