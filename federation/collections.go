package federation

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// Collections are paged by cursor: the collection document links its
// first page; each page links the next.
const (
	outboxPageSize  = 20
	firstPage       = "first"
	maxListedModers = 200
)

func intp(n int) *int { return &n }

// Collections registers the ActivityPub-only URLs under actors and threads.
func (f *Federation) collections(mux *http.ServeMux) {
	mux.Handle("GET /u/{username}/outbox", f.serveAP(f.memberOutbox, false))
	mux.Handle("GET /f/{slug}/outbox", f.serveAP(f.forumOutbox, false))
	mux.Handle("GET /actor/outbox", f.serveAP(f.instanceOutbox, false))
	mux.Handle("GET /u/{username}/followers", f.serveAP(f.memberFollowers, false))
	mux.Handle("GET /u/{username}/following", f.serveAP(f.memberFollowing, false))
	mux.Handle("GET /actor/followers", f.serveAP(func(_ http.ResponseWriter, r *http.Request) (any, error) {
		return f.followers(r.Context(), f.urls.InstanceActor())
	}, false))
	mux.Handle("GET /actor/following", f.serveAP(f.instanceFollowing, false))
	mux.Handle("GET /f/{slug}/followers", f.serveAP(f.forumFollowers, false))
	mux.Handle("GET /f/{slug}/moderators", f.serveAP(f.forumModerators, false))
	mux.Handle("GET /f/{slug}/featured", f.serveAP(f.forumFeatured, false))
	mux.Handle("GET /t/{id}/context", f.serveAP(f.threadContext, false))
	mux.Handle("GET /t/{id}/actor", f.serveAP(f.getThreadActor, false))
	mux.Handle("GET /t/{id}/actor/followers", f.serveAP(func(_ http.ResponseWriter, r *http.Request) (any, error) {
		t, err := f.localThread(r.Context(), r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		return f.followers(r.Context(), f.urls.ThreadActor(t.ID))
	}, false))
	mux.Handle("GET /t/{id}/actor/outbox", f.serveAP(func(_ http.ResponseWriter, r *http.Request) (any, error) {
		t, err := f.localThread(r.Context(), r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		return f.outbox(r, f.urls.ThreadActor(t.ID))
	}, false))
	mux.Handle("GET /activities/{id}", f.serveAP(f.activity, false))
	mux.Handle("GET /actor", f.serveAP(func(_ http.ResponseWriter, r *http.Request) (any, error) {
		return f.instanceActor(r.Context())
	}, true)) // unsigned even under authorized fetch: others need it to check our signatures
}

func (f *Federation) getThreadActor(_ http.ResponseWriter, r *http.Request) (any, error) {
	t, err := f.localThread(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return f.threadActor(r.Context(), t)
}

// rawDoc is a document already in JSON (stored activities).
type rawDoc json.RawMessage

// outbox serves an actor's outbox: the collection, or a page of its public
// activities, newest first, embedded as they were sent.
func (f *Federation) outbox(r *http.Request, actorURI string) (any, error) {
	ctx := r.Context()
	id := actorURI + "/outbox"
	page := r.URL.Query().Get("page")
	if page == "" {
		n, err := f.store.CountOutbox(ctx, actorURI)
		if err != nil {
			return nil, err
		}
		return &ap.Collection{ID: id, Type: ap.TypeOrderedCollection, TotalItems: intp(n), First: id + "?page=" + firstPage}, nil
	}
	before := ""
	if page != firstPage {
		if !forum.ValidID(page) {
			return nil, forum.ErrNotFound
		}
		before = page
	}
	acts, err := f.store.ListOutbox(ctx, actorURI, before, outboxPageSize+1)
	if err != nil {
		return nil, err
	}
	c := &ap.Collection{ID: id + "?page=" + page, Type: ap.TypeOrderedCollectionPage, PartOf: id}
	if len(acts) > outboxPageSize {
		acts = acts[:outboxPageSize]
		c.Next = id + "?page=" + acts[len(acts)-1].ID
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

func (f *Federation) memberOutbox(_ http.ResponseWriter, r *http.Request) (any, error) {
	m, err := f.svc.MemberByUsername(r.Context(), r.PathValue("username"))
	if err != nil {
		return nil, err
	}
	return f.outbox(r, f.urls.Member(m.Username))
}

func (f *Federation) forumOutbox(_ http.ResponseWriter, r *http.Request) (any, error) {
	fo, err := f.localForum(r.Context(), r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	return f.outbox(r, f.urls.Forum(fo.Slug))
}

func (f *Federation) instanceOutbox(_ http.ResponseWriter, r *http.Request) (any, error) {
	return f.outbox(r, f.urls.InstanceActor())
}

// followers answers with the count only: who follows whom is not published.
func (f *Federation) followers(ctx context.Context, actorURI string) (any, error) {
	n, err := f.store.CountFollowers(ctx, actorURI)
	if err != nil {
		return nil, err
	}
	return &ap.Collection{ID: actorURI + "/followers", Type: ap.TypeOrderedCollection, TotalItems: intp(n)}, nil
}

func (f *Federation) memberFollowers(_ http.ResponseWriter, r *http.Request) (any, error) {
	m, err := f.svc.MemberByUsername(r.Context(), r.PathValue("username"))
	if err != nil {
		return nil, err
	}
	return f.followers(r.Context(), f.urls.Member(m.Username))
}

func (f *Federation) forumFollowers(_ http.ResponseWriter, r *http.Request) (any, error) {
	fo, err := f.localForum(r.Context(), r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	return f.followers(r.Context(), f.urls.Forum(fo.Slug))
}

// memberFollowing: members follow nobody from here (their node follows
// forums on their behalf), but the collection exists, empty.
func (f *Federation) memberFollowing(_ http.ResponseWriter, r *http.Request) (any, error) {
	m, err := f.svc.MemberByUsername(r.Context(), r.PathValue("username"))
	if err != nil {
		return nil, err
	}
	return &ap.Collection{ID: f.urls.Member(m.Username) + "/following", Type: ap.TypeOrderedCollection, TotalItems: intp(0)}, nil
}

// instanceFollowing lists the remote forums this node follows.
func (f *Federation) instanceFollowing(_ http.ResponseWriter, r *http.Request) (any, error) {
	fs, err := f.store.ListFollowing(r.Context())
	if err != nil {
		return nil, err
	}
	items := make([]ap.Ref, 0, len(fs))
	for _, fg := range fs {
		if fg.State == FollowAccepted {
			items = append(items, ap.Ref{IRI: fg.ObjectURI})
		}
	}
	return &ap.Collection{ID: f.urls.InstanceActor() + "/following", Type: ap.TypeOrderedCollection,
		TotalItems: intp(len(items)), Items: items}, nil
}

// forumModerators lists the node's moderators and admins: other servers
// check moderation activities against it (FEP-1b12).
func (f *Federation) forumModerators(_ http.ResponseWriter, r *http.Request) (any, error) {
	ctx := r.Context()
	fo, err := f.localForum(ctx, r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	var items []ap.Ref
	cursor := ""
	for len(items) < maxListedModers {
		page, err := f.svc.ListMembers(ctx, cursor)
		if err != nil {
			return nil, err
		}
		for _, m := range page.Items {
			if forum.CanModerate(m) == nil {
				items = append(items, ap.Ref{IRI: f.urls.Member(m.Username)})
			}
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	return &ap.Collection{ID: f.urls.Abs(uris.ModeratorsPath(fo.Slug)), Type: ap.TypeOrderedCollection,
		TotalItems: intp(len(items)), Items: items}, nil
}

// forumFeatured lists the pinned questions.
func (f *Federation) forumFeatured(_ http.ResponseWriter, r *http.Request) (any, error) {
	ctx := r.Context()
	fo, err := f.localForum(ctx, r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	list, err := f.svc.ListThreads(ctx, fo.ID, "")
	if err != nil {
		return nil, err
	}
	var items []ap.Ref
	for _, t := range list.Threads.Items {
		if !t.Pinned {
			break
		}
		items = append(items, ap.Ref{IRI: f.threadURI(t)})
	}
	return &ap.Collection{ID: f.urls.Abs(uris.FeaturedPath(fo.Slug)), Type: ap.TypeOrderedCollection,
		TotalItems: intp(len(items)), Items: items}, nil
}

// threadContext is a thread's posts in reading order (FEP-7888/FEP-f228),
// for late joiners to backfill: our posts embedded, other nodes' posts by
// id (to be fetched from their origin).
func (f *Federation) threadContext(_ http.ResponseWriter, r *http.Request) (any, error) {
	ctx := r.Context()
	t, err := f.svc.Thread(ctx, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if t.URI != "" {
		return nil, forum.ErrNotFound // another node's thread: its context is there
	}
	id := f.urls.Context(t.ID)
	page := r.URL.Query().Get("page")
	if page == "" {
		return &ap.Collection{ID: id, Type: ap.TypeOrderedCollection, TotalItems: intp(t.ReplyCount + 1),
			First: id + "?page=" + firstPage, AttributedTo: f.threadURI(t)}, nil
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
		if p.URI != "" {
			b, _ := json.Marshal(p.URI)
			items = append(items, b)
			continue
		}
		pc, err := f.loadPost(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		b, err := ap.Marshal(f.object(pc))
		if err != nil {
			return nil, err
		}
		items = append(items, b)
	}
	return withItems(c, items)
}

// activity serves one of our public activities by id.
func (f *Federation) activity(_ http.ResponseWriter, r *http.Request) (any, error) {
	a, err := f.store.OutboxActivityByURI(r.Context(), f.urls.Activity(r.PathValue("id")))
	if err != nil {
		return nil, err
	}
	if !a.Public {
		return nil, forum.ErrNotFound
	}
	return rawDoc(a.Body), nil
}
