package federation

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

// The replies collections of our posts (AS2 `replies`). GoToSocial and
// Mastodon find a post's answers by walking it: each item is fetched and
// placed by its inReplyTo. A question's lists every answer of its thread
// (all of them respond to it, and one walk then finds the whole thread);
// an answer's lists the posts that reply to it. Deleted posts are left
// out; everything else in a thread is public. Items are ids: our own
// posts' and, for copies, their origin's (fetched from there).
const (
	repliesPageSize = 50
	// repliesScanPages bounds the thread pages read to find an answer's
	// replies (forum.PostPageSize posts each).
	repliesScanPages = 100
)

func (f *Federation) repliesRoutes(mux *http.ServeMux) {
	mux.Handle("GET /t/{id}/replies", f.serveAP(f.questionReplies, false))
	mux.Handle("GET /p/{id}/replies", f.serveAP(f.answerReplies, false))
}

// repliesURI is the replies collection of one of our posts.
func (f *Federation) repliesURI(p *forum.Post, t *forum.Thread) string {
	if p.IsQuestion() {
		return f.urls.Abs(uris.RepliesPath(uris.ThreadPath(t.ID)))
	}
	return f.urls.Abs(uris.RepliesPath(uris.PostPath(p.ID)))
}

// ownLiveThread is a live thread whose question we are the origin of.
func (f *Federation) ownLiveThread(ctx context.Context, id forum.ID) (*forum.Thread, error) {
	t, err := f.svc.Thread(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.URI != "" || t.DeletedAt != nil {
		return nil, forum.ErrNotFound // a copy (its origin has the collection), or deleted
	}
	return t, nil
}

// questionReplies pages through the thread like its context collection.
func (f *Federation) questionReplies(_ http.ResponseWriter, r *http.Request) (any, error) {
	ctx := r.Context()
	t, err := f.ownLiveThread(ctx, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	id := f.urls.Abs(uris.RepliesPath(uris.ThreadPath(t.ID)))
	page := r.URL.Query().Get("page")
	if page == "" {
		return &ap.Collection{ID: id, Type: ap.TypeOrderedCollection, First: id + "?page=" + firstPage}, nil
	}
	cursor := page
	if page == firstPage {
		cursor = ""
	}
	v, err := f.svc.ReadThread(ctx, nil, t.ID, cursor)
	if forum.IsValidation(err) {
		return nil, forum.ErrNotFound
	} else if err != nil {
		return nil, err
	}
	c := &ap.Collection{ID: id + "?page=" + page, Type: ap.TypeOrderedCollectionPage, PartOf: id}
	if v.Posts.Next != "" {
		c.Next = id + "?page=" + v.Posts.Next
	}
	var items []json.RawMessage
	for _, p := range v.Posts.Items {
		if p.IsQuestion() || p.Deleted() {
			continue
		}
		items = append(items, idItem(f.postURI(p, t)))
	}
	return withItems(c, items)
}

// answerReplies lists the live posts whose parent is the answer, found by
// reading the thread (bounded), in pages of repliesPageSize.
func (f *Federation) answerReplies(_ http.ResponseWriter, r *http.Request) (any, error) {
	ctx := r.Context()
	p, err := f.svc.Post(ctx, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if p.IsQuestion() || p.URI != "" || p.Deleted() {
		return nil, forum.ErrNotFound
	}
	t, err := f.ownLiveThread(ctx, p.ThreadID)
	if err != nil && !errors.Is(err, forum.ErrNotFound) {
		return nil, err
	}
	if t == nil {
		// A local answer in a joined forum's thread: the thread is a copy,
		// but the answer is ours.
		if t, err = f.svc.Thread(ctx, p.ThreadID); err != nil {
			return nil, err
		}
	}
	id := f.urls.Abs(uris.RepliesPath(uris.PostPath(p.ID)))
	page := r.URL.Query().Get("page")
	if page == "" {
		return &ap.Collection{ID: id, Type: ap.TypeOrderedCollection, First: id + "?page=1"}, nil
	}
	n, err := strconv.Atoi(page)
	if err != nil || n < 1 {
		return nil, forum.ErrNotFound
	}
	children, err := f.childrenOf(ctx, t, p.ID)
	if err != nil {
		return nil, err
	}
	c := &ap.Collection{ID: id + "?page=" + page, Type: ap.TypeOrderedCollectionPage, PartOf: id}
	from := (n - 1) * repliesPageSize
	if from > len(children) {
		return nil, forum.ErrNotFound
	}
	to := min(from+repliesPageSize, len(children))
	if to < len(children) {
		c.Next = id + "?page=" + strconv.Itoa(n+1)
	}
	return withItems(c, children[from:to])
}

// childrenOf reads the thread for the live posts whose parent is parentID.
func (f *Federation) childrenOf(ctx context.Context, t *forum.Thread, parentID forum.ID) ([]json.RawMessage, error) {
	var out []json.RawMessage
	cursor := ""
	for range repliesScanPages {
		v, err := f.svc.ReadThread(ctx, nil, t.ID, cursor)
		if err != nil {
			return nil, err
		}
		for _, p := range v.Posts.Items {
			if p.ParentID == parentID && !p.Deleted() {
				out = append(out, idItem(f.postURI(p, t)))
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
