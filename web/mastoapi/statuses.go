package mastoapi

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/metropolis/agora/forum"
)

// post loads a post that still stands, in a thread that still stands.
func (a *API) post(ctx context.Context, id string) (*forum.Post, *forum.Thread, error) {
	p, t, err := a.cfg.Forum.PostInThread(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if p.Deleted() {
		return nil, nil, errNotFound
	}
	return p, t, nil
}

// getStatus is GET /api/v1/statuses/{id}.
func (a *API) getStatus(w http.ResponseWriter, r *http.Request, c *call) error {
	p, _, err := a.post(r.Context(), r.PathValue("id"))
	if notAPost(err) {
		// A followed person's status, shown to their followers.
		s, err := a.personStatus(r.Context(), c.member, r.PathValue("id"))
		if err != nil {
			return err
		}
		return ok(w, s)
	} else if err != nil {
		return err
	}
	s, err := a.oneStatus(r.Context(), c.member, p)
	if err != nil {
		return err
	}
	return ok(w, s)
}

// maxContextPosts bounds how much of a thread one context call reads.
const maxContextPosts = 20 * forum.PostPageSize

// threadPosts reads a thread's posts in reading order, up to the bound.
func (a *API) threadPosts(ctx context.Context, viewer *forum.Member, threadID forum.ID) ([]*forum.Post, error) {
	var out []*forum.Post
	cursor := ""
	for len(out) < maxContextPosts {
		v, err := a.cfg.Forum.ReadThread(ctx, viewer, threadID, cursor)
		if err != nil {
			return nil, err
		}
		out = append(out, v.Posts.Items...)
		if cursor = v.Posts.Next; cursor == "" {
			break
		}
	}
	return out, nil
}

// statusContext is GET /api/v1/statuses/{id}/context: the question and
// the answers above a post, and the answers below it (received ones
// included: they are posts of the thread like any other).
func (a *API) statusContext(w http.ResponseWriter, r *http.Request, c *call) error {
	p, t, err := a.post(r.Context(), r.PathValue("id"))
	if notAPost(err) {
		// A followed person's status: kept alone, without its conversation.
		if _, err := a.personStatus(r.Context(), c.member, r.PathValue("id")); err != nil {
			return err
		}
		return ok(w, map[string]any{"ancestors": []statusJSON{}, "descendants": []statusJSON{}})
	} else if err != nil {
		return err
	}
	all, err := a.threadPosts(r.Context(), c.member, t.ID)
	if err != nil {
		return err
	}
	byID := map[forum.ID]*forum.Post{}
	children := map[forum.ID][]*forum.Post{}
	for _, q := range all {
		byID[q.ID] = q
		if q.ParentID != "" {
			children[q.ParentID] = append(children[q.ParentID], q)
		}
	}
	var ancestors []*forum.Post
	for id, seen := p.ParentID, 0; id != "" && seen < len(all); seen++ {
		q := byID[id]
		if q == nil {
			break
		}
		ancestors = append([]*forum.Post{q}, ancestors...)
		id = q.ParentID
	}
	var descendants []*forum.Post
	queue := []forum.ID{p.ID}
	for len(queue) > 0 && len(descendants) < len(all) {
		id := queue[0]
		queue = queue[1:]
		for _, q := range children[id] {
			descendants = append(descendants, q)
			queue = append(queue, q.ID)
		}
	}
	if p.IsQuestion() {
		// Reading order: the question's descendants are the thread.
		descendants = descendants[:0]
		for _, q := range all {
			if q.ID != p.ID {
				descendants = append(descendants, q)
			}
		}
	}
	anc, err := a.statuses(r.Context(), c.member, ancestors)
	if err != nil {
		return err
	}
	desc, err := a.statuses(r.Context(), c.member, descendants)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"ancestors": anc, "descendants": desc})
}

// errNoMedia refuses images on a node that keeps none (no media store).
var errNoMedia = invalid("api.error.no_media")

// errNoPolls refuses polls: agora's posts have none.
var errNoPolls = invalid("api.error.no_polls")

// errTooLong is Mastodon's refusal of a status over the limit.
var errTooLong = invalid("api.error.too_long", "Limit", limitArg(forum.MaxBodyLen))

// mentionPattern finds @name and @name@host in a status's text.
var mentionPattern = regexp.MustCompile(`(?:^|[^\w@/])[@!]([a-z0-9][a-z0-9_-]*)(?:@([a-z0-9][a-z0-9.-]*[a-z0-9](?::[0-9]+)?))?`)

// createStatus is POST /api/v1/statuses: a reply becomes an answer in its
// thread; a status that mentions a forum asks a new question there, its
// first line the title (as Lemmy takes a question from Mastodon).
func (a *API) createStatus(w http.ResponseWriter, r *http.Request, c *call) error {
	text := c.params.get("status")
	if strings.TrimSpace(text) == "" {
		return invalid("api.error.blank")
	}
	if n := utf8.RuneCountInString(text); n > forum.MaxBodyLen {
		// Before any other check, as Mastodon does: the app shows it.
		return errTooLong
	}
	switch c.params.get("visibility") {
	case "", "public", "unlisted":
	default:
		return invalid("api.error.visibility")
	}
	if len(c.params.all("poll[options]")) > 0 {
		return errNoPolls
	}
	images, uploads, err := a.attach(r, c)
	if err != nil {
		return err
	}
	lang := c.params.get("language")
	if lang == "" {
		lang = a.memberLanguage(c.member)
	}
	ctx := r.Context()
	var p *forum.Post
	if reply := c.params.get("in_reply_to_id"); reply != "" {
		parent, t, err := a.post(ctx, reply)
		if err != nil {
			return err
		}
		if p, err = a.cfg.Forum.Reply(ctx, c.member, t.ID, parent.ID, forum.Answer{Body: text, Language: lang, Images: images}); err != nil {
			return err
		}
	} else {
		f, err := a.mentionedForum(ctx, text)
		if err != nil {
			return err
		}
		title, body := questionOf(text)
		t, err := a.cfg.Forum.Ask(ctx, c.member, f.ID, forum.Question{Title: title, Body: body, Language: lang, Images: images})
		if err != nil {
			return err
		}
		if p, err = a.cfg.Forum.Post(ctx, t.RootPostID); err != nil {
			return err
		}
	}
	// The post holds the images now; a failure here leaves uploads to
	// expire, never a post without its images.
	if len(uploads) > 0 {
		if err := a.cfg.Uploads.DeleteUploads(ctx, c.member.ID, uploads); err != nil {
			a.cfg.Logger.Warn("delete attached uploads", "member", c.member.ID, "err", err)
		}
	}
	s, err := a.oneStatus(ctx, c.member, p)
	if err != nil {
		return err
	}
	return ok(w, s)
}

// mentionedForum is the first forum a status mentions (@slug, or
// @slug@this-host; a joined hub forum as @name@hub).
func (a *API) mentionedForum(ctx context.Context, text string) (*forum.Forum, error) {
	for _, m := range mentionPattern.FindAllStringSubmatch(strings.ToLower(text), 20) {
		slug, host := m[1], m[2]
		if host != "" && host != a.cfg.URLs.Host() {
			slug += "@" + host
		}
		f, err := a.cfg.Forum.ForumBySlug(ctx, slug)
		if err == nil {
			return f, nil
		} else if !forumGone(err) {
			return nil, err
		}
	}
	return nil, invalid("api.error.no_target")
}

// questionOf splits a status into a question: its first line without the
// mentions that open it is the title (shortened to 80 characters), the
// rest the body (the whole text when there is no rest).
func questionOf(text string) (title, body string) {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	first, rest, _ := strings.Cut(text, "\n")
	fields := strings.Fields(first)
	for len(fields) > 0 && len(fields[0]) > 1 && (fields[0][0] == '@' || fields[0][0] == '!') {
		fields = fields[1:]
	}
	title = strings.Join(fields, " ")
	if rs := []rune(title); len(rs) > 80 {
		title = strings.TrimSpace(string(rs[:79])) + "…"
	}
	body = strings.TrimSpace(rest)
	if body == "" {
		body = strings.Join(fields, " ")
	}
	return title, body
}

// editStatus is PUT /api/v1/statuses/{id}.
func (a *API) editStatus(w http.ResponseWriter, r *http.Request, c *call) error {
	p, t, err := a.post(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	text := c.params.get("status")
	if utf8.RuneCountInString(text) > forum.MaxBodyLen {
		return errTooLong
	}
	images, uploads, err := a.editedMedia(r, p, c)
	if err != nil {
		return err
	}
	e := forum.Edit{Body: text, Language: c.params.get("language"), Images: images}
	if e.Language == "" {
		e.Language = p.Language
	}
	if p.IsQuestion() {
		e.Title = t.Title
		if title, body := questionOf(text); strings.Contains(strings.TrimSpace(text), "\n") {
			e.Title, e.Body = title, body
		}
	}
	if p, err = a.cfg.Forum.EditPost(r.Context(), c.member, p.ID, e); err != nil {
		return err
	}
	// As for a new status: the post holds the images now, and an upload
	// left behind by a failure here only waits to expire.
	if len(uploads) > 0 {
		if err := a.cfg.Uploads.DeleteUploads(r.Context(), c.member.ID, uploads); err != nil {
			a.cfg.Logger.Warn("delete attached uploads", "member", c.member.ID, "err", err)
		}
	}
	s, err := a.oneStatus(r.Context(), c.member, p)
	if err != nil {
		return err
	}
	return ok(w, s)
}

// statusSource is GET /api/v1/statuses/{id}/source: the markdown as written.
func (a *API) statusSource(w http.ResponseWriter, r *http.Request, c *call) error {
	p, t, err := a.post(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	text := p.Source
	if p.IsQuestion() {
		text = t.Title + "\n" + p.Source
	}
	return ok(w, map[string]string{"id": p.ID, "text": text, "spoiler_text": ""})
}

// deleteStatus is DELETE /api/v1/statuses/{id}: an answer is deleted, a
// question with its thread (the forum's rules say who may).
func (a *API) deleteStatus(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	p, t, err := a.post(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	s, err := a.oneStatus(ctx, c.member, p)
	if err != nil {
		return err
	}
	if p.IsQuestion() {
		_, err = a.cfg.Forum.DeleteThread(ctx, c.member, t.ID)
	} else {
		_, err = a.cfg.Forum.DeletePost(ctx, c.member, p.ID)
	}
	if err != nil {
		return err
	}
	src := p.Source
	s.Text = &src
	return ok(w, s)
}

// favourite is POST /api/v1/statuses/{id}/favourite and /unfavourite: a
// helpful mark, under the forum's rules (an answer of someone else).
func (a *API) favourite(on bool) handler {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		ctx := r.Context()
		p, err := a.cfg.Forum.SetHelpful(ctx, c.member, r.PathValue("id"), on)
		if err != nil {
			return err
		}
		s, err := a.oneStatus(ctx, c.member, p)
		if err != nil {
			return err
		}
		return ok(w, s)
	}
}

// bookmark is POST /api/v1/statuses/{id}/bookmark and /unbookmark.
func (a *API) bookmark(on bool) handler {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		ctx := r.Context()
		p, _, err := a.post(ctx, r.PathValue("id"))
		if err != nil {
			return err
		}
		if on {
			err = a.cfg.Personal.AddBookmark(ctx, c.member.ID, p.ID, a.cfg.Now())
		} else {
			err = a.cfg.Personal.RemoveBookmark(ctx, c.member.ID, p.ID)
		}
		if err != nil {
			return err
		}
		s, err := a.oneStatus(ctx, c.member, p)
		if err != nil {
			return err
		}
		return ok(w, s)
	}
}
