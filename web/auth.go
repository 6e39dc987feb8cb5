package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

type loginData struct {
	Next     string
	Username string
	Error    string
	Mail     bool // the node mails: a forgotten password can be reset
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	s.render(w, r, http.StatusOK, "login", st.tr.T("login.title"), loginData{Next: safeNext(r.URL.Query().Get("next")), Mail: s.cfg.Mail != nil})
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	username := forum.NormalizeUsername(r.PostForm.Get("username"))
	for _, key := range []string{"ip:" + s.cfg.ClientIP.Of(r), "user:" + username} {
		ok, wait, err := s.limiter.Allow(r.Context(), "signin:"+key)
		if err != nil {
			return err
		}
		if !ok {
			if s.cfg.Metrics != nil {
				s.cfg.Metrics.RateLimited("signin")
			}
			return &httpError{status: http.StatusTooManyRequests, msgID: "error.too_many_attempts", retryAfter: wait}
		}
	}
	next := safeNext(r.PostForm.Get("next"))
	_, token, err := s.cfg.Service.SignIn(r.Context(), username, r.PostForm.Get("password"))
	if errors.Is(err, forum.ErrBadCredentials) {
		s.render(w, r, http.StatusUnauthorized, "login", st.tr.T("login.title"),
			loginData{Next: next, Username: username, Error: st.tr.T("login.failed"), Mail: s.cfg.Mail != nil})
		return nil
	} else if err != nil {
		return err
	}
	s.startSession(w, token)
	return redirect(w, r, next)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if st := stateOf(r); st.session != "" {
		if err := s.cfg.Service.SignOut(r.Context(), st.session); err != nil {
			return err
		}
	}
	s.clearCookie(w, "agora_session")
	return s.redirectFlash(w, r, uris.HomePath(), "flash.signed_out")
}

type tokenData struct {
	Member *forum.Member
	Error  string
}

// tokenForm shows the set-password form of a one-time link. Opening the
// link does not use it up; submitting the form does.
func (s *Server) tokenForm(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	m, err := s.cfg.Service.LoginTokenMember(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "set_password", st.tr.T("password.title"), tokenData{Member: m})
	return nil
}

func (s *Server) useToken(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	token := r.PathValue("token")
	m, session, err := s.cfg.Service.SetPasswordWithToken(r.Context(), token, r.PostForm.Get("password"))
	if ve := asValidation(err); ve != nil {
		m, err := s.cfg.Service.LoginTokenMember(r.Context(), token)
		if err != nil {
			return err
		}
		s.render(w, r, http.StatusBadRequest, "set_password", st.tr.T("password.title"),
			tokenData{Member: m, Error: s.validationMessage(st.tr, ve)})
		return nil
	} else if err != nil {
		return err
	}
	s.startSession(w, session)
	return redirect(w, r, uris.MemberPath(m.Username))
}

func (s *Server) invitationForm(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	token := r.PathValue("token")
	if _, err := s.cfg.Service.InvitationByToken(r.Context(), token); err != nil {
		return err
	}
	d := s.profileFormOf(uris.InvitationPath(token), "", forum.Profile{Languages: []string{st.tr.lang}, UILanguage: st.tr.lang}, "")
	d.Invitation = true
	return s.renderProfileForm(w, r, http.StatusOK, st.tr.T("invite.title"), d)
}

func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	token := r.PathValue("token")
	a := forum.NewAccount{Username: r.PostForm.Get("username"), Password: r.PostForm.Get("password"), Profile: profileFromForm(r)}
	_, session, err := s.cfg.Service.AcceptInvitation(r.Context(), token, a)
	if ve := asValidation(err); ve != nil {
		d := s.profileFormOf(uris.InvitationPath(token), a.Username, a.Profile, s.validationMessage(st.tr, ve))
		d.Invitation = true
		return s.renderProfileForm(w, r, http.StatusBadRequest, st.tr.T("invite.title"), d)
	} else if err != nil {
		return err
	}
	s.startSession(w, session)
	return redirect(w, r, "/welcome")
}

// setLanguage is the switcher on every page: a visitor's choice goes in a
// cookie, a member's into their profile too.
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	lang := r.PostForm.Get("lang")
	if !s.catalog.supported(lang) {
		return badRequest("error.language")
	}
	s.setCookie(w, cookieLang, lang, 365*24*time.Hour)
	if m := st.viewer; m != nil && m.UILanguage != lang {
		p := forum.Profile{DisplayName: m.DisplayName, Title: m.Title, Organisation: m.Organisation, Languages: m.Languages, UILanguage: lang, TimeZone: m.TimeZone}
		if _, err := s.cfg.Service.UpdateProfile(r.Context(), m, m.ID, p); err != nil {
			return err
		}
	}
	return redirect(w, r, safeNext(r.PostForm.Get("next")))
}
