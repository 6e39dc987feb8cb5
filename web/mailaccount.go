package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/mail"
)

// Invitations and password resets by email. The link is made as before
// (and still shown to the admin, who may copy it); when the node sends
// mail, it is also mailed, in the language of its reader.

type accountMailData struct {
	Lang, Subject, Intro, LinkText, Link, Note string
}

var accountMailHTML = template.Must(template.New("account").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; max-width: 40em">
<h1 style="font-size: 1.3em">{{.Subject}}</h1>
<p>{{.Intro}}</p>
<p><a href="{{.Link}}">{{.LinkText}}</a></p>
<p style="font-size: 0.9em">{{.Note}}</p>
</body></html>
`))

// accountMail writes a mail with one link, as text and HTML.
func (s *Server) accountMail(tr *translator, to string, d accountMailData) (*mail.Message, error) {
	d.Lang = tr.lang
	var html bytes.Buffer
	if err := accountMailHTML.Execute(&html, d); err != nil {
		return nil, fmt.Errorf("mail html: %w", err)
	}
	text := fmt.Sprintf("%s\n\n%s\n\n%s:\n%s\n\n%s\n", d.Subject, d.Intro, d.LinkText, d.Link, d.Note)
	now := s.cfg.Mail.Now()
	return &mail.Message{ID: s.cfg.Mail.IDs.New(), To: to, Subject: d.Subject, Text: text, HTML: html.String(),
		Headers:       map[string]string{"Content-Language": tr.lang, "Auto-Submitted": "auto-generated"},
		NextAttemptAt: now, CreatedAt: now}, nil
}

// validAddress checks an email address typed in a form ("" is none).
func validAddress(addr string) bool {
	a, err := netmail.ParseAddress(addr)
	return err == nil && a.Address == addr
}

// mailInvitation mails an invitation link, in lang.
func (s *Server) mailInvitation(ctx context.Context, lang, to, inviter, link string, expires time.Time) error {
	if !s.catalog.supported(lang) {
		lang = s.catalog.def
	}
	tr := s.catalog.translator(lang)
	m, err := s.accountMail(tr, to, accountMailData{Subject: tr.T("mail.invite_subject", "Name", inviter),
		Intro: tr.T("mail.invite_intro", "Name", inviter), LinkText: tr.T("mail.invite_link"), Link: link,
		Note: tr.T("mail.link_expires", "Date", tr.DateTime(expires))})
	if err != nil {
		return err
	}
	return s.cfg.Mail.Store.EnqueueMail(ctx, m)
}

// mailReset mails m a one-time link to set a new password, in m's
// language. It reports whether m has an address to mail.
func (s *Server) mailReset(ctx context.Context, m *forum.Member, link string) (bool, error) {
	addr, err := s.cfg.Mail.Store.MemberEmail(ctx, m.ID)
	if err != nil || addr == "" {
		return false, err
	}
	lang := m.UILanguage
	if !s.catalog.supported(lang) {
		lang = s.catalog.def
	}
	tr := s.catalog.translator(lang)
	msg, err := s.accountMail(tr, addr, accountMailData{Subject: tr.T("mail.reset_subject"),
		Intro: tr.T("mail.reset_intro", "Name", m.Username), LinkText: tr.T("mail.reset_link"), Link: link,
		Note: tr.T("mail.reset_note")})
	if err != nil {
		return false, err
	}
	return true, s.cfg.Mail.Store.EnqueueMail(ctx, msg)
}

// adminResetPassword makes a member's one-time link to set a new
// password: shown to the admin, and mailed to the member when the node
// has their address.
func (s *Server) adminResetPassword(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if err := forum.CanAdminister(st.viewer); err != nil {
		return err
	}
	ms, err := s.cfg.Service.Members(r.Context(), []forum.ID{r.PathValue("id")})
	if err != nil {
		return err
	}
	target := ms[r.PathValue("id")]
	if target == nil || !target.Local() {
		return forum.ErrNotFound
	}
	m, token, err := s.cfg.Service.PasswordResetToken(r.Context(), st.viewer, target.Username)
	if err != nil {
		return err
	}
	link := s.cfg.URLs.LoginToken(token)
	notice := ""
	if s.cfg.Mail != nil {
		sent, err := s.mailReset(r.Context(), m, link)
		if err != nil {
			return err
		}
		if sent {
			notice = st.tr.T("admin.reset_mailed", "Name", m.Username)
		}
	}
	return s.showAdmin(w, r, http.StatusOK, adminMembers, "", func(d *adminData) { d.NewLink, d.Notice = link, notice })
}

type forgotData struct {
	Address string
	Error   string
	Sent    bool
}

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "forgot", stateOf(r).tr.T("forgot.title"), forgotData{Sent: r.URL.Query().Get("sent") == "1"})
	return nil
}

// forgotPassword mails a one-time link to the member with the address
// typed, if there is one; the answer is the same either way, so the form
// tells nobody who has an account. Attempts count against the sign-in
// limits of the client and of the address.
func (s *Server) forgotPassword(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	addr := strings.TrimSpace(r.PostForm.Get("email"))
	if !validAddress(addr) {
		s.render(w, r, http.StatusBadRequest, "forgot", st.tr.T("forgot.title"),
			forgotData{Address: addr, Error: st.tr.T("settings.email_invalid")})
		return nil
	}
	for _, key := range []string{"ip:" + s.cfg.ClientIP.Of(r), "mail:" + strings.ToLower(addr)} {
		ok, wait, err := s.limiter.Allow(r.Context(), "signin:"+key)
		if err != nil {
			return err
		}
		if !ok {
			return &httpError{status: http.StatusTooManyRequests, msgID: "error.too_many_attempts", retryAfter: wait}
		}
	}
	id, err := s.cfg.Mail.Store.MemberByEmail(r.Context(), addr)
	if err != nil {
		return err
	}
	if id != "" {
		ms, err := s.cfg.Service.Members(r.Context(), []forum.ID{id})
		if err != nil {
			return err
		}
		if m := ms[id]; m != nil && m.Local() {
			_, token, err := s.cfg.Service.PasswordResetToken(r.Context(), forum.SystemActor(), m.Username)
			if err != nil {
				return err
			}
			if _, err := s.mailReset(r.Context(), m, s.cfg.URLs.LoginToken(token)); err != nil {
				return err
			}
		}
	}
	return redirect(w, r, "/password/forgot?sent=1")
}
