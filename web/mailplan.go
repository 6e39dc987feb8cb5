package web

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/mail"
	"github.com/metropolis/agora/mailin"
	"github.com/metropolis/agora/notify"
	"github.com/metropolis/agora/uris"
)

// Email about notifications. The planner turns members' notifications
// into mails in the queue, by each member's setting per kind: at once
// (the notifications of a few minutes coalesced into one mail), in a
// daily or weekly digest, or never. It lives here because mails are
// written with the pages' catalogs, in the member's language.

// MailStore is the storage the planner and the email settings need.
type MailStore interface {
	mailin.Store // reply tokens, addresses, the mail secret
	EnqueueMail(ctx context.Context, m *mail.Message) error
	// MemberByEmail is the member with an address ("" when none).
	MemberByEmail(ctx context.Context, address string) (forum.ID, error)
	UnmailedNotifications(ctx context.Context, limit int) ([]*notify.Notification, error)
	// MailNotifications queues m (nil: none) and marks ids mailed, at once.
	MailNotifications(ctx context.Context, m *mail.Message, ids []string, at time.Time) error
	MemberEmail(ctx context.Context, memberID string) (string, error)
	SetMemberEmail(ctx context.Context, memberID, address string) error
	Cursor(ctx context.Context, name string) (string, error)
	SetCursor(ctx context.Context, name, value string) error
}

// MailConfig turns email on.
type MailConfig struct {
	Store MailStore
	IDs   forum.IDs
	Now   func() time.Time
	// Coalesce is how long "at once" notifications wait for others to go
	// in the same mail (default 3 minutes).
	Coalesce time.Duration
	// ReplyFrom, when set (--mail-from), gives mails about one post a
	// reply address beside it (see package mailin), valid for ReplyTTL
	// (default mailin.DefaultTTL).
	ReplyFrom string
	ReplyTTL  time.Duration
}

var digestPeriods = map[notify.MailMode]time.Duration{notify.MailDaily: 24 * time.Hour, notify.MailWeekly: 7 * 24 * time.Hour}

// PlanMail queues the mails due now. One process runs it at a time (the
// caller holds a lease); a notification is planned once (marked in the
// mail's transaction).
func (s *Server) PlanMail(ctx context.Context) error {
	mc := s.cfg.Mail
	now := mc.Now()
	coalesce := mc.Coalesce
	if coalesce == 0 {
		coalesce = 3 * time.Minute
	}
	ns, err := mc.Store.UnmailedNotifications(ctx, 1000)
	if err != nil {
		return err
	}
	byMember := map[forum.ID][]*notify.Notification{}
	var order []forum.ID
	for _, n := range ns {
		if byMember[n.MemberID] == nil {
			order = append(order, n.MemberID)
		}
		byMember[n.MemberID] = append(byMember[n.MemberID], n)
	}
	for _, id := range order {
		if err := s.planMember(ctx, id, byMember[id], now, coalesce); err != nil {
			return fmt.Errorf("plan mail for %s: %w", id, err)
		}
	}
	return nil
}

func (s *Server) planMember(ctx context.Context, memberID forum.ID, ns []*notify.Notification, now time.Time, coalesce time.Duration) error {
	mc := s.cfg.Mail
	ms, err := s.cfg.Service.Members(ctx, []forum.ID{memberID})
	if err != nil {
		return err
	}
	m := ms[memberID]
	addr, err := mc.Store.MemberEmail(ctx, memberID)
	if err != nil {
		return err
	}
	prefs, err := s.cfg.Notify.Prefs(ctx, memberID)
	if err != nil {
		return err
	}
	by := map[notify.MailMode][]*notify.Notification{}
	for _, n := range ns {
		mode := prefs.MailFor(n.Kind)
		if m == nil || addr == "" {
			mode = notify.MailNever
		}
		by[mode] = append(by[mode], n)
	}
	if skip := by[notify.MailNever]; len(skip) > 0 {
		if err := mc.Store.MailNotifications(ctx, nil, ids(skip), now); err != nil {
			return err
		}
	}
	if soon := by[notify.MailNow]; len(soon) > 0 && !soon[0].CreatedAt.After(now.Add(-coalesce)) {
		msg, err := s.composeMail(ctx, m, addr, notify.MailNow, soon, now)
		if err != nil {
			return err
		}
		if err := mc.Store.MailNotifications(ctx, msg, ids(soon), now); err != nil {
			return err
		}
	}
	for mode, period := range digestPeriods {
		list := by[mode]
		if len(list) == 0 {
			continue
		}
		name := "mail:digest:" + string(mode) + ":" + memberID
		last, err := mc.Store.Cursor(ctx, name)
		if err != nil {
			return err
		}
		if last == "" {
			// The period starts with the first notification to digest.
			if err := mc.Store.SetCursor(ctx, name, now.UTC().Format(time.RFC3339)); err != nil {
				return err
			}
			continue
		}
		at, err := time.Parse(time.RFC3339, last)
		if err == nil && now.Sub(at) < period {
			continue
		}
		msg, err := s.composeMail(ctx, m, addr, mode, list, now)
		if err != nil {
			return err
		}
		if err := mc.Store.MailNotifications(ctx, msg, ids(list), now); err != nil {
			return err
		}
		if err := mc.Store.SetCursor(ctx, name, now.UTC().Format(time.RFC3339)); err != nil {
			return err
		}
	}
	return nil
}

func ids(ns []*notify.Notification) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

type mailLine struct {
	Text, Link string
}

type mailData struct {
	Lang, Heading, Intro, Unsubscribe, UnsubscribeLink, SettingsText, SettingsLink string
	Lines                                                                          []mailLine
	// Reply is set when the mail is about one post one can answer by
	// replying.
	Reply *mailReply
}

var mailHTML = template.Must(template.New("mail").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Heading}}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; max-width: 40em">
{{- with .Reply}}
<p style="color: #555">{{.Marker}}</p>
{{- end}}
<h1 style="font-size: 1.3em">{{.Heading}}</h1>
<p>{{.Intro}}</p>
<ul>
{{- range .Lines}}
<li><a href="{{.Link}}">{{.Text}}</a></li>
{{- end}}
</ul>
{{- with .Reply}}
<blockquote lang="{{.Lang}}" style="border-inline-start: 3px solid #999; margin: 1em 0; padding-inline-start: 1em">{{.HTML}}</blockquote>
<p>{{.Hint}}</p>
{{- end}}
<p style="font-size: 0.9em"><a href="{{.SettingsLink}}">{{.SettingsText}}</a> · <a href="{{.UnsubscribeLink}}">{{.Unsubscribe}}</a></p>
</body></html>
`))

// composeMail writes one mail of a member's notifications, in their
// language, as text and HTML, with a one-click unsubscribe link (RFC
// 8058) for the kinds it holds.
func (s *Server) composeMail(ctx context.Context, m *forum.Member, addr string, mode notify.MailMode, ns []*notify.Notification, now time.Time) (*mail.Message, error) {
	lang := m.UILanguage
	if !s.catalog.supported(lang) {
		lang = s.catalog.def
	}
	tr := s.catalog.translator(lang)
	d := mailData{Lang: lang, SettingsText: tr.T("notifications.settings"), SettingsLink: s.cfg.URLs.Abs("/settings/notifications")}
	// Newest first, grouped as on the notifications page.
	rev := make([]*notify.Notification, len(ns))
	for i, n := range ns {
		rev[len(ns)-1-i] = n
	}
	groups := notify.GroupNotifications(rev)
	for _, g := range groups {
		item, err := s.describe(ctx, tr, g)
		if err != nil {
			return nil, err
		}
		d.Lines = append(d.Lines, mailLine{Text: item.Text, Link: s.cfg.URLs.Abs(item.Link)})
	}
	scope := "all"
	if mode == notify.MailNow && len(groups) == 1 {
		scope = string(groups[0].Kind)
	}
	token, err := s.unsubscribeToken(ctx, m.ID, scope)
	if err != nil {
		return nil, err
	}
	d.UnsubscribeLink = s.cfg.URLs.Abs(uris.UnsubscribePath(token))
	d.Unsubscribe = tr.T("mail.unsubscribe_" + map[bool]string{true: "all", false: "kind"}[scope == "all"])
	var reply *mailReply
	if mode == notify.MailNow && len(ns) == 1 {
		if reply, err = s.replyTo(ctx, tr, m, ns[0], now); err != nil {
			return nil, err
		}
		d.Reply = reply
	}
	var subject string
	switch {
	case mode != notify.MailNow:
		subject = tr.T("mail.subject_"+string(mode), "Count", len(ns))
		d.Heading, d.Intro = subject, tr.T("mail.intro_digest")
	case len(d.Lines) == 1:
		subject = d.Lines[0].Text
		d.Heading, d.Intro = subject, tr.T("mail.intro_now")
	default:
		subject = tr.T("mail.subject_now", "Count", len(ns))
		d.Heading, d.Intro = subject, tr.T("mail.intro_now")
	}
	var text strings.Builder
	if reply != nil {
		text.WriteString(reply.Marker + "\n\n")
	}
	text.WriteString(d.Heading + "\n\n" + d.Intro + "\n\n")
	for _, l := range d.Lines {
		fmt.Fprintf(&text, "- %s\n  %s\n", l.Text, l.Link)
	}
	if reply != nil {
		fmt.Fprintf(&text, "\n%s\n\n%s\n", quoteText(reply.Text), reply.Hint)
	}
	fmt.Fprintf(&text, "\n-- \n%s: %s\n%s: %s\n", d.SettingsText, d.SettingsLink, d.Unsubscribe, d.UnsubscribeLink)
	var html bytes.Buffer
	if err := mailHTML.Execute(&html, d); err != nil {
		return nil, fmt.Errorf("mail html: %w", err)
	}
	msg := &mail.Message{ID: s.cfg.Mail.IDs.New(), To: addr, Subject: subject, Text: text.String(), HTML: html.String(),
		Headers: map[string]string{
			"List-Unsubscribe":      "<" + d.UnsubscribeLink + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
			"Content-Language":      lang,
			"Auto-Submitted":        "auto-generated",
		}, NextAttemptAt: now, CreatedAt: now}
	if reply != nil {
		msg.Headers["Reply-To"] = reply.Address
	}
	return msg, nil
}

// mailSecret is the key of unsubscribe links (and reply tokens), made
// once and kept in the database so every process checks what another
// signed.
func (s *Server) mailSecret(ctx context.Context) ([]byte, error) {
	return mailin.Secret(ctx, s.cfg.Mail.Store)
}

func sign(secret []byte, payload string) string {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}

// unsubscribeToken signs "member.scope" (scope a kind, or all).
func (s *Server) unsubscribeToken(ctx context.Context, memberID forum.ID, scope string) (string, error) {
	secret, err := s.mailSecret(ctx)
	if err != nil {
		return "", err
	}
	payload := memberID + "." + scope
	return payload + "." + sign(secret, payload), nil
}

// checkUnsubscribe returns the member and scope a token names, if its
// signature holds.
func (s *Server) checkUnsubscribe(ctx context.Context, token string) (forum.ID, string, bool, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || !forum.ValidID(parts[0]) {
		return "", "", false, nil
	}
	secret, err := s.mailSecret(ctx)
	if err != nil {
		return "", "", false, err
	}
	ok := hmac.Equal([]byte(sign(secret, parts[0]+"."+parts[1])), []byte(parts[2]))
	if parts[1] != "all" && !contains(notify.Kinds, notify.Kind(parts[1])) {
		ok = false
	}
	return parts[0], parts[1], ok, nil
}

func contains(ks []notify.Kind, k notify.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

type unsubscribeData struct {
	Token string
	Scope string
	Done  bool
}

// unsubscribePage confirms what a link unsubscribes from, with a button
// (a GET changes nothing: link checkers and previews follow links).
func (s *Server) unsubscribePage(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	token := r.PathValue("token")
	_, scope, ok, err := s.checkUnsubscribe(r.Context(), token)
	if err != nil {
		return err
	} else if !ok {
		return forum.ErrNotFound
	}
	s.render(w, r, http.StatusOK, "unsubscribe", st.tr.T("unsubscribe.title"),
		unsubscribeData{Token: token, Scope: scope, Done: r.URL.Query().Get("done") == "1"})
	return nil
}

// unsubscribe sets the link's kind (or every kind) to never. A one-click
// POST (RFC 8058, body List-Unsubscribe=One-Click) gets 200; a browser's
// form is sent back to the page, which says it is done.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	_ = r.ParseForm() // a body that does not parse is a browser's empty form
	token := r.PathValue("token")
	memberID, scope, ok, err := s.checkUnsubscribe(r.Context(), token)
	if err == nil && ok {
		err = s.mailNever(r.Context(), memberID, scope)
	}
	switch {
	case err != nil:
		s.cfg.Logger.Error("unsubscribe", "err", err)
		http.Error(w, "try again later", http.StatusServiceUnavailable)
	case !ok:
		http.Error(w, "unknown link", http.StatusNotFound)
	case r.PostForm.Get("List-Unsubscribe") == "One-Click":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("unsubscribed\n"))
	default:
		http.Redirect(w, r, uris.UnsubscribePath(token)+"?done=1", http.StatusSeeOther)
	}
}

func (s *Server) mailNever(ctx context.Context, memberID forum.ID, scope string) error {
	p, err := s.cfg.Notify.Prefs(ctx, memberID)
	if err != nil {
		return err
	}
	for _, k := range notify.Kinds {
		if scope == "all" || string(k) == scope {
			p.Mail[k] = notify.MailNever
		}
	}
	return s.cfg.Notify.SavePrefs(ctx, memberID, p)
}
