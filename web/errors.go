package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// httpError is an error with what the client may see: a status and a
// catalog message. err is for the log only.
type httpError struct {
	status     int
	msgID      string
	retryAfter time.Duration
	err        error
}

func (e *httpError) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return e.msgID
}

func (e *httpError) Unwrap() error { return e.err }

func badRequest(msgID string) error {
	return &httpError{status: http.StatusBadRequest, msgID: msgID}
}

// errSignIn sends a visitor to the sign-in page and back.
var errSignIn = errors.New("sign-in required")

// handlerFunc is a handler that returns its error; handle renders it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle turns a handlerFunc into an http.Handler with one way of answering
// errors: a status and a translated page.
func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
	})
}

// post is handle for form submissions: CSRF checked before the handler runs.
// A change that succeeded may have something to publish: federation is
// told at once rather than at its next poll.
//
// A form that fails on our side (the database is unreachable, or a fault)
// is answered with what was typed in it, so nothing is lost (see keepForm).
func (s *Server) post(h handlerFunc) http.Handler { return s.postUpTo(maxFormBytes, h) }

// postUpTo is post for a form whose body may reach limit bytes (a report's
// texts are longer than an answer).
func (s *Server) postUpTo(limit int64, h handlerFunc) http.Handler {
	return s.submit(func(w http.ResponseWriter, r *http.Request) error { return checkFormUpTo(w, r, limit) }, true, h)
}

// submit runs h on a form that check parsed and found genuine (CSRF).
// keepTyped answers a fault on our side with the form as typed
// (keepForm). A change that succeeded may have something to publish:
// federation is told at once.
func (s *Server) submit(check func(http.ResponseWriter, *http.Request) error, keepTyped bool, h handlerFunc) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		if err := check(w, r); err != nil {
			return err
		}
		if err := h(w, r); err != nil {
			if status, _, _ := classify(err); keepTyped && status >= 500 {
				s.keepForm(w, r, err)
				return nil
			}
			return err
		}
		if s.cfg.Federation != nil {
			s.cfg.Federation.Notify()
		}
		return nil
	})
}

// negotiate serves a page URL as HTML, or as ActivityPub JSON when the
// client asks for it (the same URL is the page and the object's id).
func (s *Server) negotiate(h handlerFunc) http.Handler {
	page := s.handle(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Federation != nil {
			w.Header().Add("Vary", "Accept") // the one Vary: Accept, for both forms
			if federation.WantsActivityJSON(r) {
				s.cfg.Federation.Object().ServeHTTP(w, r)
				return
			}
		}
		page.ServeHTTP(w, r)
	})
}

type errorPage struct {
	Status  int
	Message string
}

// outageRetryAfter is the Retry-After of answers given while the database
// cannot be reached: long enough not to hammer it, short enough that a
// member trying again soon finds it back after a restart.
const outageRetryAfter = 30 * time.Second

// classify maps an error onto the status and catalog message the client
// sees, and how long it should wait before trying again (0: no advice).
// A validation error's message (msgID "") and the sign-in redirect are
// renderError's.
func classify(err error) (status int, msgID string, retryAfter time.Duration) {
	var he *httpError
	var ve *forum.ValidationError
	switch {
	case errors.Is(err, forum.ErrUnavailable):
		// First: whatever else the error says, it was not decided.
		return http.StatusServiceUnavailable, "error.unavailable", outageRetryAfter
	case errors.As(err, &he):
		return he.status, he.msgID, he.retryAfter
	case errors.As(err, &ve):
		return http.StatusBadRequest, "", 0
	case errors.Is(err, errSignIn):
		// renderError sends the visitor to sign in instead.
		return http.StatusUnauthorized, "error.forbidden", 0
	case errors.Is(err, forum.ErrNotFound):
		return http.StatusNotFound, "error.not_found", 0
	case errors.Is(err, forum.ErrGone):
		return http.StatusGone, "error.gone", 0
	case errors.Is(err, forum.ErrForbidden):
		return http.StatusForbidden, "error.forbidden", 0
	case errors.Is(err, forum.ErrLocked):
		return http.StatusConflict, "error.locked", 0
	case errors.Is(err, forum.ErrTokenInvalid):
		return http.StatusNotFound, "error.token_invalid", 0
	}
	return http.StatusInternalServerError, "error.internal", 0
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	st := stateOf(r)
	var ve *forum.ValidationError
	if !errors.Is(err, forum.ErrUnavailable) &&
		(errors.Is(err, errSignIn) || (errors.Is(err, forum.ErrForbidden) && st.viewer == nil && !st.sessionUnknown)) {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(returnPath(r)), http.StatusSeeOther)
		return
	}
	status, msgID, retryAfter := classify(err)
	msg := ""
	if msgID == "" && errors.As(err, &ve) {
		msg = s.validationMessage(st.tr, ve)
	} else {
		msg = st.tr.T(msgID)
	}
	s.logError(r, status, err)
	setRetryAfter(w, retryAfter)
	s.render(w, r, status, "error", st.tr.T("error.title", "Status", status), errorPage{Status: status, Message: msg})
}

func (s *Server) logError(r *http.Request, status int, err error) {
	switch {
	case status == http.StatusServiceUnavailable:
		s.cfg.Logger.Warn("request failed: database unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	case status >= 500:
		s.cfg.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	default:
		s.cfg.Logger.Debug("request refused", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	}
}

// setRetryAfter sets Retry-After in whole seconds, rounded up (none for 0).
func setRetryAfter(w http.ResponseWriter, d time.Duration) {
	if d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(d.Seconds()+0.999)))
	}
}

// validationMessage is "<field label>: <problem>" in the reader's language.
func (s *Server) validationMessage(tr *translator, ve *forum.ValidationError) string {
	return tr.T("error.field", "Field", tr.T("field."+ve.Field), "Problem", tr.T(ve.Code))
}

// returnPath is where to come back after signing in: the page itself for a
// GET, the page the form was on for a POST (POST-only URLs can't be revisited).
func returnPath(r *http.Request) string {
	if r.Method == http.MethodGet {
		return r.URL.RequestURI()
	}
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
		return safeNext(ref.RequestURI())
	}
	return uris.HomePath()
}

// redirect answers a successful form with 303 See Other (POST/redirect/GET).
func redirect(w http.ResponseWriter, r *http.Request, path string) error {
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}

// safeNext keeps a ?next= target on this node: only absolute paths, never
// "//host" or a scheme, so sign-in can't bounce a member elsewhere.
func safeNext(next string) string {
	if len(next) > 1 && next[0] == '/' && next[1] != '/' && next[1] != '\\' {
		if u, err := url.Parse(next); err == nil && u.Scheme == "" && u.Host == "" {
			return next
		}
	}
	return uris.HomePath()
}
