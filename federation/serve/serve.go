// Package serve answers the GETs other servers make of this node: the
// ActivityPub documents of its actors and posts (the same URLs as the
// pages, by content negotiation), their collections (outboxes, followers,
// thread contexts…), and discovery (WebFinger, host-meta, NodeInfo).
// Documents of our actors and posts are built by the Documents it is given
// (the publisher sends the same ones); serve reads, never writes.
package serve

import (
	"context"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// Forum is what serve reads of the forum: members, forums, threads, posts.
type Forum interface {
	MemberByUsername(ctx context.Context, username string) (*forum.Member, error)
	ListMembers(ctx context.Context, cursor string) (forum.Page[*forum.Member], error)
	CountMembers(ctx context.Context) (int, error)
	ForumBySlug(ctx context.Context, slug string) (*forum.Forum, error)
	ForumByID(ctx context.Context, id forum.ID) (*forum.Forum, error)
	ListThreads(ctx context.Context, forumID forum.ID, cursor string) (*forum.ThreadList, error)
	Thread(ctx context.Context, id forum.ID) (*forum.Thread, error)
	ReadThread(ctx context.Context, viewer *forum.Member, id forum.ID, cursor string) (*forum.ThreadView, error)
	Post(ctx context.Context, id forum.ID) (*forum.Post, error)
	CountLocalPosts(ctx context.Context) (int, error)
	GoodPractices(ctx context.Context, filter forum.GoodPracticeFilter) (*forum.GoodPractices, error)
}

// Store is what serve reads of the federation's records.
type Store interface {
	// ListOutbox lists an actor's public activities newest first, before beforeID.
	ListOutbox(ctx context.Context, actorURI string, beforeID forum.ID, limit int) ([]*stored.OutboxActivity, error)
	CountOutbox(ctx context.Context, actorURI string) (int, error)
	OutboxActivityByURI(ctx context.Context, uri string) (*stored.OutboxActivity, error)
	CountFollowers(ctx context.Context, target string) (int, error)
	// Follower, ListFollowers and RemoteActor let a thread's followers be
	// listed to the nodes that joined its forum (thread_followers.go).
	Follower(ctx context.Context, target, actorURI string) (*stored.Follower, error)
	ListFollowers(ctx context.Context, target string, afterID forum.ID, limit int) ([]*stored.Follower, error)
	RemoteActor(ctx context.Context, uri string) (*stored.RemoteActor, error)
	ListFollowing(ctx context.Context) ([]*stored.Following, error)
}

// Documents builds the ActivityPub documents of this node's actors and
// posts: the publisher sends the same ones.
type Documents interface {
	MemberActor(ctx context.Context, m *forum.Member) (*ap.Actor, error)
	ForumActor(ctx context.Context, fo *forum.Forum) (*ap.Actor, error)
	ThreadActor(ctx context.Context, t *forum.Thread) (*ap.Actor, error)
	InstanceActor(ctx context.Context) (*ap.Actor, error)
	// Post is a post's object (a Tombstone once deleted), or, for a copy
	// of another node's post, that post's id (origin) and no object.
	Post(ctx context.Context, id forum.ID) (o *ap.Object, origin string, err error)
}

// Software names this program in NodeInfo.
type Software struct {
	Name    string
	Version string
}

// Versioner counts the writes made to the store by this process (see
// storage.Changes): a cached document is good while the version is
// unchanged.
type Versioner interface {
	Version() uint64
}

// Config is what a Server is built from.
type Config struct {
	URLs     *uris.Builder
	Forum    Forum
	Store    Store
	Docs     Documents
	Log      *slog.Logger
	Clock    forum.Clock
	Software Software
	// AuthorizedFetch requires a valid signature on GETs of our documents,
	// checked with Keys, from an instance SignerBlocked does not refuse.
	AuthorizedFetch bool
	SignatureSkew   time.Duration
	Keys            signature.KeyResolver
	SignerBlocked   func(ctx context.Context, r *http.Request) (bool, error)
	// KeyOwners names the actor of a verified key: with Keys, it lets a
	// thread's followers be listed to the nodes that joined its forum
	// (nil: never listed).
	KeyOwners KeyOwners
	// Changes, when set, lets documents be kept in memory until the store
	// changes (nil: no cache).
	Changes Versioner
}

// Server serves the node's ActivityPub documents.
type Server struct {
	cfg     Config
	urls    *uris.Builder
	docs    *docCache
	objects http.Handler
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.URLs == nil || cfg.Forum == nil || cfg.Store == nil || cfg.Docs == nil || cfg.Log == nil || cfg.Clock == nil {
		return nil, errors.New("serve: incomplete config")
	}
	if cfg.AuthorizedFetch && (cfg.Keys == nil || cfg.SignerBlocked == nil) {
		return nil, errors.New("serve: authorized fetch needs Keys and SignerBlocked")
	}
	s := &Server{cfg: cfg, urls: cfg.URLs, docs: newDocCache(cfg.Changes)}
	s.objects = s.objectHandler()
	return s, nil
}

// WantsActivityJSON reports whether a request asks for ActivityPub rather
// than HTML: application/activity+json, or application/ld+json (with or
// without the ActivityStreams profile) before text/html.
func WantsActivityJSON(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "application/activity+json":
			return params["q"] != "0"
		case "application/ld+json":
			return params["q"] != "0"
		case "text/html", "application/xhtml+xml":
			return false
		}
	}
	return false
}

// apHandler is a handler of ActivityPub documents: it returns the document
// to send, or an error mapped to a status.
type apHandler func(w http.ResponseWriter, r *http.Request) (any, error)

// errHandled: the handler already answered (a redirect).
var errHandled = errors.New("handled")

// errGoneWith carries a Tombstone: deleted objects answer 410 with it.
type errGoneWith struct{ tombstone *ap.Object }

func (e *errGoneWith) Error() string { return "gone" }

// serveAP wraps an apHandler: authorized fetch, JSON output, Vary, errors.
func (s *Server) serveAP(h apHandler, public bool) http.Handler {
	return s.serveAPDoc(h, public, false, "")
}

// serveAPDoc is serveAP; with cache set, the document (or the Tombstone
// of a deleted object) is kept in the document cache by path, and served
// from it until the store changes (see docCache). The authorized-fetch
// checks run on every request, cached or not.
//
// threadParam names the path value holding the thread a document shows:
// it is kept while that thread is unchanged, whatever other threads
// receive ("" for documents that depend on anything).
func (s *Server) serveAPDoc(h apHandler, public, cache bool, threadParam string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !slices.Contains(w.Header().Values("Vary"), "Accept") {
			w.Header().Add("Vary", "Accept")
		}
		if s.cfg.AuthorizedFetch && !public {
			if blocked, err := s.cfg.SignerBlocked(r.Context(), r); err != nil {
				ServerError(s.cfg.Log, w, "check instance block", err)
				return
			} else if blocked {
				http.Error(w, "instance blocked", http.StatusForbidden)
				return
			}
			if !strings.EqualFold(r.Host, s.urls.Host()) {
				http.Error(w, "signed request required: addressed to another host", http.StatusUnauthorized)
				return
			}
			if _, err := signature.Verify(r, nil, s.cfg.Keys, signature.Options{Now: s.cfg.Clock.Now, MaxSkew: s.cfg.SignatureSkew}); err != nil {
				http.Error(w, "signed request required: "+signature.PublicReason(err), signature.HTTPStatus(err))
				return
			}
		}
		key := r.URL.Path
		versionOf := s.docs.version("")
		if threadParam != "" {
			versionOf = s.docs.version(r.PathValue(threadParam))
		}
		version := versionOf()
		if cache {
			if d, ok := s.docs.get(key, version); ok {
				writeBody(w, d.status, d.body)
				return
			}
		}
		doc, err := h(w, r)
		var gone *errGoneWith
		status := http.StatusOK
		switch {
		case errors.Is(err, errHandled):
			return
		case errors.As(err, &gone):
			status, doc = http.StatusGone, gone.tombstone
		case errors.Is(err, forum.ErrNotFound):
			http.Error(w, "not found", http.StatusNotFound)
			return
		case errors.Is(err, forum.ErrGone):
			http.Error(w, "gone", http.StatusGone)
			return
		case err != nil:
			ServerError(s.cfg.Log, w, "serve activitypub document "+r.URL.Path, err)
			return
		}
		body, err := marshalDoc(doc)
		if err != nil {
			s.cfg.Log.Error("marshal activitypub document", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		if cache {
			s.docs.put(key, version, versionOf, status, body)
		}
		writeBody(w, status, body)
	})
}

// outageRetryAfter is the Retry-After, in seconds, of answers given while
// the database cannot be reached (the web pages give the same).
const outageRetryAfter = "30"

// ServerError answers a request that failed on our side: 503 with
// Retry-After when the database could not be reached, so peers try again
// later rather than count the object as missing or broken; 500 otherwise.
func ServerError(log *slog.Logger, w http.ResponseWriter, what string, err error) {
	if errors.Is(err, forum.ErrUnavailable) {
		log.Warn(what+": database unavailable", "err", err)
		w.Header().Set("Retry-After", outageRetryAfter)
		http.Error(w, "database unavailable, retry later", http.StatusServiceUnavailable)
		return
	}
	log.Error(what, "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

func marshalDoc(doc any) ([]byte, error) {
	if raw, ok := doc.(rawDoc); ok {
		return raw, nil
	}
	return ap.Marshal(doc)
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", ap.ContentType+"; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Object serves the ActivityPub form of a page URL (member, forum, thread,
// post). Web calls it when WantsActivityJSON.
func (s *Server) Object() http.Handler { return s.objects }

func (s *Server) objectHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /u/{username}", s.serveAPDoc(s.getMember, false, true, ""))
	mux.Handle("GET /f/{slug}", s.serveAPDoc(s.getForum, false, true, ""))
	mux.Handle("GET /t/{id}", s.serveAPDoc(s.getThread, false, true, "id"))
	mux.Handle("GET /p/{id}", s.serveAPDoc(s.getPost, false, true, ""))
	return mux
}

func (s *Server) getMember(_ http.ResponseWriter, r *http.Request) (any, error) {
	m, err := s.cfg.Forum.MemberByUsername(r.Context(), r.PathValue("username"))
	if err != nil {
		return nil, err
	}
	return s.cfg.Docs.MemberActor(r.Context(), m)
}

// LocalForum is a forum of this node by its slug; a mirror of another
// node's forum is not found (its node serves it).
func LocalForum(ctx context.Context, fs interface {
	ForumBySlug(ctx context.Context, slug string) (*forum.Forum, error)
}, slug string) (*forum.Forum, error) {
	fo, err := fs.ForumBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	if !fo.Local() {
		return nil, forum.ErrNotFound // a mirror: its node serves it
	}
	return fo, nil
}

// LocalThread is a live thread of one of this node's forums: its actor
// lives here, where every answer arrives, whoever asked the question.
func LocalThread(ctx context.Context, fs interface {
	Thread(ctx context.Context, id forum.ID) (*forum.Thread, error)
	ForumByID(ctx context.Context, id forum.ID) (*forum.Forum, error)
}, id forum.ID) (*forum.Thread, error) {
	t, err := fs.Thread(ctx, id)
	if err != nil {
		return nil, err
	}
	fo, err := fs.ForumByID(ctx, t.ForumID)
	if err != nil {
		return nil, err
	}
	if !fo.Local() {
		return nil, forum.ErrNotFound // a joined forum's thread: its node has the actor
	}
	return t, nil
}

func (s *Server) getForum(_ http.ResponseWriter, r *http.Request) (any, error) {
	fo, err := LocalForum(r.Context(), s.cfg.Forum, r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	return s.cfg.Docs.ForumActor(r.Context(), fo)
}

func (s *Server) getThread(w http.ResponseWriter, r *http.Request) (any, error) {
	t, err := s.cfg.Forum.Thread(r.Context(), r.PathValue("id"))
	if t == nil {
		return nil, err
	}
	return s.localObject(w, r, t.RootPostID)
}

func (s *Server) getPost(w http.ResponseWriter, r *http.Request) (any, error) {
	p, err := s.cfg.Forum.Post(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if p.IsQuestion() {
		return nil, forum.ErrNotFound // the question's id is its thread's URL
	}
	return s.localObject(w, r, p.ID)
}

// localObject serves a post we are the origin of. A copy of another node's
// post redirects there: only the origin speaks for an id.
func (s *Server) localObject(w http.ResponseWriter, r *http.Request, postID forum.ID) (any, error) {
	o, origin, err := s.cfg.Docs.Post(r.Context(), postID)
	if err != nil {
		return nil, err
	}
	if origin != "" {
		http.Redirect(w, r, origin, http.StatusFound)
		return nil, errHandled
	}
	if o.Type == ap.TypeTombstone {
		return nil, &errGoneWith{tombstone: o}
	}
	return o, nil
}

// Routes registers the ActivityPub-only GET URLs: collections, activities,
// the instance actor and discovery. Page URLs that also serve ActivityPub
// (content negotiation) go through Object; inboxes are not serve's.
func (s *Server) Routes(mux *http.ServeMux) {
	s.collections(mux)
	s.repliesRoutes(mux)
	mux.HandleFunc("GET "+uris.WebFingerPath, s.webfinger)
	mux.HandleFunc("GET "+uris.HostMetaPath, s.hostMeta)
	mux.HandleFunc("GET "+uris.NodeInfoLinksPath, s.nodeinfoLinks)
	mux.HandleFunc("GET "+uris.NodeInfoPath, s.nodeinfo)
}
