package serve

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// The replies collections of our posts (AS2 `replies`, named on each post
// by uris.RepliesPath). GoToSocial and Mastodon find a post's answers by
// walking it: each item is fetched and placed by its inReplyTo. A
// question's lists every answer of its thread (all of them respond to it,
// and one walk then finds the whole thread); an answer's lists the posts
// that reply to it. Deleted posts are left out; everything else in a
// thread is public. Items are ids: our own posts' and, for copies, their
// origin's (fetched from there).
const (
	repliesPageSize = 50
	// repliesScanPages bounds the thread pages read to find an answer's
	// replies (forum.PostPageSize posts each).
	repliesScanPages = 100
)

func (s *Server) repliesRoutes(mux *http.ServeMux) {
	mux.Handle("GET /t/{id}/replies", s.serveAP(s.questionReplies, false))
	mux.Handle("GET /p/{id}/replies", s.serveAP(s.answerReplies, false))
}

// postURI is a post's id: ours, or its origin's for a copy.
func (s *Server) postURI(p *forum.Post, t *forum.Thread) string {
	switch {
	case p.URI != "":
		return p.URI
	case p.IsQuestion():
		return s.threadURI(t)
	}
	return s.urls.Post(p.ID)
}

// questionReplies pages through the thread like its context collection.
func (s *Server) questionReplies(_ http.ResponseWriter, r *http.Request) (any, error) {
	ctx := r.Context()
	t, err := s.cfg.Forum.Thread(ctx, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if t.URI != "" || t.DeletedAt != nil {
		return nil, forum.ErrNotFound // a copy (its origin has the collection), or deleted
	}
	top := &ap.Collection{ID: s.urls.Abs(uris.RepliesPath(uris.ThreadPath(t.ID)))}
	return s.threadPages(r, t, top, func(p *forum.Post) (json.RawMessage, error) {
		if p.IsQuestion() || p.Deleted() {
			return nil, nil
		}
		return idItem(s.postURI(p, t)), nil
	})
}

// answerReplies lists the live posts whose parent is the answer, found by
// reading the thread (bounded), in pages of repliesPageSize.
func (s *Server) answerReplies(_ http.ResponseWriter, r *http.Request) (any, error) {
	ctx := r.Context()
	p, err := s.cfg.Forum.Post(ctx, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if p.IsQuestion() || p.URI != "" || p.Deleted() {
		return nil, forum.ErrNotFound
	}
	// The thread may be a copy (a local answer in a joined forum): the
	// answer is ours all the same.
	t, err := s.cfg.Forum.Thread(ctx, p.ThreadID)
	if err != nil {
		return nil, err
	}
	id := s.urls.Abs(uris.RepliesPath(uris.PostPath(p.ID)))
	page := r.URL.Query().Get("page")
	if page == "" {
		return &ap.Collection{ID: id, Type: ap.TypeOrderedCollection, First: uris.CollectionPage(id, "1")}, nil
	}
	n, err := strconv.Atoi(page)
	if err != nil || n < 1 {
		return nil, forum.ErrNotFound
	}
	children, err := s.childrenOf(ctx, t, p.ID)
	if err != nil {
		return nil, err
	}
	from := (n - 1) * repliesPageSize
	if from > len(children) || (from == len(children) && n > 1) {
		return nil, forum.ErrNotFound
	}
	c := &ap.Collection{ID: uris.CollectionPage(id, page), Type: ap.TypeOrderedCollectionPage, PartOf: id}
	to := min(from+repliesPageSize, len(children))
	if to < len(children) {
		c.Next = uris.CollectionPage(id, strconv.Itoa(n+1))
	}
	return withItems(c, children[from:to])
}

// childrenOf reads the thread for the live posts whose parent is parentID.
func (s *Server) childrenOf(ctx context.Context, t *forum.Thread, parentID forum.ID) ([]json.RawMessage, error) {
	var out []json.RawMessage
	cursor := ""
	for range repliesScanPages {
		v, err := s.cfg.Forum.ReadThread(ctx, nil, t.ID, cursor)
		if errors.Is(err, forum.ErrGone) {
			return nil, forum.ErrNotFound
		} else if err != nil {
			return nil, err
		}
		for _, p := range v.Posts.Items {
			if p.ParentID == parentID && !p.Deleted() {
				out = append(out, idItem(s.postURI(p, t)))
			}
		}
		if cursor = v.Posts.Next; cursor == "" {
			break
		}
	}
	return out, nil
}

func idItem(id string) json.RawMessage {
	b, _ := json.Marshal(id)
	return b
}
