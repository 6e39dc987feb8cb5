package web

import (
	"net/http"
	"regexp"
	"time"
)

// A flash message says, on the page a form redirects to, that the action
// worked ("Your answer is posted"). Without one, a member who reports a
// post or marks an answer helpful sees the same page come back and cannot
// tell whether anything happened.
//
// The cookie carries only a message ID, never text, so a forged cookie can
// show at most one of our own messages; it lives a minute and the first
// page rendered after it clears it.

const (
	cookieFlash = "agora_flash"
	flashMaxAge = time.Minute
)

// flashID is the shape of a flash message ID: "flash." and a key.
var flashID = regexp.MustCompile(`^flash\.[a-z_]{1,40}$`)

// redirectFlash redirects after a successful action, with the message
// msgID to show on the next page.
func (s *Server) redirectFlash(w http.ResponseWriter, r *http.Request, path, msgID string) error {
	s.setCookie(w, cookieFlash, msgID, flashMaxAge)
	return redirect(w, r, path)
}

// takeFlash reads the flash message of r in the reader's language ("" for
// none or an unknown ID) and tells whether r carried a flash cookie that
// the response must clear.
func (s *Server) takeFlash(r *http.Request) (msg string, present bool) {
	st := stateOf(r)
	if st.flash == "" {
		return "", false
	}
	if !flashID.MatchString(st.flash) || !s.catalog.has(st.flash) {
		return "", true
	}
	return st.tr.T(st.flash), true
}
