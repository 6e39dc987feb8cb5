package mastoapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/metropolis/agora/federation/people"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/notify"
	"github.com/metropolis/agora/personal"
	"github.com/metropolis/agora/uris"
)

// accountKind says what an account id stands for.
type accountKind int

const (
	kindMember accountKind = iota
	kindForum
	kindThread
)

// target is what an account id names: a member, a forum or a thread's
// actor. Their ids never collide: all are ULIDs from one generator.
type target struct {
	kind   accountKind
	member *forum.Member
	forum  *forum.Forum
	thread *forum.Thread
}

func (a *API) target(ctx context.Context, id string) (*target, error) {
	if !forum.ValidID(id) {
		return nil, errNotFound
	}
	ms, err := a.cfg.Forum.Members(ctx, []forum.ID{id})
	if err != nil {
		return nil, err
	}
	if m := ms[id]; m != nil {
		return &target{kind: kindMember, member: m}, nil
	}
	if f, err := a.cfg.Forum.ForumByID(ctx, id); err == nil {
		return &target{kind: kindForum, forum: f}, nil
	} else if !errors.Is(err, forum.ErrNotFound) {
		return nil, err
	}
	t, err := a.cfg.Forum.Thread(ctx, id)
	if err != nil {
		if forumGone(err) {
			return nil, errNotFound
		}
		return nil, err
	}
	return &target{kind: kindThread, thread: t}, nil
}

func (a *API) targetAccount(r *http.Request, c *call, t *target) (accountJSON, error) {
	switch t.kind {
	case kindForum:
		return a.forumAccount(t.forum, viewerLangs(c.member)...), nil
	case kindThread:
		return a.threadAccount(t.thread), nil
	}
	return a.accountWithCounts(r, t.member)
}

func viewerLangs(m *forum.Member) []string {
	if m == nil {
		return nil
	}
	return append([]string{m.UILanguage}, m.Languages...)
}

func (a *API) accountWithCounts(r *http.Request, m *forum.Member) (accountJSON, error) {
	j := a.memberAccount(m)
	following, followers, err := a.cfg.Personal.CountFollows(r.Context(), m.ID)
	if err != nil {
		return j, err
	}
	j.FollowingCount, j.FollowersCount = following, followers
	return j, nil
}

// account is GET /api/v1/accounts/{id}.
func (a *API) account(w http.ResponseWriter, r *http.Request, c *call) error {
	t, err := a.target(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	j, err := a.targetAccount(r, c, t)
	if err != nil {
		return err
	}
	return ok(w, j)
}

// lookup is GET /api/v1/accounts/lookup?acct=: a local member or forum by
// name, a thread actor by its handle, or a remote member the node knows.
func (a *API) lookup(w http.ResponseWriter, r *http.Request, c *call) error {
	t, err := a.byHandle(r.Context(), c.params.get("acct"), false)
	if err != nil {
		return err
	}
	j, err := a.targetAccount(r, c, t)
	if err != nil {
		return err
	}
	return ok(w, j)
}

// byHandle finds an account the node knows by handle (name or
// name@host, with or without a leading @).
// A remote person the node does not know is fetched only when resolve is
// set (a signed-in search that asks for it): anonymous lookups never make
// the node fetch.
func (a *API) byHandle(ctx context.Context, acct string, resolve bool) (*target, error) {
	acct = strings.TrimPrefix(strings.TrimSpace(acct), "@")
	name, host, _ := strings.Cut(acct, "@")
	if host == a.cfg.URLs.Host() {
		host = ""
	}
	if name == "" {
		return nil, errNotFound
	}
	if host == "" {
		if id, ok := strings.CutPrefix(name, uris.ThreadHandlePrefix); ok {
			return a.target(ctx, id)
		}
		if m, err := a.cfg.Forum.MemberByUsername(ctx, name); err == nil {
			return &target{kind: kindMember, member: m}, nil
		} else if !errors.Is(err, forum.ErrNotFound) {
			return nil, err
		}
		if f, err := a.cfg.Forum.ForumBySlug(ctx, name); err == nil {
			return &target{kind: kindForum, forum: f}, nil
		} else if !errors.Is(err, forum.ErrNotFound) {
			return nil, err
		}
		return nil, errNotFound
	}
	// A hub's forum this node joined is kept under "name@host".
	if f, err := a.cfg.Forum.ForumBySlug(ctx, name+"@"+host); err == nil {
		return &target{kind: kindForum, forum: f}, nil
	} else if !errors.Is(err, forum.ErrNotFound) {
		return nil, err
	}
	if resolve && a.cfg.Resolve != nil {
		m, err := a.cfg.Resolve.ResolveMember(ctx, name+"@"+host)
		if err == nil {
			return &target{kind: kindMember, member: m}, nil
		}
	}
	return nil, errNotFound
}

// accountStatuses is GET /api/v1/accounts/{id}/statuses: a member's posts
// newest first, a forum's questions, a thread's posts.
func (a *API) accountStatuses(w http.ResponseWriter, r *http.Request, c *call) error {
	t, err := a.target(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var posts []*forum.Post
	switch t.kind {
	case kindMember:
		if c.params.get("since_id") != "" || c.params.get("min_id") != "" || c.params.bool("pinned") {
			return ok(w, []any{}) // nothing newer to page forward to, nothing pinned
		}
		page, err := a.cfg.Forum.MemberPosts(r.Context(), t.member.ID, c.params.get("max_id"))
		if err != nil {
			return err
		}
		posts = page.Items
	case kindForum:
		if c.params.get("max_id") != "" || c.params.get("since_id") != "" || c.params.get("min_id") != "" {
			return ok(w, []any{})
		}
		list, err := a.cfg.Forum.ListThreads(r.Context(), t.forum.ID, "")
		if err != nil {
			return err
		}
		for _, th := range list.Threads.Items {
			p, err := a.cfg.Forum.Post(r.Context(), th.RootPostID)
			if err != nil {
				return err
			}
			posts = append(posts, p)
		}
	case kindThread:
		if c.params.get("max_id") != "" || c.params.get("since_id") != "" || c.params.get("min_id") != "" {
			return ok(w, []any{})
		}
		v, err := a.cfg.Forum.ReadThread(r.Context(), c.member, t.thread.ID, "")
		if err != nil {
			return err
		}
		posts = v.Posts.Items
	}
	list, err := a.statuses(r.Context(), c.member, posts)
	if err != nil {
		return err
	}
	if len(list) > 0 && t.kind == kindMember {
		setLink(w, r, list[len(list)-1].ID, list[0].ID)
	}
	return ok(w, list)
}

// relationshipJSON is Mastodon's Relationship entity.
type relationshipJSON struct {
	ID                  string   `json:"id"`
	Following           bool     `json:"following"`
	ShowingReblogs      bool     `json:"showing_reblogs"`
	Notifying           bool     `json:"notifying"`
	Languages           []string `json:"languages"`
	FollowedBy          bool     `json:"followed_by"`
	Blocking            bool     `json:"blocking"`
	BlockedBy           bool     `json:"blocked_by"`
	Muting              bool     `json:"muting"`
	MutingNotifications bool     `json:"muting_notifications"`
	Requested           bool     `json:"requested"`
	RequestedBy         bool     `json:"requested_by"`
	DomainBlocking      bool     `json:"domain_blocking"`
	Endorsed            bool     `json:"endorsed"`
	Note                string   `json:"note"`
}

func (a *API) relationship(ctx context.Context, me *forum.Member, t *target) (relationshipJSON, error) {
	rel := relationshipJSON{Languages: []string{}}
	var err error
	switch t.kind {
	case kindMember:
		rel.ID = t.member.ID
		var f map[forum.ID]bool
		if f, err = a.cfg.Personal.Followed(ctx, me.ID, []forum.ID{t.member.ID}); err == nil {
			rel.Following = f[t.member.ID]
		}
		if err == nil && !t.member.Local() && a.cfg.Follows != nil {
			// Following a remote person is requested until they accept.
			var pf map[forum.ID]*personal.PersonFollow
			if pf, err = a.cfg.Personal.PersonFollows(ctx, me.ID, []forum.ID{t.member.ID}); err == nil && pf[t.member.ID] != nil {
				rel.Requested = pf[t.member.ID].State == personal.FollowRequested
				rel.Following = pf[t.member.ID].State == personal.FollowAccepted
			}
		}
		if err == nil {
			var back map[forum.ID]bool
			if back, err = a.cfg.Personal.Followed(ctx, t.member.ID, []forum.ID{me.ID}); err == nil {
				rel.FollowedBy = back[me.ID]
			}
		}
	case kindForum:
		rel.ID = t.forum.ID
		rel.Following, err = a.cfg.Notify.Watching(ctx, me.ID, notify.TargetForum, t.forum.ID)
	case kindThread:
		rel.ID = t.thread.ID
		rel.Following, err = a.cfg.Notify.Watching(ctx, me.ID, notify.TargetThread, t.thread.ID)
	}
	rel.ShowingReblogs, rel.Notifying = rel.Following, rel.Following && t.kind != kindMember
	return rel, err
}

// relationships is GET /api/v1/accounts/relationships?id[]=….
func (a *API) relationships(w http.ResponseWriter, r *http.Request, c *call) error {
	ids := c.params.all("id")
	if len(ids) > 40 {
		ids = ids[:40]
	}
	out := []relationshipJSON{}
	for _, id := range ids {
		t, err := a.target(r.Context(), id)
		if errors.Is(err, errNotFound) {
			continue
		} else if err != nil {
			return err
		}
		rel, err := a.relationship(r.Context(), c.member, t)
		if err != nil {
			return err
		}
		out = append(out, rel)
	}
	return ok(w, out)
}

// follow is POST /api/v1/accounts/{id}/follow and …/unfollow: watching a
// forum or a thread (what the web pages' watch buttons do), or following
// a member.
func (a *API) follow(on bool) handler {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		t, err := a.target(r.Context(), r.PathValue("id"))
		if err != nil {
			return err
		}
		ctx := r.Context()
		switch t.kind {
		case kindForum:
			err = a.cfg.Notify.SetWatch(ctx, c.member.ID, notify.TargetForum, t.forum.ID, on)
		case kindThread:
			err = a.cfg.Notify.SetWatch(ctx, c.member.ID, notify.TargetThread, t.thread.ID, on)
		case kindMember:
			switch {
			case t.member.ID == c.member.ID:
				return invalid("api.error.follow_self")
			case !t.member.Local() && a.cfg.Follows != nil:
				err = a.followPerson(ctx, c.member, t.member, on)
			case on:
				err = a.followMember(ctx, c.member, t.member)
			default:
				err = a.cfg.Personal.Unfollow(ctx, c.member.ID, t.member.ID)
			}
		}
		if err != nil {
			return err
		}
		rel, err := a.relationship(ctx, c.member, t)
		if err != nil {
			return err
		}
		return ok(w, rel)
	}
}

// followMember records a follow of a member and, when it is new, tells
// them (a follow notification); following again tells nobody twice.
func (a *API) followMember(ctx context.Context, me, them *forum.Member) error {
	already, err := a.cfg.Personal.Followed(ctx, me.ID, []forum.ID{them.ID})
	if err != nil {
		return err
	}
	if already[them.ID] {
		return nil
	}
	if err := a.cfg.Personal.Follow(ctx, me.ID, them.ID, a.cfg.Now()); err != nil {
		return err
	}
	if err := a.cfg.Forum.NoteFollowed(ctx, me.ID, them.ID); err != nil {
		return fmt.Errorf("note follow: %w", err)
	}
	return nil
}

// followPerson follows a remote person over ActivityPub (a Follow in the
// member's name, requested until accepted), or stops (Undo). A plain
// follow recorded before follows federated goes too.
func (a *API) followPerson(ctx context.Context, me, them *forum.Member, on bool) error {
	if on {
		if _, err := a.cfg.Follows.FollowPerson(ctx, me, them); errors.Is(err, people.ErrUnreachable) {
			// Their server, not the app's request, failed: said so in the
			// member's language, the cause in the log.
			a.cfg.Logger.Warn("mastodon api: follow", "person", them.URI, "err", err)
			host := them.URI
			if u, perr := url.Parse(them.URI); perr == nil && u.Host != "" {
				host = u.Host
			}
			return &apiError{status: http.StatusBadGateway, id: "api.error.person_unreachable", args: []any{"Host", host}}
		} else if err != nil {
			return fmt.Errorf("follow %s: %w", them.URI, err)
		}
	} else {
		if err := a.cfg.Follows.UnfollowPerson(ctx, me, them); err != nil {
			return fmt.Errorf("unfollow %s: %w", them.URI, err)
		}
		if err := a.cfg.Personal.Unfollow(ctx, me.ID, them.ID); err != nil {
			return err
		}
	}
	if a.cfg.Wrote != nil {
		a.cfg.Wrote()
	}
	return nil
}
