package web

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// followLookup bounds what finding a server's follow page may take: the
// person waits for it.
const followLookup = 10 * time.Second

// followPage is the page for a server with no follow page of its own.
type followPage struct {
	Server, Handle string
}

// followThere sends the person to their server's page for following
// actor, or shows them handle to search for there. The scheme typed is
// kept: "http://" stays http (a local test server), anything else is
// https.
func (s *Server) followThere(w http.ResponseWriter, r *http.Request, typed, host, actor, handle string) error {
	scheme := "https"
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(typed)), "http://") {
		scheme = "http"
	}
	ctx, cancel := context.WithTimeout(r.Context(), followLookup)
	defer cancel()
	if link := s.cfg.Federation.FollowLink(ctx, scheme, typedUser(typed), host, actor); link != "" {
		http.Redirect(w, r, link, http.StatusSeeOther)
		return nil
	}
	st := stateOf(r)
	s.render(w, r, http.StatusOK, "follow", st.tr.T("follow.title"), followPage{Server: host, Handle: handle})
	return nil
}

// typedUser is the user part of a typed handle (@me@server → me), "" when
// only a server was typed.
func typedUser(typed string) string {
	s := strings.TrimSpace(typed)
	for _, scheme := range []string{"https://", "http://"} {
		if len(s) >= len(scheme) && strings.EqualFold(s[:len(scheme)], scheme) {
			s = s[len(scheme):]
		}
	}
	s = strings.TrimPrefix(s, "@")
	if i := strings.LastIndex(s, "@"); i > 0 && !strings.Contains(s[:i], "/") {
		return s[:i]
	}
	return ""
}
