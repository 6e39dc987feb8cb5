package mastoapi

import (
	"context"
	"net/http"
	"net/url"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/personal"
)

// Timeline page sizes, as Mastodon's.
const (
	defaultPage = 20
	maxPage     = 40
)

// rangeOf reads Mastodon's pagination parameters; ids that are not ours
// are refused rather than compared as strings.
func rangeOf(p params) (personal.Range, error) {
	r := personal.Range{MaxID: p.get("max_id"), SinceID: p.get("since_id"), MinID: p.get("min_id")}
	for _, id := range []string{r.MaxID, r.SinceID, r.MinID} {
		if id != "" && !forum.ValidID(id) {
			return r, badRequest("api.error.bad_page")
		}
	}
	return r, nil
}

// setLink writes Mastodon's Link header: next = older than the oldest
// shown, prev = newer than the newest shown.
func setLink(w http.ResponseWriter, r *http.Request, oldest, newest string) {
	page := func(key, id string) string {
		q := url.Values{}
		for k, v := range r.URL.Query() {
			if k != "max_id" && k != "since_id" && k != "min_id" {
				q[k] = v
			}
		}
		q.Set(key, id)
		u := *r.URL
		u.RawQuery = q.Encode()
		scheme := "http"
		if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
			scheme = "https"
		}
		return scheme + "://" + r.Host + u.RequestURI()
	}
	w.Header().Set("Link", `<`+page("max_id", oldest)+`>; rel="next", <`+page("min_id", newest)+`>; rel="prev"`)
}

// timeline answers one page of posts with its Link header.
func (a *API) timeline(w http.ResponseWriter, r *http.Request, c *call, list func(ctx context.Context, rg personal.Range, limit int) ([]*forum.Post, error)) error {
	rg, err := rangeOf(c.params)
	if err != nil {
		return err
	}
	posts, err := list(r.Context(), rg, c.params.limit(defaultPage, maxPage))
	if err != nil {
		return err
	}
	out, err := a.statuses(r.Context(), c.member, posts)
	if err != nil {
		return err
	}
	if len(posts) > 0 {
		setLink(w, r, posts[len(posts)-1].ID, posts[0].ID)
	}
	return ok(w, out)
}

// publicTimeline is GET /api/v1/timelines/public (local=true: this node's).
func (a *API) publicTimeline(w http.ResponseWriter, r *http.Request, c *call) error {
	local := c.params.bool("local") && !c.params.bool("remote")
	if c.params.bool("only_media") {
		return ok(w, []any{})
	}
	return a.timeline(w, r, c, func(ctx context.Context, rg personal.Range, limit int) ([]*forum.Post, error) {
		return a.cfg.Personal.PublicPosts(ctx, local, rg, limit)
	})
}

// tagTimeline is GET /api/v1/timelines/tag/{tag}: the questions of the
// threads that carry the tag, newest activity first (one page).
func (a *API) tagTimeline(w http.ResponseWriter, r *http.Request, c *call) error {
	if c.params.get("max_id") != "" || c.params.get("since_id") != "" || c.params.get("min_id") != "" {
		return ok(w, []any{})
	}
	tagged, err := a.cfg.Forum.TaggedThreads(r.Context(), r.PathValue("tag"), "")
	if forumGone(err) {
		return ok(w, []any{})
	} else if err != nil {
		return err
	}
	var posts []*forum.Post
	for _, t := range tagged.Threads {
		if len(posts) >= c.params.limit(defaultPage, maxPage) {
			break
		}
		p, err := a.cfg.Forum.Post(r.Context(), t.RootPostID)
		if err != nil {
			return err
		}
		posts = append(posts, p)
	}
	out, err := a.statuses(r.Context(), c.member, posts)
	if err != nil {
		return err
	}
	return ok(w, out)
}

// bookmarks is GET /api/v1/bookmarks.
func (a *API) bookmarks(w http.ResponseWriter, r *http.Request, c *call) error {
	return a.timeline(w, r, c, func(ctx context.Context, rg personal.Range, limit int) ([]*forum.Post, error) {
		return a.cfg.Personal.BookmarkedPosts(ctx, c.member.ID, rg, limit)
	})
}
