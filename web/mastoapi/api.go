// Package mastoapi is Mastodon's client API over agora: /api/v1, /api/v2,
// the OAuth endpoints apps call (register, token, revoke, discovery) and
// the streaming API. It is one more front end over the forum service, like
// the web pages: every change goes through forum.Service (or notify for
// watching), so no rule is written twice. Forums appear as accounts with
// group: true, thread actors as accounts, questions as statuses whose
// content opens with their title.
//
// The consent page of /oauth/authorize is served by package web, with the
// member's session and language.
package mastoapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/metropolis/agora/clientip"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/live"
	"github.com/metropolis/agora/media"
	"github.com/metropolis/agora/notify"
	"github.com/metropolis/agora/oauth"
	"github.com/metropolis/agora/personal"
	"github.com/metropolis/agora/ratelimit"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/uris"
)

// Resolver finds a remote account or post by URL or handle (search with
// resolve=true); federation provides it.
type Resolver interface {
	// ResolveMember returns the remote member behind a handle
	// (user@host) or an actor URL.
	ResolveMember(ctx context.Context, query string) (*forum.Member, error)
}

// RemoteFollows sends members' follows of remote people over
// ActivityPub; federation provides it.
type RemoteFollows interface {
	// FollowPerson sends me's Follow of a remote member; the follow is
	// requested until their server accepts it.
	FollowPerson(ctx context.Context, me, person *forum.Member) (*personal.PersonFollow, error)
	// UnfollowPerson sends the Undo of that Follow.
	UnfollowPerson(ctx context.Context, me, person *forum.Member) error
}

// Config is what the API is built from.
type Config struct {
	URLs     *uris.Builder
	Forum    *forum.Service
	OAuth    *oauth.Service
	Personal personal.Store
	Notify   *notify.Service
	// Search answers /api/v2/search's statuses; nil leaves them out.
	Search *search.Service
	// Resolve finds remote accounts for signed-in searches with
	// resolve=true; nil: only what the node already knows.
	Resolve Resolver
	// Follows follows remote members over ActivityPub; nil: a follow of
	// a remote member is only recorded here (their forum posts reach the
	// home timeline, nothing else).
	Follows RemoteFollows
	// Live carries new posts and notifications to open streams; nil: no
	// streaming API.
	Live live.Broker
	// Media keeps the images apps upload, Uploads the uploads no status
	// took yet; either nil: the node takes no images from apps.
	Media   media.Store
	Uploads personal.Uploads
	// IDs names uploads; nil: ULIDs on the wall clock.
	IDs forum.IDs
	// Messages puts refusals in the reader's language.
	Messages Messages
	Logger   *slog.Logger
	// Limiter counts requests per token (or address, signed out); nil:
	// DefaultLimit per DefaultWindow in process.
	Limiter  ratelimit.Limiter
	ClientIP clientip.Resolver
	// Version is agora's version, shown after Mastodon's.
	Version string
	// DefaultLanguage is the node's; statuses without a language take
	// the member's first language, else this.
	DefaultLanguage string
	Now             func() time.Time
	// Wrote, when set, is called after every change an app made, so
	// federation publishes it at once rather than at its next poll.
	Wrote func()
}

// Rate limits: Mastodon's default for API calls is 300 per 5 minutes.
const (
	DefaultLimit  = 300
	DefaultWindow = 5 * time.Minute
)

// MastodonVersion is the Mastodon API version agora speaks: masto.js and
// megalodon read the leading number to pick features.
const MastodonVersion = "4.2.0"

// API serves the Mastodon client API.
type API struct {
	cfg     Config
	limiter ratelimit.Limiter
}

// New checks cfg and builds the API.
func New(cfg Config) (*API, error) {
	if cfg.URLs == nil || cfg.Forum == nil || cfg.OAuth == nil || cfg.Personal == nil || cfg.Notify == nil || cfg.Messages == nil || cfg.Logger == nil {
		return nil, errors.New("mastoapi: incomplete config")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.IDs == nil {
		cfg.IDs = forum.NewULIDs(forum.SystemClock{}, nil)
	}
	if cfg.DefaultLanguage == "" {
		cfg.DefaultLanguage = "en"
	}
	a := &API{cfg: cfg, limiter: cfg.Limiter}
	if a.limiter == nil {
		a.limiter = ratelimit.NewMemory(DefaultLimit, DefaultWindow)
	}
	return a, nil
}

// call is what a handler knows about the request.
type call struct {
	token  *oauth.Token  // nil when no token was sent
	member *forum.Member // the token's member; nil for an app token
	params params
}

// handler is one endpoint; its error is rendered in Mastodon's shape.
type handler func(w http.ResponseWriter, r *http.Request, c *call) error

// access is what an endpoint needs: a scope (when a token is required),
// and whether the token must act for a member.
type access struct {
	scope  oauth.Scope // "" : no token needed (public reads)
	member bool
	// optional: a token is read when sent (a signed-in view of a public
	// endpoint) but not required.
	optional oauth.Scope
	// noBody: the handler reads no parameters, so the body is left
	// unread (an upload agora refuses, whatever its size).
	noBody bool
}

func public() access                   { return access{} }
func publicOr(s oauth.Scope) access    { return access{optional: s} }
func appToken(s oauth.Scope) access    { return access{scope: s} }
func memberToken(s oauth.Scope) access { return access{scope: s, member: true} }

// Routes adds the API's routes to mux. These URLs take bearer tokens,
// never cookies: they bypass the pages' session and CSRF chain.
func (a *API) Routes(mux *http.ServeMux) {
	for _, rt := range a.routes() {
		mux.Handle(rt.pattern, a.wrap(rt.access, rt.h))
	}
	// Browsers' CORS preflight, for every API path.
	for _, p := range []string{"/api/", "/oauth/token", "/oauth/revoke", "/.well-known/oauth-authorization-server"} {
		mux.Handle("OPTIONS "+p, http.HandlerFunc(preflight))
	}
	mux.Handle("/api/", a.wrap(public(), func(http.ResponseWriter, *http.Request, *call) error { return errNotFound }))
}

type route struct {
	pattern string
	access  access
	h       handler
}

// wrap authenticates, checks the scope and the rate limit, parses the
// parameters and renders errors.
func (a *API) wrap(acc access, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cors(w)
		w.Header().Set("Cache-Control", "private, no-store")
		c := &call{}
		err := a.authenticate(r, acc, c)
		if err == nil {
			err = a.rateLimit(w, r, c)
		}
		if err == nil && !acc.noBody {
			c.params, err = readParams(w, r)
		}
		if err == nil {
			err = h(w, r, c)
		}
		if err != nil {
			a.writeError(w, r, c, err)
		} else if r.Method != http.MethodGet && a.cfg.Wrote != nil {
			a.cfg.Wrote()
		}
	})
}

// bearer is the request's access token: the Authorization header, or the
// access_token query parameter (the streaming API's WebSocket cannot set
// headers).
func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if scheme, tok, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	if t := r.URL.Query().Get("access_token"); t != "" {
		return t
	}
	// Browsers cannot set headers on a WebSocket: Mastodon takes the
	// token as its subprotocol.
	if r.URL.Path == "/api/v1/streaming" {
		return strings.TrimSpace(strings.Split(r.Header.Get("Sec-WebSocket-Protocol"), ",")[0])
	}
	return ""
}

func (a *API) authenticate(r *http.Request, acc access, c *call) error {
	raw := bearer(r)
	need := acc.scope
	if need == "" && raw != "" {
		need = acc.optional
	}
	if need == "" {
		return nil
	}
	if raw == "" {
		return &apiError{status: http.StatusUnauthorized, id: "api.error.token_invalid"}
	}
	tok, err := a.cfg.OAuth.Authenticate(r.Context(), raw)
	if err != nil {
		return err
	}
	// The member first: a refusal of the scope is in their language.
	if tok.MemberID != "" {
		ms, err := a.cfg.Forum.Members(r.Context(), []forum.ID{tok.MemberID})
		if err != nil {
			return fmt.Errorf("token's member: %w", err)
		}
		if c.member = ms[tok.MemberID]; c.member == nil {
			return oauth.ErrRevoked
		}
	}
	if !tok.Scopes.Allows(need) {
		return &apiError{status: http.StatusForbidden, id: "api.error.scope"}
	}
	c.token = tok
	if acc.member && c.member == nil {
		return &apiError{status: http.StatusUnprocessableEntity, id: "api.error.user_required"}
	}
	return nil
}

// rateLimit counts the call against its token (or its address) and sets
// Mastodon's headers.
func (a *API) rateLimit(w http.ResponseWriter, r *http.Request, c *call) error {
	key := "api:ip:" + a.cfg.ClientIP.Of(r)
	if c.token != nil {
		key = "api:token:" + c.token.ID
	}
	ok, wait, err := a.limiter.Allow(r.Context(), key)
	if err != nil {
		// Limits degrade when Redis is away; the API keeps answering.
		a.cfg.Logger.Warn("api rate limit", "err", err)
		return nil
	}
	w.Header().Set("X-RateLimit-Limit", strconv.Itoa(DefaultLimit))
	if !ok {
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", a.cfg.Now().Add(wait).UTC().Format(time.RFC3339))
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		return &apiError{status: http.StatusTooManyRequests, id: "api.error.rate_limited"}
	}
	return nil
}

// cors lets browser apps (Elk, Phanpy) call the API from their origin:
// the API authenticates by bearer token only, never by cookie, so any
// origin may read it.
func cors(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "Link, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset")
}

func preflight(w http.ResponseWriter, r *http.Request) {
	cors(w)
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key")
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// upload is a member's upload: the scope is checked, the body left to
// the handler, which reads it within its own bound (a file is larger than
// any other body).
func upload(s oauth.Scope) access { return access{scope: s, member: true, noBody: true} }
