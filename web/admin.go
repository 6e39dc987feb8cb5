package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// The administration is split into sections, each its own page that loads
// only what it shows: one long page grew slow to read and scrolled
// sideways on a phone.
const (
	adminMembers     = "members"
	adminInvitations = "invitations"
	adminForums      = "forums"
	adminFederation  = "federation"
	adminLog         = "log"
)

// adminSection is one entry of the sections menu.
type adminSection struct {
	Name, Path string
	Current    bool
}

type adminData struct {
	Section  string // "" for the overview
	Sections []adminSection
	Error    string

	Members forum.Page[*forum.Member]
	Roles   []forum.Role

	Invitations forum.Page[*forum.Invitation]
	// NewLink is an invitation or password link just made: shown once,
	// never stored. Notice says it was mailed too.
	NewLink string
	Notice  string
	// Mail: the node sends email (an invitation may be mailed); Invite is
	// what the admin typed in the invitation form, kept when refused.
	Mail   bool
	Invite inviteForm

	Forums   forum.Page[*forum.Forum]
	Langs    []string
	NewForum forumForm // what the admin typed, kept when it was refused

	// Federation: the remote forums this node follows.
	Joined []*federation.Following
	// Refusals are the newest activities refused after the inbox
	// accepted them.
	Refusals []*federation.Refusal
	// JoinJobs: the latest joins asked for, with where each stands.
	JoinJobs   []*federation.JoinJob
	JoinTarget string // kept when refused

	Log forum.Page[*forum.LogEntry]
}

// inviteForm is the invitation form as typed.
type inviteForm struct {
	Role, Note, Email, Lang string
}

// forumForm is the new-forum form as typed.
type forumForm struct {
	Slug, Language, Position string
	Texts                    map[string]forum.ForumText
}

// refusalsShown bounds the refusals on the federation section; the command
// `agora admin federation inbox` lists and filters them all.
const refusalsShown = 20

// joinJobsShown is how many of the latest join jobs the federation section lists.
const joinJobsShown = 10

func adminPath(section string) string {
	if section == "" {
		return "/admin"
	}
	return "/admin/" + section
}

// newAdminData checks that the viewer administers the node and sets up the
// sections menu with section as the current one.
func (s *Server) newAdminData(r *http.Request, section string) (*adminData, error) {
	if err := forum.CanAdminister(stateOf(r).viewer); err != nil {
		return nil, err
	}
	d := &adminData{Section: section, Roles: []forum.Role{forum.RoleMember, forum.RoleModerator, forum.RoleAdmin},
		Langs: s.catalog.tags, Mail: s.cfg.Mail != nil, Invite: inviteForm{Lang: stateOf(r).tr.lang}}
	names := []string{adminMembers, adminInvitations, adminForums}
	if s.cfg.Federation != nil {
		names = append(names, adminFederation)
	}
	names = append(names, adminLog)
	for _, n := range names {
		d.Sections = append(d.Sections, adminSection{Name: n, Path: adminPath(n), Current: n == section})
	}
	return d, nil
}

// load reads what d's section shows.
func (s *Server) load(r *http.Request, d *adminData) error {
	q, svc, ctx, viewer := r.URL.Query(), s.cfg.Service, r.Context(), stateOf(r).viewer
	var err error
	switch d.Section {
	case adminMembers:
		d.Members, err = svc.ListMembers(ctx, q.Get("after"))
	case adminInvitations:
		d.Invitations, err = svc.ListInvitations(ctx, viewer, q.Get("before"))
	case adminForums:
		d.Forums, err = svc.ListForums(ctx, q.Get("after"))
	case adminFederation:
		fed := s.cfg.Federation
		if d.Joined, err = fed.Joined(ctx); err != nil {
			return err
		}
		if d.Refusals, err = fed.Refusals(ctx, federation.RefusalQuery{Limit: refusalsShown}); err != nil {
			return err
		}
		d.JoinJobs, err = fed.JoinJobs(ctx, joinJobsShown)
	case adminLog:
		d.Log, err = svc.ModerationLog(ctx, viewer, q.Get("before"))
	}
	return err
}

// showAdmin renders a section, with errMsg (and the form as typed, set
// by the caller in prepare) when an action was refused.
func (s *Server) showAdmin(w http.ResponseWriter, r *http.Request, status int, section, errMsg string, prepare func(*adminData)) error {
	d, err := s.newAdminData(r, section)
	if err != nil {
		return err
	}
	if err := s.load(r, d); err != nil {
		return err
	}
	d.Error = errMsg
	if prepare != nil {
		prepare(d)
	}
	tr := stateOf(r).tr
	title := tr.T("admin.title")
	if section != "" {
		title = tr.T("admin."+section) + " · " + title
	}
	s.render(w, r, status, "admin", title, d)
	return nil
}

// adminSectionPage serves GET /admin and GET /admin/{section}.
func (s *Server) adminSectionPage(section string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		return s.showAdmin(w, r, http.StatusOK, section, "", nil)
	}
}

// adminInvite answers with the invitations section itself (not a
// redirect) so the new link is shown once and never kept.
func (s *Server) adminInvite(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	typed := inviteForm{Role: r.PostForm.Get("role"), Note: r.PostForm.Get("note"), Email: strings.TrimSpace(r.PostForm.Get("email")),
		Lang: r.PostForm.Get("mail_language")}
	refuse := func(msg string) error {
		return s.showAdmin(w, r, http.StatusBadRequest, adminInvitations, msg, func(d *adminData) {
			if typed.Lang == "" {
				typed.Lang = d.Invite.Lang
			}
			d.Invite = typed
		})
	}
	if typed.Email != "" && (s.cfg.Mail == nil || !validAddress(typed.Email)) {
		if err := forum.CanAdminister(st.viewer); err != nil {
			return err
		}
		return refuse(st.tr.T("settings.email_invalid"))
	}
	inv, token, err := s.cfg.Service.Invite(r.Context(), st.viewer, forum.Role(typed.Role), typed.Note)
	if ve := asValidation(err); ve != nil {
		return refuse(s.validationMessage(st.tr, ve))
	} else if err != nil {
		return err
	}
	link, notice := s.cfg.URLs.Invitation(token), ""
	if typed.Email != "" {
		if err := s.mailInvitation(r.Context(), typed.Lang, typed.Email, st.viewer.DisplayName, link, inv.ExpiresAt); err != nil {
			return err
		}
		notice = st.tr.T("admin.invite_mailed", "Address", typed.Email)
	}
	return s.showAdmin(w, r, http.StatusOK, adminInvitations, "", func(d *adminData) { d.NewLink, d.Notice = link, notice })
}

func (s *Server) adminCreateForum(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	typed := forumForm{Slug: r.PostForm.Get("slug"), Language: r.PostForm.Get("language"),
		Position: r.PostForm.Get("position"), Texts: map[string]forum.ForumText{}}
	for _, tag := range s.catalog.tags {
		typed.Texts[tag] = forum.ForumText{Title: r.PostForm.Get("title_" + tag), Description: r.PostForm.Get("description_" + tag)}
	}
	refuse := func(ve *forum.ValidationError) error {
		return s.showAdmin(w, r, http.StatusBadRequest, adminForums, s.validationMessage(st.tr, ve),
			func(d *adminData) { d.NewForum = typed })
	}
	pos, err := strconv.Atoi(strings.TrimSpace(typed.Position))
	if err != nil && strings.TrimSpace(typed.Position) != "" {
		return refuse(&forum.ValidationError{Field: "position", Code: "error.position"})
	}
	f, err := s.cfg.Service.CreateForum(r.Context(), st.viewer,
		forum.ForumInput{Slug: typed.Slug, Position: pos, Language: typed.Language, Texts: typed.Texts})
	if ve := asValidation(err); ve != nil {
		return refuse(ve)
	} else if err != nil {
		return err
	}
	return s.redirectFlash(w, r, uris.ForumPath(f.Slug), "flash.forum_created")
}

func (s *Server) adminSetRole(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	_, err := s.cfg.Service.SetRole(r.Context(), st.viewer, r.PathValue("id"), forum.Role(r.PostForm.Get("role")))
	if ve := asValidation(err); ve != nil {
		return s.showAdmin(w, r, http.StatusBadRequest, adminMembers, s.validationMessage(st.tr, ve), nil)
	} else if err != nil {
		return err
	}
	return s.redirectFlash(w, r, adminPath(adminMembers), "flash.role_changed")
}

// adminJoin queues a join of a forum of another node (a hub forum) and
// answers at once: the node's join worker resolves it, follows it and
// fetches its recent threads, and the federation section shows how far it
// got.
func (s *Server) adminJoin(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	target := r.PostForm.Get("target")
	_, err := s.cfg.Federation.QueueJoin(r.Context(), st.viewer, target)
	if errors.Is(err, federation.ErrJoinTarget) {
		// The reason is said in the admin's language; the library's
		// English text would sit inside a Spanish or French sentence.
		return s.showAdmin(w, r, http.StatusBadRequest, adminFederation, st.tr.T("admin.join_bad_target"),
			func(d *adminData) { d.JoinTarget = target })
	} else if err != nil {
		return err
	}
	return s.redirectFlash(w, r, adminPath(adminFederation)+"#joins", "flash.join_queued")
}

// adminLeave stops following a remote forum; its posts stay.
func (s *Server) adminLeave(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.Federation.Leave(r.Context(), stateOf(r).viewer, r.PostForm.Get("forum")); err != nil {
		return err
	}
	return s.redirectFlash(w, r, adminPath(adminFederation), "flash.forum_left")
}
