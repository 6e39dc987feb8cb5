package federation

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/forum"
)

// ContentType is what we send ActivityPub documents as.
const ContentType = "application/activity+json"

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
func (f *Federation) serveAP(h apHandler, public bool) http.Handler {
	return f.serveAPDoc(h, public, false, "")
}

// serveAPDoc is serveAP; with cache set, the document (or the Tombstone
// of a deleted object) is kept in the document cache by path, and served
// from it until the store changes (see docCache). The authorized-fetch
// checks run on every request, cached or not.
//
// threadParam names the path value holding the thread a document shows:
// it is kept while that thread is unchanged, whatever other threads
// receive ("" for documents that depend on anything).
func (f *Federation) serveAPDoc(h apHandler, public, cache bool, threadParam string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !slices.Contains(w.Header().Values("Vary"), "Accept") {
			w.Header().Add("Vary", "Accept")
		}
		if f.cfg.AuthorizedFetch && !public {
			if blocked, err := f.signerBlocked(r.Context(), r); err != nil {
				f.serverError(w, "check instance block", err)
				return
			} else if blocked {
				http.Error(w, "instance blocked", http.StatusForbidden)
				return
			}
			if !strings.EqualFold(r.Host, f.urls.Host()) {
				http.Error(w, "signed request required: addressed to another host", http.StatusUnauthorized)
				return
			}
			if _, err := signature.Verify(r, nil, f.actors, signature.Options{Now: f.cfg.Clock.Now, MaxSkew: f.cfg.SignatureSkew}); err != nil {
				http.Error(w, "signed request required: "+publicReason(err), signature.HTTPStatus(err))
				return
			}
		}
		key := r.URL.Path
		versionOf := f.docs.version("")
		if threadParam != "" {
			versionOf = f.docs.version(r.PathValue(threadParam))
		}
		version := versionOf()
		if cache {
			if d, ok := f.docs.get(key, version); ok {
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
		case errors.Is(err, forum.ErrNotFound), errors.Is(err, errLocalActor):
			http.Error(w, "not found", http.StatusNotFound)
			return
		case errors.Is(err, forum.ErrGone):
			http.Error(w, "gone", http.StatusGone)
			return
		case err != nil:
			f.serverError(w, "serve activitypub document "+r.URL.Path, err)
			return
		}
		body, err := marshalDoc(doc)
		if err != nil {
			f.log.Error("marshal activitypub document", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		if cache {
			f.docs.put(key, version, versionOf, status, body)
		}
		writeBody(w, status, body)
	})
}

// outageRetryAfter is the Retry-After, in seconds, of answers given while
// the database cannot be reached (the web pages give the same).
const outageRetryAfter = "30"

// serverError answers a request that failed on our side: 503 with
// Retry-After when the database could not be reached, so peers try again
// later rather than count the object as missing or broken; 500 otherwise.
func (f *Federation) serverError(w http.ResponseWriter, what string, err error) {
	if errors.Is(err, forum.ErrUnavailable) {
		f.log.Warn(what+": database unavailable", "err", err)
		w.Header().Set("Retry-After", outageRetryAfter)
		http.Error(w, "database unavailable, retry later", http.StatusServiceUnavailable)
		return
	}
	f.log.Error(what, "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

func publicReason(err error) string {
	var se *signature.Error
	if errors.As(err, &se) {
		return se.Public()
	}
	return "invalid signature"
}

func marshalDoc(doc any) ([]byte, error) {
	if raw, ok := doc.(rawDoc); ok {
		return raw, nil
	}
	return ap.Marshal(doc)
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", ContentType+"; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Object serves the ActivityPub form of a page URL (member, forum, thread,
// post). Web calls it when WantsActivityJSON.
func (f *Federation) Object() http.Handler { return f.objects }

func (f *Federation) objectHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /u/{username}", f.serveAPDoc(f.getMember, false, true, ""))
	mux.Handle("GET /f/{slug}", f.serveAPDoc(f.getForum, false, true, ""))
	mux.Handle("GET /t/{id}", f.serveAPDoc(f.getThread, false, true, "id"))
	mux.Handle("GET /p/{id}", f.serveAPDoc(f.getPost, false, true, ""))
	return mux
}

func (f *Federation) getMember(_ http.ResponseWriter, r *http.Request) (any, error) {
	m, err := f.svc.MemberByUsername(r.Context(), r.PathValue("username"))
	if err != nil {
		return nil, err
	}
	return f.memberActor(r.Context(), m)
}

func (f *Federation) localForum(ctx context.Context, slug string) (*forum.Forum, error) {
	fo, err := f.svc.ForumBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	if !fo.Local() {
		return nil, forum.ErrNotFound // a mirror: its node serves it
	}
	return fo, nil
}

func (f *Federation) getForum(_ http.ResponseWriter, r *http.Request) (any, error) {
	fo, err := f.localForum(r.Context(), r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	return f.forumActor(r.Context(), fo)
}

func (f *Federation) getThread(w http.ResponseWriter, r *http.Request) (any, error) {
	t, err := f.svc.Thread(r.Context(), r.PathValue("id"))
	if t == nil {
		return nil, err
	}
	return f.localObject(w, r, t.RootPostID)
}

func (f *Federation) getPost(w http.ResponseWriter, r *http.Request) (any, error) {
	p, err := f.svc.Post(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if p.IsQuestion() {
		return nil, forum.ErrNotFound // the question's id is its thread's URL
	}
	return f.localObject(w, r, p.ID)
}

// localObject serves a post we are the origin of. A copy of another node's
// post redirects there: only the origin speaks for an id.
func (f *Federation) localObject(w http.ResponseWriter, r *http.Request, postID forum.ID) (any, error) {
	pc, err := f.loadPost(r.Context(), postID)
	if err != nil {
		return nil, err
	}
	if pc.post.URI != "" {
		http.Redirect(w, r, pc.post.URI, http.StatusFound)
		return nil, errHandled
	}
	o := f.object(pc)
	if o.Type == ap.TypeTombstone {
		return nil, &errGoneWith{tombstone: o}
	}
	return o, nil
}

// Routes registers the ActivityPub-only URLs: inboxes, collections,
// activities, the instance actor and discovery. Page URLs that also serve
// ActivityPub (content negotiation) go through Object.
func (f *Federation) Routes(mux *http.ServeMux) {
	inbox := f.Inbox()
	for _, p := range []string{"POST /inbox", "POST /u/{username}/inbox", "POST /f/{slug}/inbox", "POST /actor/inbox", "POST /t/{id}/actor/inbox"} {
		mux.Handle(p, inbox)
	}
	f.collections(mux)
	f.repliesRoutes(mux)
	mux.HandleFunc("GET /.well-known/webfinger", f.webfinger)
	mux.HandleFunc("GET /.well-known/host-meta", f.hostMeta)
	mux.HandleFunc("GET /.well-known/nodeinfo", f.nodeinfoLinks)
	mux.HandleFunc("GET /nodeinfo/2.1", f.nodeinfo)
}
