package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/oauth"
	"github.com/metropolis/agora/uris"
)

// The consent page of the OAuth server (package oauth): an app sends the
// member here (/oauth/authorize), agora's own sign-in comes first, then
// the member reads what the app asks for, in their language, and
// authorizes or denies. The rest of OAuth (token, revoke) is the
// Mastodon API's (web/mastoapi): apps call it, people never see it.

type consentData struct {
	App      *oauth.App
	Request  oauth.AuthRequest
	Scopes   []scopeLine
	Redirect string
}

// scopeLine is one thing the app will be able to do, as a sentence.
type scopeLine struct {
	MsgID string
	Parts string // granular scopes under it, e.g. "statuses, notifications"
}

func authRequestOf(v url.Values) oauth.AuthRequest {
	return oauth.AuthRequest{ResponseType: v.Get("response_type"), ClientID: v.Get("client_id"),
		RedirectURI: v.Get("redirect_uri"), Scope: v.Get("scope"), State: v.Get("state"),
		CodeChallenge: v.Get("code_challenge"), CodeChallengeMethod: v.Get("code_challenge_method")}
}

// scopeLines says what scopes allow, top-level scopes first, granular ones
// gathered under "part of".
func scopeLines(sc oauth.Scopes) []scopeLine {
	var out []scopeLine
	parts := map[string][]string{}
	for _, s := range sc {
		top, sub, granular := strings.Cut(string(s), ":")
		if granular {
			parts[top] = append(parts[top], sub)
			continue
		}
		out = append(out, scopeLine{MsgID: "oauth.scope." + top})
	}
	for _, top := range []string{"read", "write"} {
		if len(parts[top]) > 0 {
			out = append(out, scopeLine{MsgID: "oauth.scope." + top + "_some", Parts: strings.Join(parts[top], ", ")})
		}
	}
	return out
}

// oauthRefusal shows a request the app cannot be sent back for (unknown
// app, redirect URI not registered) or an out-of-band one.
func (s *Server) oauthRefusal(w http.ResponseWriter, r *http.Request, err error) error {
	st := stateOf(r)
	msg := st.tr.T("oauth.refused")
	switch {
	case errors.Is(err, oauth.ErrBadClient):
		msg = st.tr.T("oauth.bad_client")
	case errors.Is(err, oauth.ErrBadRedirect):
		msg = st.tr.T("oauth.bad_redirect")
	}
	s.render(w, r, http.StatusBadRequest, "error", st.tr.T("oauth.title"), errorPage{Status: http.StatusBadRequest, Message: msg})
	return nil
}

// backToApp sends the member back to the app's redirect URI with params.
func backToApp(w http.ResponseWriter, r *http.Request, redirect string, params url.Values) error {
	u, err := url.Parse(redirect)
	if err != nil {
		return err
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
	return nil
}

// check validates a request; a refusal the app may hear is sent back to
// it, others are shown. It returns nil, nil when it has answered.
func (s *Server) checkAuthorize(w http.ResponseWriter, r *http.Request, req oauth.AuthRequest) (*oauth.Checked, error) {
	c, err := s.cfg.OAuth.Check(r.Context(), req)
	if err == nil {
		return c, nil
	}
	oe := oauth.AsError(err)
	if oe == nil {
		return nil, err
	}
	if c == nil || c.RedirectURI == oauth.OOB {
		return nil, s.oauthRefusal(w, r, err)
	}
	back := url.Values{"error": {oe.Code}, "error_description": {oe.Description}}
	if req.State != "" {
		back.Set("state", req.State)
	}
	return nil, backToApp(w, r, c.RedirectURI, back)
}

// formAction lets the consent form's answer redirect to the app: browsers
// apply form-action to the redirect that follows a form.
func formAction(redirect string) string {
	u, err := url.Parse(redirect)
	if err != nil || redirect == oauth.OOB {
		return ""
	}
	if u.Scheme == "http" || u.Scheme == "https" {
		return u.Scheme + "://" + u.Host
	}
	return u.Scheme + ":"
}

// authorizeForm is GET /oauth/authorize.
func (s *Server) authorizeForm(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	req := authRequestOf(r.URL.Query())
	c, err := s.checkAuthorize(w, r, req)
	if c == nil {
		return err
	}
	if st.viewer == nil {
		return errSignIn
	}
	if src := formAction(c.RedirectURI); src != "" {
		w.Header().Set("Content-Security-Policy", strings.Replace(w.Header().Get("Content-Security-Policy"),
			"form-action 'self' https:", "form-action 'self' https: "+src, 1))
	}
	s.render(w, r, http.StatusOK, "oauth_authorize", st.tr.T("oauth.title"),
		consentData{App: c.App, Request: req, Scopes: scopeLines(c.Scopes), Redirect: c.RedirectURI})
	return nil
}

type codeData struct {
	App  *oauth.App
	Code string
}

// authorize is POST /oauth/authorize: the member's answer.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if st.viewer == nil {
		return errSignIn
	}
	req := authRequestOf(r.PostForm)
	c, err := s.checkAuthorize(w, r, req)
	if c == nil {
		return err
	}
	back := url.Values{}
	if req.State != "" {
		back.Set("state", req.State)
	}
	if r.PostForm.Get("decision") != "approve" {
		if c.RedirectURI == oauth.OOB {
			return redirect(w, r, uris.MemberPath(st.viewer.Username))
		}
		back.Set("error", "access_denied")
		back.Set("error_description", "The member denied the request")
		return backToApp(w, r, c.RedirectURI, back)
	}
	code, err := s.cfg.OAuth.Grant(r.Context(), st.viewer, c, req.CodeChallenge)
	if err != nil {
		return err
	}
	if c.RedirectURI == oauth.OOB {
		w.Header().Set("Cache-Control", "no-store")
		s.render(w, r, http.StatusOK, "oauth_code", st.tr.T("oauth.code_title"), codeData{App: c.App, Code: code})
		return nil
	}
	back.Set("code", code)
	return backToApp(w, r, c.RedirectURI, back)
}

// revokeApp is POST /u/{username}/apps/{id}/revoke, from the profile page.
func (s *Server) revokeApp(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if st.viewer == nil {
		return errSignIn
	}
	if st.viewer.Username != r.PathValue("username") {
		return forum.ErrForbidden
	}
	if err := s.cfg.OAuth.RevokeForMember(r.Context(), st.viewer.ID, r.PathValue("id")); err != nil {
		return err
	}
	return redirect(w, r, uris.MemberPath(st.viewer.Username)+"?revoked=1#apps")
}
