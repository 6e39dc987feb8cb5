// Package web serves the node over HTTP: pages for people (html/template, no
// JavaScript needed) in English, Spanish and French.
package web

import (
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/metropolis/agora/clientip"
	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/feed"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/live"
	"github.com/metropolis/agora/media"
	"github.com/metropolis/agora/metrics"
	"github.com/metropolis/agora/notify"
	"github.com/metropolis/agora/oauth"
	"github.com/metropolis/agora/report"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/uris"
	"github.com/metropolis/agora/web/mastoapi"
)

// Config is what the web layer is built from.
type Config struct {
	URLs            *uris.Builder
	DefaultLanguage string // the node's default UI language: en, es, fr, pt or ar
	// TimeZone is the IANA zone times are shown in to members who chose
	// none and to visitors ("" is UTC).
	TimeZone string
	Service  *forum.Service
	Logger   *slog.Logger
	// SignInLimiter limits sign-in attempts; nil means in-process limits of
	// 10 attempts per 5 minutes per address and per username.
	SignInLimiter Limiter
	// ClientIP tells the visitor's address behind trusted reverse proxies
	// (the sign-in limit keys on it).
	ClientIP clientip.Resolver
	// Federation serves ActivityPub on the same URLs (nil: pages only).
	Federation *federation.Federation
	// ReadyChecks are the dependencies /readyz asks besides the database
	// (Redis, when configured).
	ReadyChecks []ReadyCheck
	// Metrics, when set, measures every request and is served on /metrics.
	Metrics *metrics.Metrics
	// MetricsElsewhere: /metrics is served on another listener, not here.
	MetricsElsewhere bool
	// Live, when set, streams new answers to open thread pages
	// (/t/{id}/events, Server-Sent Events).
	Live live.Broker
	// Changes, when set, lets visitors' pages be served from a cache until
	// the store changes (see pageCache); nil renders every page.
	Changes Versioner
	// Search answers /search and the ask form's similar questions; nil
	// leaves them out (404).
	Search *search.Service
	// Feeds, when set, serves Atom and RSS feeds of the pages that list
	// posts, and links them in those pages' heads.
	Feeds feed.Store
	// Notify, when set, gives members notifications (the header's unread
	// count, /notifications), watching and read positions.
	Notify *notify.Service
	// Mail, when set (with Notify), mails notifications and offers the
	// email settings and unsubscribe links.
	Mail *MailConfig
	// OAuth, when set, lets Mastodon apps sign in: the consent page
	// (/oauth/authorize) and the profile page's list of apps to revoke.
	OAuth *oauth.Service
	// Mastodon, when set (with OAuth), serves the Mastodon client API.
	Mastodon *mastoapi.API
	// Reports, when set, lets moderators compose a forum's reports and
	// everyone read the published ones (/f/{slug}/reports).
	Reports *report.Service
	// SiteName is what pages call this site when they say where a post or
	// a forum comes from ("from Barcelona"): the node's city; "" is its
	// host name.
	SiteName string
	// Media keeps uploaded images (profile pictures); nil: no uploads.
	Media media.Store
}

// Server is the node's HTTP handler.
type Server struct {
	cfg       Config
	zone      *time.Location // the node's time zone
	zones     zones          // zones loaded, by name (readerZone)
	catalog   *catalog
	templates *langTemplates
	limiter   Limiter
	handler   http.Handler
	// streamsDone closes when the server shuts down: open event streams end.
	streamsDone chan struct{}
	stopStreams sync.Once
	streams     atomic.Int64 // open event streams
	pages       *pageCache
	// reportFiles keeps report PDFs until the store changes.
	reportFiles *reportFiles
	threads     *threadCache
	// spliceMarker stands, in a rendered page, where pieces written
	// after it go (renderView).
	spliceMarker string
	buffers      sync.Pool // of *bytes.Buffer, see pageBuffer
}

//go:embed static
var staticFiles embed.FS

// New checks cfg and builds the handler.
func New(cfg Config) (*Server, error) {
	if cfg.URLs == nil || cfg.Service == nil || cfg.Logger == nil {
		return nil, errors.New("web: incomplete config")
	}
	cat, err := newCatalog(cfg.DefaultLanguage)
	if err != nil {
		return nil, err
	}
	tpl, err := newLangTemplates(cat)
	if err != nil {
		return nil, err
	}
	zone := time.UTC
	if cfg.TimeZone != "" {
		if zone, err = forum.LoadTimeZone("time_zone", cfg.TimeZone); err != nil {
			return nil, fmt.Errorf("web: time zone %q: %w", cfg.TimeZone, err)
		}
	}
	s := &Server{cfg: cfg, catalog: cat, templates: tpl, limiter: cfg.SignInLimiter, zone: zone,
		streamsDone: make(chan struct{}), pages: newPageCache(cfg.Changes),
		threads: newThreadCache(cfg.Changes), spliceMarker: randomToken(), reportFiles: newReportFiles(cfg.Changes)}
	if s.limiter == nil {
		s.limiter = NewMemoryLimiter(10, 5*time.Minute)
	}
	mux := http.NewServeMux()
	s.routes(mux)
	// Browsers say where a form came from (Sec-Fetch-Site, Origin):
	// cross-origin POSTs are refused before any handler runs.
	csrf := http.NewCrossOriginProtection()
	pages := securityHeaders(csrf.Handler(s.withState(metrics.RecordRoute(mux))))
	// Server-to-server URLs (inboxes, collections, discovery) need no
	// session, language or CSRF cookie: they bypass the page chain.
	top := http.NewServeMux()
	if cfg.Federation != nil {
		cfg.Federation.Routes(top)
		// The ActivityPub form of a page URL needs no session, language
		// or CSRF cookie either: it is served before the page chain.
		for _, p := range []string{"GET /u/{username}", "GET /f/{slug}", "GET /t/{id}", "GET /p/{id}"} {
			top.Handle(p, activityOr(cfg.Federation, pages))
		}
		// A forum's good practices: the collection or the page.
		top.Handle("GET /f/{slug}"+uris.GoodPracticesSuffix, collectionOr(cfg.Federation.GoodPractices(), pages))
	}
	// Static files need no session either, and load while the database
	// is down (the outage page has its style).
	top.Handle("GET /static/", securityHeaders(http.StripPrefix("/static/", staticHandler())))
	s.feedRoutes(top)
	top.HandleFunc("GET /healthz", s.healthz)
	top.HandleFunc("GET /readyz", s.readyz)
	if cfg.Metrics != nil && !cfg.MetricsElsewhere {
		top.Handle("GET /metrics", cfg.Metrics.Handler())
	}
	if cfg.Mail != nil && cfg.Notify != nil {
		// One-click unsubscribe (RFC 8058): the mail provider POSTs
		// without cookies or a CSRF token; the signed link is the
		// authority.
		top.Handle("POST /unsubscribe/{token}", securityHeaders(http.HandlerFunc(s.unsubscribe)))
	}
	if cfg.Mastodon != nil {
		// Bearer tokens, never cookies: no session, CSRF or page chain.
		cfg.Mastodon.Routes(top)
	}
	top.Handle("/", pages)
	var h http.Handler = metrics.RecordRoute(top)
	if cfg.Metrics != nil {
		h = cfg.Metrics.Instrument(h)
	}
	s.handler = s.recoverPanics(h)
	return s, nil
}

// activityOr serves a page URL's ActivityPub document to clients that ask
// for one, and the page to everyone else.
func activityOr(fed *federation.Federation, pages http.Handler) http.Handler {
	objects := fed.Object()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if federation.WantsActivityJSON(r) {
			w.Header().Add("Vary", "Accept")
			objects.ServeHTTP(w, r)
			return
		}
		pages.ServeHTTP(w, r)
	})
}

// collectionOr serves an ActivityPub collection to clients that ask for
// one, and the page at the same URL to everyone else.
func collectionOr(collection, pages http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if federation.WantsActivityJSON(r) {
			w.Header().Add("Vary", "Accept")
			collection.ServeHTTP(w, r)
			return
		}
		pages.ServeHTTP(w, r)
	})
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) routes(mux *http.ServeMux) {
	mux.Handle("GET /{$}", s.handle(s.cached(s.home)))
	mux.Handle("GET /f/{slug}", s.negotiate(s.cached(s.forumPage)))
	mux.Handle("GET /f/{slug}/good-practices", s.handle(s.cached(s.forumGoodPractices)))
	mux.Handle("GET /good-practices", s.handle(s.cached(s.nodeGoodPractices)))
	s.reportRoutes(mux)
	mux.Handle("GET /cities", s.handle(s.cached(s.citiesPage)))
	mux.Handle("GET /events", s.handle(s.eventsPage))
	mux.Handle("GET /cities/{id}", s.handle(s.cached(s.cityPage)))
	mux.Handle("GET /members", s.handle(s.cached(s.membersPage)))
	mux.Handle("GET /f/{slug}/events/new", s.handle(s.newWebinarForm))
	mux.Handle("POST /f/{slug}/events", s.post(s.createWebinar))
	mux.Handle("GET /f/{slug}/calendar.ics", s.handle(s.forumCalendar))
	mux.Handle("GET /calendar.ics", s.handle(s.nodeCalendar))
	mux.Handle("GET /e/{id}", s.handle(s.webinarPage))
	mux.Handle("GET /e/{id}/event.ics", s.handle(s.webinarICS))
	mux.Handle("GET /e/{id}/edit", s.handle(s.editWebinarForm))
	mux.Handle("POST /e/{id}/edit", s.post(s.editWebinar))
	mux.Handle("POST /e/{id}/cancel", s.post(s.cancelWebinar))
	mux.Handle("POST /e/{id}/rsvp", s.post(s.rsvp))
	mux.Handle("GET /f/{slug}/ask", s.handle(s.askForm))
	mux.Handle("POST /f/{slug}/ask", s.postForm(s.ask))
	mux.Handle("GET /t/{id}", s.negotiate(s.cachedThread(s.threadPage)))
	mux.Handle("POST /t/{id}/reply", s.postForm(s.reply))
	if s.cfg.Live != nil {
		mux.Handle("GET /t/{id}/events", s.handle(s.threadEvents))
	}
	mux.Handle("GET /t/{id}/follow", s.handle(s.followFromServer))
	mux.Handle("POST /t/{id}/moderate", s.post(s.moderateThread))
	mux.Handle("GET /t/{id}/delete", s.handle(s.confirmDeleteThread))
	mux.Handle("GET /p/{id}", s.negotiate(s.postPermalink))
	mux.Handle("GET /p/{id}/edit", s.handle(s.editForm))
	mux.Handle("POST /p/{id}/edit", s.postForm(s.edit))
	mux.Handle("GET /p/{id}/delete", s.handle(s.confirmDeleteAnswer))
	mux.Handle("POST /p/{id}/delete", s.post(s.deletePost))
	mux.Handle("POST /p/{id}/helpful", s.post(s.helpful))
	mux.Handle("POST /p/{id}/good-practice", s.post(s.goodPractice))
	mux.Handle("GET /p/{id}/translate", s.handle(s.translateForm))
	mux.Handle("POST /p/{id}/translate", s.post(s.translate))
	mux.Handle("GET /p/{id}/history", s.handle(s.history))
	mux.Handle("GET /p/{id}/report", s.handle(s.reportForm))
	mux.Handle("POST /p/{id}/report", s.post(s.report))
	mux.Handle("GET /moderation", s.handle(s.moderation))
	mux.Handle("POST /moderation/reports/{id}/resolve", s.post(s.resolveReport))
	mux.Handle("GET /tags/{tag}", s.handle(s.tagPage))
	mux.Handle("GET /tags", s.handle(s.tagsIndex))
	mux.Handle("GET /search", s.handle(s.searchPage))
	mux.Handle("GET /search/similar", s.handle(s.similarJSON))
	mux.Handle("GET /u/{username}", s.negotiate(s.profile))
	mux.Handle("GET /u/{username}/edit", s.handle(s.profileForm))
	mux.Handle("POST /u/{username}/edit", s.post(s.editProfile))

	mux.Handle("GET /login", s.handle(s.loginForm))
	mux.Handle("POST /login", s.post(s.login))
	mux.Handle("POST /logout", s.post(s.logout))
	mux.Handle("GET /login/token/{token}", s.handle(s.tokenForm))
	mux.Handle("POST /login/token/{token}", s.post(s.useToken))
	mux.Handle("GET /invite/{token}", s.handle(s.invitationForm))
	mux.Handle("POST /invite/{token}", s.post(s.acceptInvitation))
	mux.Handle("POST /language", s.post(s.setLanguage))

	if s.cfg.Notify != nil {
		mux.Handle("GET /notifications", s.handle(s.notificationsPage))
		mux.Handle("POST /notifications/read", s.post(s.markRead))
		mux.Handle("POST /watch", s.post(s.watch))
		mux.Handle("GET /settings/notifications", s.handle(s.settingsForm))
		mux.Handle("POST /settings/notifications", s.post(s.saveSettings))
		if s.cfg.Mail != nil {
			mux.Handle("GET /password/forgot", s.handle(s.forgotForm))
			mux.Handle("POST /password/forgot", s.post(s.forgotPassword))
			mux.Handle("GET /unsubscribe/{token}", s.handle(s.unsubscribePage))
		}
	}

	if s.cfg.OAuth != nil {
		mux.Handle("GET /oauth/authorize", s.handle(s.authorizeForm))
		// toot (and Mastodon's own routes) accept it with a trailing slash.
		mux.Handle("GET /oauth/authorize/{$}", s.handle(s.authorizeForm))
		mux.Handle("POST /oauth/authorize", s.post(s.authorize))
		mux.Handle("POST /u/{username}/apps/{id}/revoke", s.post(s.revokeApp))
	}

	mux.Handle("GET /welcome", s.handle(s.welcome))
	if s.cfg.Media != nil {
		mux.Handle("GET /media/{name}", s.handle(s.serveMedia))
		mux.Handle("GET /p/{id}/images/{name}", s.handle(s.servePostImage))
		mux.Handle("GET /u/{username}/avatar", s.handle(s.avatarForm))
		mux.Handle("POST /u/{username}/avatar", s.upload(s.uploadAvatar))
	}
	mux.Handle("GET /admin", s.handle(s.adminSectionPage("")))
	for _, section := range []string{adminMembers, adminInvitations, adminForums, adminLog} {
		mux.Handle("GET "+adminPath(section), s.handle(s.adminSectionPage(section)))
	}
	mux.Handle("POST /admin/invitations", s.post(s.adminInvite))
	mux.Handle("POST /admin/forums", s.post(s.adminCreateForum))
	mux.Handle("POST /admin/members/{id}/role", s.post(s.adminSetRole))
	mux.Handle("POST /admin/members/{id}/reset", s.post(s.adminResetPassword))
	if s.cfg.Federation != nil {
		mux.Handle("GET "+adminPath(adminFederation), s.handle(s.adminSectionPage(adminFederation)))
		mux.Handle("POST /admin/join", s.post(s.adminJoin))
		mux.Handle("POST /admin/leave", s.post(s.adminLeave))
	}

	mux.Handle("/", s.handle(func(http.ResponseWriter, *http.Request) error { return forum.ErrNotFound }))
}

// healthz answers 200 when the database answers.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if err := s.cfg.Service.Ping(r.Context()); err != nil {
		s.cfg.Logger.Warn("health check failed", "err", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func staticHandler() http.Handler {
	files := http.FileServerFS(staticFiles)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/static/" + r.URL.Path
		files.ServeHTTP(w, r2)
	})
}

// recoverPanics turns a handler's panic into a logged 500, so one bad
// request never takes the process down with it.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.cfg.Logger.Error("handler panicked", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders: no scripts, no framing, no sniffing, no referrer leaks.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// form-action allows https: the "follow from your server" form sends
		// people to their own server. The scripts only enhance: copy
		// buttons, and live answers (connect-src for their event stream).
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self' https:; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}
