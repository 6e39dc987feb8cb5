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
func (s *Server) post(h handlerFunc) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		if err := checkForm(w, r); err != nil {
			return err
		}
		if err := h(w, r); err != nil {
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

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	st := stateOf(r)
	status, msgID := http.StatusInternalServerError, "error.internal"
	var he *httpError
	var ve *forum.ValidationError
	switch {
	case errors.Is(err, errSignIn) || (errors.Is(err, forum.ErrForbidden) && st.viewer == nil):
		http.Redirect(w, r, "/login?next="+url.QueryEscape(returnPath(r)), http.StatusSeeOther)
		return
	case errors.As(err, &he):
		status, msgID = he.status, he.msgID
		if he.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(he.retryAfter.Seconds()+0.999)))
		}
	case errors.As(err, &ve):
		status, msgID = http.StatusBadRequest, ""
	case errors.Is(err, forum.ErrNotFound):
		status, msgID = http.StatusNotFound, "error.not_found"
	case errors.Is(err, forum.ErrGone):
		status, msgID = http.StatusGone, "error.gone"
	case errors.Is(err, forum.ErrForbidden):
		status, msgID = http.StatusForbidden, "error.forbidden"
	case errors.Is(err, forum.ErrLocked):
		status, msgID = http.StatusConflict, "error.locked"
	case errors.Is(err, forum.ErrTokenInvalid):
		status, msgID = http.StatusNotFound, "error.token_invalid"
	}
	msg := ""
	if ve != nil {
		msg = s.validationMessage(st.tr, ve)
	} else {
		msg = st.tr.T(msgID)
	}
	if status >= 500 {
		s.cfg.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		s.cfg.Logger.Debug("request refused", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	}
	s.render(w, r, status, "error", st.tr.T("error.title", "Status", status), errorPage{Status: status, Message: msg})
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
