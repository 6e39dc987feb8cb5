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

type adminData struct {
	Members     forum.Page[*forum.Member]
	Invitations forum.Page[*forum.Invitation]
	Forums      forum.Page[*forum.Forum]
	// NewLink is an invitation or password link just made: shown once,
	// never stored. Notice says it was mailed too.
	NewLink string
	Notice  string
	Error   string
	// Mail: the node sends email (invitations may be mailed); Invite is
	// what the admin typed in the invitation form.
	Mail   bool
	Invite inviteForm
	Roles  []forum.Role
	Langs  []string
	// Federation: the remote forums this node follows (nil when off).
	Federation bool
	Joined     []*federation.Following
	// Refusals are the newest activities refused after the inbox
	// accepted them.
	Refusals []*federation.Refusal
	// JoinJobs: the latest joins asked for, with where each stands.
	JoinJobs []*federation.JoinJob
}

// refusalsShown bounds the refusals on the admin page; the command
// `agora admin federation inbox` lists and filters them all.
const refusalsShown = 20

// joinJobsShown is how many of the latest join jobs the admin page lists.
const joinJobsShown = 10

func (s *Server) adminData(r *http.Request) (*adminData, error) {
	st, q, svc := stateOf(r), r.URL.Query(), s.cfg.Service
	if err := forum.CanAdminister(st.viewer); err != nil {
		return nil, err
	}
	d := &adminData{Roles: []forum.Role{forum.RoleMember, forum.RoleModerator, forum.RoleAdmin}, Langs: s.catalog.tags,
		Mail: s.cfg.Mail != nil}
	var err error
	if d.Members, err = svc.ListMembers(r.Context(), q.Get("members_after")); err != nil {
		return nil, err
	}
	if d.Invitations, err = svc.ListInvitations(r.Context(), st.viewer, q.Get("invitations_before")); err != nil {
		return nil, err
	}
	if d.Forums, err = svc.ListForums(r.Context(), q.Get("forums_after")); err != nil {
		return nil, err
	}
	if fed := s.cfg.Federation; fed != nil {
		d.Federation = true
		if d.Joined, err = fed.Joined(r.Context()); err != nil {
			return nil, err
		}
		if d.Refusals, err = fed.Refusals(r.Context(), federation.RefusalQuery{Limit: refusalsShown}); err != nil {
			return nil, err
		}
		if d.JoinJobs, err = fed.JoinJobs(r.Context(), joinJobsShown); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (s *Server) adminPage(w http.ResponseWriter, r *http.Request) error {
	return s.showAdmin(w, r, http.StatusOK, "", "")
}

func (s *Server) showAdmin(w http.ResponseWriter, r *http.Request, status int, newLink, errMsg string) error {
	return s.showAdminNotice(w, r, status, newLink, "", errMsg)
}

func (s *Server) showAdminNotice(w http.ResponseWriter, r *http.Request, status int, newLink, notice, errMsg string) error {
	d, err := s.adminData(r)
	if err != nil {
		return err
	}
	d.NewLink, d.Notice, d.Error = newLink, notice, errMsg
	d.Invite = inviteForm{Role: r.PostForm.Get("role"), Note: r.PostForm.Get("note"), Email: r.PostForm.Get("email"),
		Lang: r.PostForm.Get("mail_language")}
	if d.Invite.Lang == "" {
		d.Invite.Lang = stateOf(r).tr.lang
	}
	if status < 300 {
		d.Invite = inviteForm{Lang: d.Invite.Lang} // done: an empty form
	}
	s.render(w, r, status, "admin", stateOf(r).tr.T("admin.title"), d)
	return nil
}

// inviteForm is what the admin typed in the invitation form, kept when it
// is refused.
type inviteForm struct {
	Role, Note, Email, Lang string
}

// adminInvite answers with the admin page itself (not a redirect) so the
// new link is shown once and never kept.
func (s *Server) adminInvite(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	to := strings.TrimSpace(r.PostForm.Get("email"))
	if to != "" && (s.cfg.Mail == nil || !validAddress(to)) {
		if err := forum.CanAdminister(st.viewer); err != nil {
			return err
		}
		return s.showAdmin(w, r, http.StatusBadRequest, "", st.tr.T("settings.email_invalid"))
	}
	inv, token, err := s.cfg.Service.Invite(r.Context(), st.viewer, forum.Role(r.PostForm.Get("role")), r.PostForm.Get("note"))
	if ve := asValidation(err); ve != nil {
		return s.showAdmin(w, r, http.StatusBadRequest, "", s.validationMessage(st.tr, ve))
	} else if err != nil {
		return err
	}
	link, notice := s.cfg.URLs.Invitation(token), ""
	if to != "" {
		if err := s.mailInvitation(r.Context(), r.PostForm.Get("mail_language"), to, st.viewer.DisplayName, link, inv.ExpiresAt); err != nil {
			return err
		}
		notice = st.tr.T("admin.invite_mailed", "Address", to)
	}
	return s.showAdminNotice(w, r, http.StatusOK, link, notice, "")
}

func (s *Server) adminCreateForum(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	pos, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("position")))
	if err != nil && r.PostForm.Get("position") != "" {
		return s.showAdmin(w, r, http.StatusBadRequest, "", s.validationMessage(st.tr,
			&forum.ValidationError{Field: "position", Code: "error.position"}))
	}
	in := forum.ForumInput{Slug: r.PostForm.Get("slug"), Position: pos, Language: r.PostForm.Get("language"),
		Texts: map[string]forum.ForumText{}}
	for _, tag := range s.catalog.tags {
		in.Texts[tag] = forum.ForumText{Title: r.PostForm.Get("title_" + tag), Description: r.PostForm.Get("description_" + tag)}
	}
	f, err := s.cfg.Service.CreateForum(r.Context(), st.viewer, in)
	if ve := asValidation(err); ve != nil {
		return s.showAdmin(w, r, http.StatusBadRequest, "", s.validationMessage(st.tr, ve))
	} else if err != nil {
		return err
	}
	return redirect(w, r, uris.ForumPath(f.Slug))
}

func (s *Server) adminSetRole(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	_, err := s.cfg.Service.SetRole(r.Context(), st.viewer, r.PathValue("id"), forum.Role(r.PostForm.Get("role")))
	if ve := asValidation(err); ve != nil {
		return s.showAdmin(w, r, http.StatusBadRequest, "", s.validationMessage(st.tr, ve))
	} else if err != nil {
		return err
	}
	return redirect(w, r, "/admin")
}

// adminJoin queues a join of a forum of another node (a hub forum) and
// answers at once: the node's join worker resolves it, follows it and
// fetches its recent threads, and the admin page shows how far it got.
func (s *Server) adminJoin(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	_, err := s.cfg.Federation.QueueJoin(r.Context(), st.viewer, r.PostForm.Get("target"))
	if errors.Is(err, federation.ErrJoinTarget) {
		return s.showAdmin(w, r, http.StatusBadRequest, "", st.tr.T("admin.join_failed", "Reason", err.Error()))
	} else if err != nil {
		return err
	}
	return redirect(w, r, "/admin#joins")
}

// adminLeave stops following a remote forum; its posts stay.
func (s *Server) adminLeave(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.Federation.Leave(r.Context(), stateOf(r).viewer, r.PostForm.Get("forum")); err != nil {
		return err
	}
	return redirect(w, r, "/admin")
}
