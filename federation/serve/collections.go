package serve

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// Collections are paged by cursor: the collection document links its
// first page; each page links the next.
const (
	outboxPageSize  = 20
	maxListedModers = 200
)

func intp(n int) *int { return &n }

// Collections registers the ActivityPub-only URLs under actors and threads.
func (s *Server) collections(mux *http.ServeMux) {
	mux.Handle("GET /u/{username}/outbox", s.serveAP(s.memberOutbox, false))
	mux.Handle("GET /f/{slug}/outbox", s.serveAP(s.forumOutbox, false))
	mux.Handle("GET /actor/outbox", s.serveAP(s.instanceOutbox, false))
	mux.Handle("GET /u/{username}/followers", s.serveAP(s.memberFollowers, false))
	mux.Handle("GET /u/{username}/following", s.serveAP(s.memberFollowing, false))
	mux.Handle("GET /actor/followers", s.serveAP(func(_ http.ResponseWriter, r *http.Request) (any, error) {
		return s.followers(r.Context(), s.urls.InstanceActor())
	}, false))
	mux.Handle("GET /actor/following", s.serveAP(s.instanceFollowing, false))
	mux.Handle("GET /f/{slug}/followers", s.serveAP(s.forumFollowers, false))
	mux.Handle("GET /f/{slug}/moderators", s.serveAP(s.forumModerators, false))
	mux.Handle("GET /f/{slug}/featured", s.serveAP(s.forumFeatured, false))
	mux.Handle("GET /t/{id}/context", s.serveAP(s.threadContext, false))
	mux.Handle("GET /t/{id}/actor", s.serveAP(s.getThreadActor, false))
	mux.Handle("GET /t/{id}/actor/followers", s.serveAP(s.threadFollowers, false))
	mux.Handle("GET /t/{id}/actor/outbox", s.serveAP(func(_ http.ResponseWriter, r *http.Request) (any, error) {
		t, err := LocalThread(r.Context(), s.cfg.Forum, r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		return s.outbox(r, s.urls.ThreadActor(t.ID))
	}, false))
	mux.Handle("GET /activities/{id}", s.serveAP(s.activity, false))
	mux.Handle("GET /actor", s.serveAP(func(_ http.ResponseWriter, r *http.Request) (any, error) {
		return s.cfg.Docs.InstanceActor(r.Context())
	}, true)) // unsigned even under authorized fetch: others need it to check our signatures
}

func (s *Server) getThreadActor(_ http.ResponseWriter, r *http.Request) (any, error) {
	t, err := LocalThread(r.Context(), s.cfg.Forum, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return s.cfg.Docs.ThreadActor(r.Context(), t)
}

// rawDoc is a document already in JSON (stored activities).
type rawDoc json.RawMessage

// outbox serves an actor's outbox: the collection, or a page of its public
// activities, newest first, embedded as they were sent.
func (s *Server) outbox(r *http.Request, actorURI string) (any, error) {
	ctx := r.Context()
	id := uris.ActorOutbox(actorURI)
	page := r.URL.Query().Get("page")
	if page == "" {
		n, err := s.cfg.Store.CountOutbox(ctx, actorURI)
		if err != nil {
			return nil, err
		}
		return &ap.Collection{ID: id, Type: ap.TypeOrderedCollection, TotalItems: intp(n), First: uris.CollectionPage(id, uris.FirstPage)}, nil
	}
	before := ""
	if page != uris.FirstPage {
		if !forum.ValidID(page) {
			return nil, forum.ErrNotFound
		}
		before = page
	}
	acts, err := s.cfg.Store.ListOutbox(ctx, actorURI, before, outboxPageSize+1)
	if err != nil {
		return nil, err
	}
	c := &ap.Collection{ID: uris.CollectionPage(id, page), Type: ap.TypeOrderedCollectionPage, PartOf: id}
	if len(acts) > outboxPageSize {
		acts = acts[:outboxPageSize]
		c.Next = uris.CollectionPage(id, acts[len(acts)-1].ID)
	}
	items := make([]json.RawMessage, 0, len(acts))
	for _, a := range acts {
		items = append(items, a.Body)
	}
	return withItems(c, items)
}

// withItems marshals a collection page with raw items spliced in.
func withItems(c *ap.Collection, items []json.RawMessage) (rawDoc, error) {
	body, err := ap.Marshal(c)
	if err != nil {
		return nil, err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	list, err := json.Marshal(items)
	if err != nil {
		return nil, err
	}
	doc["orderedItems"] = list
	out, err := json.Marshal(doc)
	return rawDoc(out), err
}

func (s *Server) memberOutbox(_ http.ResponseWriter, r *http.Request) (any, error) {
	m, err := s.cfg.Forum.MemberByUsername(r.Context(), r.PathValue("username"))
	if err != nil {
		return nil, err
	}
	return s.outbox(r, s.urls.Member(m.Username))
}

func (s *Server) forumOutbox(_ http.ResponseWriter, r *http.Request) (any, error) {
	fo, err := LocalForum(r.Context(), s.cfg.Forum, r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	return s.outbox(r, s.urls.Forum(fo.Slug))
}

func (s *Server) instanceOutbox(_ http.ResponseWriter, r *http.Request) (any, error) {
	return s.outbox(r, s.urls.InstanceActor())
}

// followers answers with the count only: who follows whom is not published.
func (s *Server) followers(ctx context.Context, actorURI string) (any, error) {
	n, err := s.cfg.Store.CountFollowers(ctx, actorURI)
	if err != nil {
		return nil, err
	}
	return &ap.Collection{ID: uris.ActorFollowers(actorURI), Type: ap.TypeOrderedCollection, TotalItems: intp(n)}, nil
}

func (s *Server) memberFollowers(_ http.ResponseWriter, r *http.Request) (any, error) {
	m, err := s.cfg.Forum.MemberByUsername(r.Context(), r.PathValue("username"))
	if err != nil {
		return nil, err
	}
	return s.followers(r.Context(), s.urls.Member(m.Username))
}

func (s *Server) forumFollowers(_ http.ResponseWriter, r *http.Request) (any, error) {
	fo, err := LocalForum(r.Context(), s.cfg.Forum, r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	return s.followers(r.Context(), s.urls.Forum(fo.Slug))
}

// memberFollowing: members follow nobody from here (their node follows
// forums on their behalf), but the collection exists, empty.
func (s *Server) memberFollowing(_ http.ResponseWriter, r *http.Request) (any, error) {
	m, err := s.cfg.Forum.MemberByUsername(r.Context(), r.PathValue("username"))
	if err != nil {
		return nil, err
	}
	return &ap.Collection{ID: uris.ActorFollowing(s.urls.Member(m.Username)), Type: ap.TypeOrderedCollection, TotalItems: intp(0)}, nil
}

// instanceFollowing lists the remote forums this node follows.
func (s *Server) instanceFollowing(_ http.ResponseWriter, r *http.Request) (any, error) {
	fs, err := s.cfg.Store.ListFollowing(r.Context())
	if err != nil {
		return nil, err
	}
	items := make([]ap.Ref, 0, len(fs))
	for _, fg := range fs {
		if fg.State == stored.FollowAccepted {
			items = append(items, ap.Ref{IRI: fg.ObjectURI})
		}
	}
	return &ap.Collection{ID: uris.ActorFollowing(s.urls.InstanceActor()), Type: ap.TypeOrderedCollection,
		TotalItems: intp(len(items)), Items: items}, nil
}

// forumModerators lists the node's moderators and admins: other servers
// check moderation activities against it (FEP-1b12).
func (s *Server) forumModerators(_ http.ResponseWriter, r *http.Request) (any, error) {
	ctx := r.Context()
	fo, err := LocalForum(ctx, s.cfg.Forum, r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	var items []ap.Ref
	cursor := ""
	for len(items) < maxListedModers {
		page, err := s.cfg.Forum.ListMembers(ctx, cursor)
		if err != nil {
			return nil, err
		}
		for _, m := range page.Items {
			if forum.CanModerate(m) == nil {
				items = append(items, ap.Ref{IRI: s.urls.Member(m.Username)})
			}
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	return &ap.Collection{ID: s.urls.Abs(uris.ModeratorsPath(fo.Slug)), Type: ap.TypeOrderedCollection,
		TotalItems: intp(len(items)), Items: items}, nil
}

// forumFeatured lists the pinned questions.
func (s *Server) forumFeatured(_ http.ResponseWriter, r *http.Request) (any, error) {
	ctx := r.Context()
	fo, err := LocalForum(ctx, s.cfg.Forum, r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	list, err := s.cfg.Forum.ListThreads(ctx, fo.ID, "")
	if err != nil {
		return nil, err
	}
	var items []ap.Ref
	for _, t := range list.Threads.Items {
		if !t.Pinned {
			break
		}
		items = append(items, ap.Ref{IRI: s.threadURI(t)})
	}
	return &ap.Collection{ID: s.urls.Abs(uris.FeaturedPath(fo.Slug)), Type: ap.TypeOrderedCollection,
		TotalItems: intp(len(items)), Items: items}, nil
}

// threadContext is a thread's posts in reading order (FEP-7888/FEP-f228),
// for late joiners to backfill: our posts embedded, other nodes' posts by
// id (to be fetched from their origin).
func (s *Server) threadContext(_ http.ResponseWriter, r *http.Request) (any, error) {
	ctx := r.Context()
	t, err := s.cfg.Forum.Thread(ctx, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if t.URI != "" {
		return nil, forum.ErrNotFound // another node's thread: its context is there
	}
	top := &ap.Collection{ID: s.urls.Context(t.ID), TotalItems: intp(t.ReplyCount + 1), AttributedTo: s.threadURI(t)}
	return s.threadPages(r, t, top, func(p *forum.Post) (json.RawMessage, error) {
		if p.URI != "" {
			return idItem(p.URI), nil // another node's post: fetched from there
		}
		o, _, err := s.cfg.Docs.Post(r.Context(), p.ID)
		if err != nil {
			return nil, err
		}
		return ap.Marshal(o)
	})
}

// activity serves one of our public activities by id.
func (s *Server) activity(_ http.ResponseWriter, r *http.Request) (any, error) {
	a, err := s.cfg.Store.OutboxActivityByURI(r.Context(), s.urls.Activity(r.PathValue("id")))
	if err != nil {
		return nil, err
	}
	if !a.Public {
		return nil, forum.ErrNotFound
	}
	return rawDoc(a.Body), nil
}

// threadURI is a thread's (its question's) ActivityPub id.
func (s *Server) threadURI(t *forum.Thread) string {
	if t.URI != "" {
		return t.URI
	}
	return s.urls.Thread(t.ID)
}
