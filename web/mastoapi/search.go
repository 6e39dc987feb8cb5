package mastoapi

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/uris"
)

var handlePattern = regexp.MustCompile(`^@?[a-z0-9_][a-z0-9_.-]*(@[a-z0-9.-]+(:[0-9]+)?)?$`)

type tagJSON struct {
	Name    string `json:"name"`
	URL     string `json:"url"`
	History []any  `json:"history"`
}

// search is GET /api/v2/search: accounts by handle or URL (remote ones
// resolved when resolve=true and signed in), statuses by URL or by text,
// hashtags.
func (a *API) search(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	q := strings.TrimSpace(c.params.get("q"))
	typ := c.params.get("type")
	limit := c.params.limit(defaultPage, maxPage)
	accounts, statuses, tags := []accountJSON{}, []statusJSON{}, []tagJSON{}
	if q == "" || c.params.get("offset") != "" && c.params.get("offset") != "0" {
		return ok(w, map[string]any{"accounts": accounts, "statuses": statuses, "hashtags": tags})
	}
	want := func(t string) bool { return typ == "" || typ == t }
	resolve := c.params.bool("resolve") && c.member != nil
	seen := map[string]bool{}
	addAccount := func(t *target) error {
		j, err := a.targetAccount(r, c, t)
		if err != nil {
			return err
		}
		if !seen[j.ID] && len(accounts) < limit {
			seen[j.ID] = true
			accounts = append(accounts, j)
		}
		return nil
	}
	var posts []*forum.Post
	isURL := strings.HasPrefix(q, "https://") || strings.HasPrefix(q, "http://")
	switch {
	case isURL && a.cfg.URLs.IsLocal(q):
		kind, key := a.cfg.URLs.Parse(strings.SplitN(q, "#", 2)[0])
		var t *target
		var err error
		switch kind {
		case uris.KindMember, uris.KindForum:
			t, err = a.byHandle(ctx, key, false)
		case uris.KindThreadActor:
			t, err = a.target(ctx, key)
		case uris.KindThread, uris.KindPost:
			if p, _, perr := a.post(ctx, key); perr == nil {
				posts = append(posts, p)
			}
		}
		if err == nil && t != nil && want("accounts") {
			if err := addAccount(t); err != nil {
				return err
			}
		}
	case isURL:
		if resolve && a.cfg.Resolve != nil && want("accounts") {
			if m, err := a.cfg.Resolve.ResolveMember(ctx, q); err == nil {
				accounts = append(accounts, a.memberAccount(m))
			}
		}
		if p, err := a.cfg.Forum.PostByURI(ctx, q); err == nil {
			posts = append(posts, p)
		}
	default:
		// A handle: a local account, or a remote one fetched only when a
		// signed-in search asks to resolve it.
		if want("accounts") && handlePattern.MatchString(strings.ToLower(q)) {
			if t, err := a.byHandle(ctx, q, resolve); err == nil {
				if err := addAccount(t); err != nil {
					return err
				}
			}
		}
		if a.cfg.Search != nil {
			res, err := a.cfg.Search.Search(ctx, search.Request{Text: q, Limit: limit, ReaderLanguage: a.memberLanguage(c.member)})
			if err != nil {
				return err
			}
			for _, m := range res.Members {
				if want("accounts") && !seen[m.ID] && len(accounts) < limit {
					seen[m.ID] = true
					accounts = append(accounts, a.memberAccount(m))
				}
			}
			for _, f := range res.Forums {
				if want("accounts") && !seen[f.ID] && len(accounts) < limit {
					seen[f.ID] = true
					accounts = append(accounts, a.forumAccount(f, viewerLangs(c.member)...))
				}
			}
			for _, tc := range res.Tags {
				if want("hashtags") {
					tags = append(tags, tagJSON{Name: tc.Tag, URL: a.cfg.URLs.Tag(tc.Tag), History: []any{}})
				}
			}
			if want("statuses") {
				for _, hit := range res.Posts {
					p, err := a.cfg.Forum.Post(ctx, hit.PostID)
					if err == nil {
						posts = append(posts, p)
					} else if !forumGone(err) {
						return err
					}
				}
			}
		}
	}
	if want("statuses") && len(posts) > 0 {
		var err error
		if statuses, err = a.statuses(ctx, c.member, posts); err != nil {
			return err
		}
	}
	return ok(w, map[string]any{"accounts": accounts, "statuses": statuses, "hashtags": tags})
}

// accountSearch is GET /api/v1/accounts/search: a handle first (remote
// ones resolved when resolve=true and signed in), then members and forums
// whose names match.
func (a *API) accountSearch(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	q := strings.TrimSpace(c.params.get("q"))
	limit := c.params.limit(defaultPage, maxPage)
	out := []accountJSON{}
	seen := map[string]bool{}
	add := func(j accountJSON) {
		if !seen[j.ID] && len(out) < limit {
			seen[j.ID] = true
			out = append(out, j)
		}
	}
	if q == "" {
		return ok(w, out)
	}
	remote := strings.Contains(strings.TrimPrefix(q, "@"), "@")
	if handlePattern.MatchString(strings.ToLower(q)) && (!remote || (c.params.bool("resolve") && c.member != nil)) {
		if t, err := a.byHandle(ctx, q, c.params.bool("resolve") && c.member != nil); err == nil {
			j, err := a.targetAccount(r, c, t)
			if err != nil {
				return err
			}
			add(j)
		}
	}
	if a.cfg.Search != nil {
		res, err := a.cfg.Search.Search(ctx, search.Request{Text: q, Limit: limit, ReaderLanguage: a.memberLanguage(c.member)})
		if err != nil {
			return err
		}
		for _, m := range res.Members {
			add(a.memberAccount(m))
		}
		for _, f := range res.Forums {
			add(a.forumAccount(f, viewerLangs(c.member)...))
		}
	}
	return ok(w, out)
}
