package mastoapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/personal"
)

// The home timeline merges two lists, both paged by id: the forum posts a
// member follows (personal.Store.HomePosts) and the statuses of the remote
// people they follow that belong to no forum (HomeStatuses). Ids of both
// come from the node's one ULID generator, so they sort together.

// homePage is one page of a member's home timeline, newest first.
func (a *API) homePage(ctx context.Context, me *forum.Member, rg personal.Range, limit int) ([]statusJSON, error) {
	posts, err := a.cfg.Personal.HomePosts(ctx, me.ID, rg, limit)
	if err != nil {
		return nil, err
	}
	out, err := a.statuses(ctx, me, posts)
	if err != nil {
		return nil, err
	}
	sts, err := a.cfg.Personal.HomeStatuses(ctx, me.ID, rg, limit)
	if err != nil {
		return nil, fmt.Errorf("home statuses: %w", err)
	}
	people, err := a.personStatuses(ctx, sts)
	if err != nil {
		return nil, err
	}
	out = append(out, people...)
	slices.SortFunc(out, func(x, y statusJSON) int { return strings.Compare(y.ID, x.ID) })
	if len(out) > limit {
		if rg.MinID != "" {
			out = out[len(out)-limit:] // the page right after MinID
		} else {
			out = out[:limit]
		}
	}
	return out, nil
}

// home is GET /api/v1/timelines/home.
func (a *API) home(w http.ResponseWriter, r *http.Request, c *call) error {
	rg, err := rangeOf(c.params)
	if err != nil {
		return err
	}
	out, err := a.homePage(r.Context(), c.member, rg, c.params.limit(defaultPage, maxPage))
	if err != nil {
		return err
	}
	if len(out) > 0 {
		setLink(w, r, out[len(out)-1].ID, out[0].ID)
	}
	return ok(w, out)
}

// personStatuses renders statuses of remote people, with their authors
// as remote accounts. They are kept only when public or unlisted.
func (a *API) personStatuses(ctx context.Context, sts []*personal.Status) ([]statusJSON, error) {
	if len(sts) == 0 {
		return nil, nil
	}
	ids := make([]forum.ID, len(sts))
	for i, st := range sts {
		ids[i] = st.AuthorID
	}
	authors, err := a.cfg.Forum.Members(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("status authors: %w", err)
	}
	out := make([]statusJSON, 0, len(sts))
	for _, st := range sts {
		author := authors[st.AuthorID]
		if author == nil {
			continue // gone with its author
		}
		url := st.URL
		if url == "" {
			url = st.URI
		}
		s := statusJSON{ID: st.ID, URI: st.URI, URL: url, CreatedAt: stamp(st.Published), Account: a.memberAccount(author),
			Content: st.HTML, Visibility: st.Visibility, Sensitive: st.Sensitive || st.Summary != "", SpoilerText: st.Summary,
			MediaAttachments: []attachmentJSON{}, Mentions: []mentionJSON{}, Tags: []any{}, Emojis: []any{}, Language: st.Language,
			Filtered: []any{}}
		if !st.Edited.IsZero() {
			e := stamp(st.Edited)
			s.EditedAt = &e
		}
		out = append(out, s)
	}
	return out, nil
}

// personStatus is a followed person's status kept here, for a member who
// follows its author (the only people it is shown to); errNotFound for
// anyone else, and when there is none.
func (a *API) personStatus(ctx context.Context, viewer *forum.Member, id string) (statusJSON, error) {
	if viewer == nil || !forum.ValidID(id) {
		return statusJSON{}, errNotFound
	}
	st, err := a.cfg.Personal.Status(ctx, id)
	if errors.Is(err, forum.ErrNotFound) {
		return statusJSON{}, errNotFound
	} else if err != nil {
		return statusJSON{}, err
	}
	follows, err := a.cfg.Personal.PersonFollows(ctx, viewer.ID, []forum.ID{st.AuthorID})
	if err != nil {
		return statusJSON{}, err
	}
	if f := follows[st.AuthorID]; f == nil || f.State != personal.FollowAccepted {
		return statusJSON{}, errNotFound
	}
	list, err := a.personStatuses(ctx, []*personal.Status{st})
	if err != nil || len(list) == 0 {
		return statusJSON{}, errors.Join(errNotFound, err)
	}
	return list[0], nil
}

// notAPost reports whether a status id names no forum post here.
func notAPost(err error) bool {
	return errors.Is(err, errNotFound) || errors.Is(err, forum.ErrNotFound)
}
