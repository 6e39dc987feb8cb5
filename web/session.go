package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/metropolis/agora/forum"
)

// Cookie names. On https nodes the session and CSRF cookies take the
// __Host- prefix, which browsers only accept Secure, host-only and Path=/.
const (
	cookieLang = "agora_lang"
	csrfField  = "csrf"
)

func (s *Server) cookieName(base string) string {
	if s.cfg.URLs.Secure() {
		return "__Host-" + base
	}
	return base
}

// state is what every handler knows about the request.
type state struct {
	// uncacheable: the page just rendered changes with the time of day
	// (a forum with an upcoming event turns it past with no write), so
	// the page cache must not keep it.
	uncacheable bool
	viewer      *forum.Member // nil for visitors
	session     string        // the session token, if signed in
	// sessionUnknown: the request has a session cookie but the database
	// could not say whose it is. Not a visitor: nothing offers to sign in.
	sessionUnknown bool
	csrf           string
	tr             *translator
	// flash is the flash cookie's message ID, as sent (see flash.go).
	flash string
	// zone is the zone the reader reads times in (readerZone); now is
	// the time the page is made at, for relative times.
	zone *time.Location
	now  time.Time
	// unread, when unreadKnown, is the viewer's count of unread
	// notifications, read already with other marks (viewerMarks).
	unread      int
	unreadKnown bool
}

type stateKey struct{}

func stateOf(r *http.Request) *state { return r.Context().Value(stateKey{}).(*state) }

// withState loads the session, picks the language and makes sure the browser
// has a CSRF token before any handler runs.
//
// Only "no such session" signs a browser out. A session that could not be
// loaded (the database unreachable) answers the request at once, keeping
// the cookie and what a form carried (sessionFailed): no handler could do
// its work without the database, and none may take the member for a
// visitor.
func (s *Server) withState(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &state{}
		var sessionErr error
		if c, err := r.Cookie(s.cookieName("agora_session")); err == nil && c.Value != "" {
			m, err := s.cfg.Service.SessionMember(r.Context(), c.Value)
			switch {
			case err == nil:
				st.viewer, st.session = m, c.Value
			case errors.Is(err, forum.ErrNotFound) && !errors.Is(err, forum.ErrUnavailable):
				s.clearCookie(w, "agora_session")
			default:
				sessionErr = fmt.Errorf("load session: %w", err)
				st.sessionUnknown = true
			}
		}
		if c, err := r.Cookie(s.cookieName("agora_csrf")); err == nil && len(c.Value) == 43 {
			st.csrf = c.Value
		} else {
			st.csrf = randomToken()
			s.setCookie(w, "agora_csrf", st.csrf, 0)
		}
		if c, err := r.Cookie(s.cookieName(cookieFlash)); err == nil {
			st.flash = c.Value
		}
		setting := ""
		if st.viewer != nil {
			setting = st.viewer.UILanguage
		}
		st.tr = s.catalog.translator(s.catalog.pick(setting, s.langCookie(r), r))
		st.zone, st.now = s.readerZone(st.viewer, r), s.cfg.Service.Now()
		r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
		if sessionErr != nil {
			s.sessionFailed(w, r, sessionErr)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// setCookie sets an HttpOnly, SameSite=Lax cookie (Secure on https); maxAge
// 0 means a browser-session cookie.
func (s *Server) setCookie(w http.ResponseWriter, base, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(base), Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: s.cfg.URLs.Secure(), SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearCookie(w http.ResponseWriter, base string) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(base), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.URLs.Secure(), SameSite: http.SameSiteLaxMode})
}

func (s *Server) startSession(w http.ResponseWriter, token string) {
	s.setCookie(w, "agora_session", token, forum.DefaultLifetimes().Session)
}

// maxFormBytes caps a form body: a long answer fits many times over.
const maxFormBytes = 256 << 10

// checkForm parses a POSTed form and checks its CSRF token against the
// cookie (double submit). Cross-origin requests were already refused by
// http.CrossOriginProtection; the token also covers browsers that send
// neither Origin nor Sec-Fetch-Site.
func checkForm(w http.ResponseWriter, r *http.Request) error {
	return checkFormUpTo(w, r, maxFormBytes)
}

// checkFormUpTo is checkForm for a form whose body may reach limit bytes.
func checkFormUpTo(w http.ResponseWriter, r *http.Request, limit int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &httpError{status: http.StatusRequestEntityTooLarge, msgID: "error.form_too_large", err: err}
		}
		return &httpError{status: http.StatusBadRequest, msgID: "error.bad_form", err: err}
	}
	return checkCSRF(r)
}

// checkCSRF compares the form's token with the cookie's.
func checkCSRF(r *http.Request) error {
	got := r.PostForm.Get(csrfField)
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(stateOf(r).csrf)) != 1 {
		return &httpError{status: http.StatusForbidden, msgID: "error.csrf", err: errors.New("csrf token mismatch")}
	}
	return nil
}
