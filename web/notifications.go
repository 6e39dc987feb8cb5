package web

import (
	"context"
	"errors"
	"net/http"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/notify"
	"github.com/metropolis/agora/uris"
)

// Notifications: the page (/notifications), marking read, watching a
// thread or a forum (/watch) and the member's settings
// (/settings/notifications). All need Config.Notify.

// notificationItem is one group of the page, said in the reader's
// language.
type notificationItem struct {
	Text   string
	Link   string
	When   time.Time
	Unread bool
	IDs    []forum.ID
}

type notificationsData struct {
	Items []notificationItem
	Next  string
}

// unread is the viewer's unread count for the page header (0 for
// visitors). A count that cannot be read leaves the header without it:
// the page itself is what was asked for.
func (s *Server) unread(ctx context.Context, st *state) int {
	if s.cfg.Notify == nil || st.viewer == nil {
		return 0
	}
	if st.unreadKnown {
		return st.unread
	}
	n, err := s.cfg.Notify.Unread(ctx, st.viewer.ID)
	if err != nil {
		s.cfg.Logger.Warn("count unread notifications", "member", st.viewer.ID, "err", err)
		return 0
	}
	return n
}

func (s *Server) notificationsPage(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if st.viewer == nil {
		return errSignIn
	}
	page, err := s.cfg.Notify.List(r.Context(), st.viewer.ID, r.URL.Query().Get("before"))
	if err != nil {
		return err
	}
	d := notificationsData{Next: page.Next}
	for _, g := range page.Groups {
		item, err := s.describe(r.Context(), st.tr, g)
		if err != nil {
			return err
		}
		d.Items = append(d.Items, item)
	}
	s.render(w, r, http.StatusOK, "notifications", st.tr.T("notifications.title"), d)
	return nil
}

// describe says a group in words, with where it leads. Threads and forums
// gone since are named as such.
func (s *Server) describe(ctx context.Context, tr *translator, g *notify.Group) (notificationItem, error) {
	n := g.Newest
	item := notificationItem{When: n.CreatedAt, Unread: g.Unread > 0, IDs: g.IDs}
	args := []any{"Count", g.Count}
	if len(g.ActorIDs) > 0 {
		ms, err := s.cfg.Service.Members(ctx, g.ActorIDs[:1])
		if err != nil {
			return item, err
		}
		if m := ms[g.ActorIDs[0]]; m != nil {
			args = append(args, "Name", m.DisplayName)
			switch {
			case n.Kind == notify.KindInvitationUsed || (n.Kind == notify.KindFollow && m.Local()):
				item.Link = uris.MemberPath(m.Username)
			case n.Kind == notify.KindFollow:
				item.Link = m.ProfileURL
				if item.Link == "" {
					item.Link = m.URI
				}
			}
		}
	}
	if n.ThreadID != "" {
		t, err := s.cfg.Service.Thread(ctx, n.ThreadID)
		switch {
		case err == nil:
			args = append(args, "Title", t.Title)
		case errors.Is(err, forum.ErrGone) || errors.Is(err, forum.ErrNotFound):
			args = append(args, "Title", tr.T("notifications.gone"))
		default:
			return item, err
		}
	}
	if n.ForumID != "" {
		f, err := s.cfg.Service.ForumByID(ctx, n.ForumID)
		switch {
		case err == nil:
			t, _ := f.Text(tr.lang)
			args = append(args, "Forum", t.Title)
		case errors.Is(err, forum.ErrNotFound):
			args = append(args, "Forum", tr.T("notifications.gone"))
		default:
			return item, err
		}
	}
	item.Text = tr.T("notify."+string(n.Kind), args...)
	switch n.Kind {
	case notify.KindQuestion:
		item.Link = uris.ThreadPath(n.ThreadID)
	case notify.KindReport:
		item.Link = "/moderation"
	case notify.KindFollowRequest:
		item.Link = adminPath(adminFederation)
	case notify.KindInvitationUsed:
		if item.Link == "" {
			item.Link = adminPath(adminInvitations)
		}
	case notify.KindFollow:
		if item.Link == "" { // the follower's record is gone
			item.Link = "/notifications"
		}
	default:
		item.Link = uris.PostAnchor(n.ThreadID, n.PostID)
	}
	return item, nil
}

// markRead marks the notifications named by the form (ids) read, or all
// of them (all=1), and goes back to the list.
func (s *Server) markRead(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if st.viewer == nil {
		return errSignIn
	}
	ids := r.PostForm["id"]
	if r.PostForm.Get("all") == "" && len(ids) == 0 {
		return badRequest("error.bad_form")
	}
	if r.PostForm.Get("all") != "" {
		ids = nil
	}
	if err := s.cfg.Notify.MarkRead(r.Context(), st.viewer.ID, ids); err != nil {
		return err
	}
	next := safeNext(r.PostForm.Get("next"))
	if next == "" {
		next = "/notifications"
	}
	return s.redirectFlash(w, r, next, "flash.marked_read")
}

// watch starts or stops watching a thread or a forum (target, id, on) and
// goes back to its page.
func (s *Server) watch(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if st.viewer == nil {
		return errSignIn
	}
	ctx, id, on := r.Context(), r.PostForm.Get("id"), r.PostForm.Get("on") == "1"
	var back string
	var target notify.Target
	switch r.PostForm.Get("target") {
	case string(notify.TargetThread):
		t, err := s.cfg.Service.Thread(ctx, id)
		if err != nil {
			return err
		}
		target, back = notify.TargetThread, uris.ThreadPath(t.ID)
	case string(notify.TargetForum):
		f, err := s.cfg.Service.ForumByID(ctx, id)
		if err != nil {
			return err
		}
		target, back = notify.TargetForum, uris.ForumPath(f.Slug)
	default:
		return badRequest("error.bad_action")
	}
	if err := s.cfg.Notify.SetWatch(ctx, st.viewer.ID, target, id, on); err != nil {
		return err
	}
	return s.redirectFlash(w, r, back, onOff(r, "flash.watching", "flash.not_watching"))
}

// watchState is what a thread or forum page shows of watching: nil hides
// the control (visitors, no notifications).
type watchState struct {
	Target   notify.Target
	ID       forum.ID
	Watching bool
}

func (s *Server) watchState(ctx context.Context, st *state, t notify.Target, id forum.ID) (*watchState, error) {
	if s.cfg.Notify == nil || st.viewer == nil {
		return nil, nil
	}
	on, err := s.cfg.Notify.Watching(ctx, st.viewer.ID, t, id)
	if err != nil {
		return nil, err
	}
	return &watchState{Target: t, ID: id, Watching: on}, nil
}

type settingsData struct {
	MailOn    bool // the node sends email: the address is asked for
	Email     string
	Error     string
	AutoWatch bool
	Kinds     []kindSetting
	Modes     []notify.MailMode
	Saved     bool
}

type kindSetting struct {
	Kind notify.Kind
	Mode notify.MailMode
}

func (s *Server) settingsData(p notify.Prefs) settingsData {
	d := settingsData{AutoWatch: p.AutoWatch, Modes: []notify.MailMode{notify.MailNow, notify.MailDaily, notify.MailWeekly, notify.MailNever}}
	for _, k := range notify.Kinds {
		d.Kinds = append(d.Kinds, kindSetting{Kind: k, Mode: p.MailFor(k)})
	}
	return d
}

func (s *Server) settingsForm(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if st.viewer == nil {
		return errSignIn
	}
	p, err := s.cfg.Notify.Prefs(r.Context(), st.viewer.ID)
	if err != nil {
		return err
	}
	d := s.settingsData(p)
	d.Saved = r.URL.Query().Get("saved") == "1"
	if s.cfg.Mail != nil {
		d.MailOn = true
		if d.Email, err = s.cfg.Mail.Store.MemberEmail(r.Context(), st.viewer.ID); err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusOK, "notify_settings", st.tr.T("settings.title"), d)
	return nil
}

func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if st.viewer == nil {
		return errSignIn
	}
	p := notify.Prefs{AutoWatch: r.PostForm.Get("auto_watch") == "1", Mail: map[notify.Kind]notify.MailMode{}}
	for _, k := range notify.Kinds {
		if v := r.PostForm.Get("mail_" + string(k)); v != "" {
			m := notify.MailMode(v)
			if !m.Valid() {
				return badRequest("error.bad_form")
			}
			p.Mail[k] = m
		}
	}
	if s.cfg.Mail != nil {
		addr := strings.TrimSpace(r.PostForm.Get("email"))
		if a, err := netmail.ParseAddress(addr); addr != "" && (err != nil || a.Address != addr) {
			d := s.settingsData(p)
			d.MailOn, d.Email, d.Error = true, addr, st.tr.T("settings.email_invalid")
			s.render(w, r, http.StatusBadRequest, "notify_settings", st.tr.T("settings.title"), d)
			return nil
		}
		if err := s.cfg.Mail.Store.SetMemberEmail(r.Context(), st.viewer.ID, addr); err != nil {
			return err
		}
	}
	if err := s.cfg.Notify.SavePrefs(r.Context(), st.viewer.ID, p); err != nil {
		return err
	}
	return redirect(w, r, "/settings/notifications?saved=1")
}

// readPosition fills a member's thread page with the watch control and
// the first answer new since their last visit (from marks, read by
// viewerMarks), then moves their read position to the newest post of the
// page.
func (s *Server) readPosition(ctx context.Context, st *state, v *forum.ThreadView, marks *notify.ThreadMarks, d *threadData) error {
	if s.cfg.Notify == nil || st.viewer == nil || marks == nil {
		return nil
	}
	d.Watch = &watchState{Target: notify.TargetThread, ID: v.Thread.ID, Watching: marks.Watching}
	pos := marks.Position
	var first, newest forum.ID
	for _, p := range v.Posts.Items {
		if p.ID > newest {
			newest = p.ID
		}
		if pos != "" && !p.IsQuestion() && p.ID > pos && (first == "" || p.ID < first) {
			first = p.ID
		}
	}
	if first != "" {
		d.FirstUnread = uris.PostAnchor(v.Thread.ID, first)
	}
	if newest == "" || newest <= pos {
		return nil
	}
	return s.cfg.Notify.Read(ctx, st.viewer.ID, v.Thread.ID, newest)
}

// forumMarks fills a member's forum page with the watch control and which
// threads are new since their last visit.
func (s *Server) forumMarks(ctx context.Context, st *state, d *forumData) error {
	if s.cfg.Notify == nil || st.viewer == nil {
		return nil
	}
	var err error
	if d.Watch, err = s.watchState(ctx, st, notify.TargetForum, d.List.Forum.ID); err != nil {
		return err
	}
	d.Unseen, err = s.cfg.Notify.Unseen(ctx, st.viewer, d.List.Threads.Items)
	return err
}
