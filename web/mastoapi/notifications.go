package mastoapi

import (
	"context"
	"net/http"
	"slices"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/notify"
)

// mastodonType maps agora's notification kinds onto Mastodon's types, the
// nearest where Mastodon has no such kind. Kinds missing here (reports,
// follow requests of a forum) need entities apps cannot show from agora's
// data, and are left to the web page.
var mastodonType = map[notify.Kind]string{
	notify.KindMention:        "mention",
	notify.KindReply:          "mention", // Mastodon tells replies as mentions
	notify.KindAnswer:         "status",  // a followed thread posted
	notify.KindQuestion:       "status",  // a followed forum posted
	notify.KindHelpful:        "favourite",
	notify.KindGoodPractice:   "favourite", // a moderator's mark on my answer: the nearest is a favourite
	notify.KindInvitationUsed: "admin.sign_up",
	notify.KindFollow:         "follow",
}

type notificationJSON struct {
	ID        string      `json:"id"`
	Type      string      `json:"type"`
	CreatedAt string      `json:"created_at"`
	Account   accountJSON `json:"account"`
	Status    *statusJSON `json:"status,omitempty"`
}

// notificationsOf renders notifications; those Mastodon cannot show (kind
// unmapped, post gone) are left out.
func (a *API) notificationsOf(ctx context.Context, viewer *forum.Member, ns []*notify.Notification) ([]notificationJSON, error) {
	var actorIDs []forum.ID
	var posts []*forum.Post
	for _, n := range ns {
		actorIDs = append(actorIDs, n.ActorID)
		if n.PostID != "" {
			p, err := a.cfg.Forum.Post(ctx, n.PostID)
			if err != nil && !forumGone(err) {
				return nil, err
			}
			if p != nil {
				posts = append(posts, p)
			}
		}
	}
	actors, err := a.cfg.Forum.Members(ctx, actorIDs)
	if err != nil {
		return nil, err
	}
	kept, set, err := a.load(ctx, viewer, posts)
	if err != nil {
		return nil, err
	}
	byPost := map[forum.ID]statusJSON{}
	for _, p := range kept {
		byPost[p.ID] = a.status(set, p)
	}
	out := []notificationJSON{}
	for _, n := range ns {
		typ, ok := mastodonType[n.Kind]
		actor := actors[n.ActorID]
		if !ok || actor == nil {
			continue
		}
		j := notificationJSON{ID: n.ID, Type: typ, CreatedAt: stamp(n.CreatedAt), Account: a.memberAccount(actor)}
		if typ != "admin.sign_up" && typ != "follow" { // about an account, not a post
			s, ok := byPost[n.PostID]
			if !ok {
				continue
			}
			j.Status = &s
		}
		out = append(out, j)
	}
	return out, nil
}

// notifications is GET /api/v1/notifications. It pages by max_id (older);
// since_id and min_id filter the newest page.
func (a *API) notifications(w http.ResponseWriter, r *http.Request, c *call) error {
	rg, err := rangeOf(c.params)
	if err != nil {
		return err
	}
	limit := c.params.limit(15, 30)
	types, exclude := c.params.all("types"), c.params.all("exclude_types")
	var picked []*notify.Notification
	before := rg.MaxID
	// Read more than asked when types filter: bounded, a few batches.
	for round := 0; round < 5 && len(picked) < limit; round++ {
		ns, err := a.cfg.Notify.Store.ListNotifications(r.Context(), c.member.ID, before, limit*2)
		if err != nil {
			return err
		}
		for _, n := range ns {
			typ := mastodonType[n.Kind]
			if (rg.SinceID != "" && n.ID <= rg.SinceID) || (rg.MinID != "" && n.ID <= rg.MinID) {
				continue
			}
			if typ == "" || (len(types) > 0 && !slices.Contains(types, typ)) || slices.Contains(exclude, typ) {
				continue
			}
			picked = append(picked, n)
		}
		if len(ns) < limit*2 {
			break
		}
		before = ns[len(ns)-1].ID
	}
	if len(picked) > limit {
		picked = picked[:limit]
	}
	out, err := a.notificationsOf(r.Context(), c.member, picked)
	if err != nil {
		return err
	}
	if len(picked) > 0 {
		setLink(w, r, picked[len(picked)-1].ID, picked[0].ID)
	}
	return ok(w, out)
}

// notification is GET /api/v1/notifications/{id}.
func (a *API) notification(w http.ResponseWriter, r *http.Request, c *call) error {
	id := r.PathValue("id")
	if !forum.ValidID(id) {
		return errNotFound
	}
	// The id is a ULID: the page just older than id+1 starts with it.
	ns, err := a.cfg.Notify.Store.ListNotifications(r.Context(), c.member.ID, nextID(id), 1)
	if err != nil {
		return err
	}
	if len(ns) == 0 || ns[0].ID != id {
		return errNotFound
	}
	out, err := a.notificationsOf(r.Context(), c.member, ns)
	if err != nil {
		return err
	}
	if len(out) == 0 {
		return errNotFound
	}
	return ok(w, out[0])
}

// nextID is the smallest string greater than id among ids of its length.
func nextID(id string) string { return id + "0" }

// dismiss is POST /api/v1/notifications/{id}/dismiss; clear is POST
// /api/v1/notifications/clear. agora keeps notifications (the web page
// lists them): both mark them read.
func (a *API) dismiss(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := a.cfg.Notify.MarkRead(r.Context(), c.member.ID, []forum.ID{r.PathValue("id")}); err != nil {
		return err
	}
	return ok(w, map[string]any{})
}

func (a *API) clearNotifications(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := a.cfg.Notify.MarkRead(r.Context(), c.member.ID, nil); err != nil {
		return err
	}
	return ok(w, map[string]any{})
}

// markerTimelines are the timelines Mastodon keeps markers for.
var markerTimelines = []string{"home", "notifications"}

// markers is GET /api/v1/markers.
func (a *API) markers(w http.ResponseWriter, r *http.Request, c *call) error {
	want := c.params.all("timeline")
	var names []string
	for _, t := range want {
		if slices.Contains(markerTimelines, t) {
			names = append(names, t)
		}
	}
	ms, err := a.cfg.Personal.Markers(r.Context(), c.member.ID, names)
	if err != nil {
		return err
	}
	out := map[string]any{}
	for _, m := range ms {
		out[m.Timeline] = map[string]any{"last_read_id": m.LastReadID, "version": m.Version, "updated_at": stamp(m.UpdatedAt)}
	}
	return ok(w, out)
}

// saveMarkers is POST /api/v1/markers (home[last_read_id]=…,
// notifications[last_read_id]=…). Moving the notifications marker marks
// what it passed read, as the web page's list shows it.
func (a *API) saveMarkers(w http.ResponseWriter, r *http.Request, c *call) error {
	out := map[string]any{}
	for _, t := range markerTimelines {
		id := c.params.get(t + "[last_read_id]")
		if id == "" {
			continue
		}
		if !forum.ValidID(id) {
			return invalid("api.error.marker_id")
		}
		m, err := a.cfg.Personal.SetMarker(r.Context(), c.member.ID, t, id, a.cfg.Now())
		if err != nil {
			return err
		}
		out[t] = map[string]any{"last_read_id": m.LastReadID, "version": m.Version, "updated_at": stamp(m.UpdatedAt)}
	}
	return ok(w, out)
}
