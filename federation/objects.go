package federation

import (
	"context"
	"errors"
	"fmt"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply/content"
	"github.com/metropolis/agora/federation/publish"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// threadURI is a thread's (its question's) ActivityPub id.
func (f *Federation) threadURI(t *forum.Thread) string {
	if t.URI != "" {
		return t.URI
	}
	return f.urls.Thread(t.ID)
}

// contextURI is a thread's context collection (FEP-7888).
func (f *Federation) contextURI(t *forum.Thread) string {
	if t.URI != "" {
		if t.ContextURI != "" {
			return t.ContextURI
		}
		return t.URI
	}
	return f.urls.Context(t.ID)
}

// postURI is a post's ActivityPub id; a question's is its thread's.
func (f *Federation) postURI(p *forum.Post, t *forum.Thread) string {
	switch {
	case p.URI != "":
		return p.URI
	case p.IsQuestion():
		return f.threadURI(t)
	}
	return f.urls.Post(p.ID)
}

// postContext is what building a post's object needs.
type postContext = publish.Post

// loadPost gathers a post's context.
func (f *Federation) loadPost(ctx context.Context, postID forum.ID) (*postContext, error) {
	p, err := f.svc.Post(ctx, postID)
	if err != nil {
		return nil, err
	}
	t, err := f.svc.Thread(ctx, p.ThreadID)
	if err != nil && t == nil {
		return nil, err
	}
	fo, err := f.svc.ForumByID(ctx, t.ForumID)
	if err != nil {
		return nil, err
	}
	pc := &postContext{Post: p, Thread: t, Forum: fo}
	if p.IsQuestion() && p.URI == "" && p.Extras.Kind == forum.KindEvent {
		if pc.Webinar, err = f.svc.WebinarOfThread(ctx, t.ID); err != nil && !errors.Is(err, forum.ErrNotFound) {
			return nil, fmt.Errorf("event of %s: %w", t.ID, err)
		}
	}
	ids := []forum.ID{p.AuthorID}
	if !p.IsQuestion() {
		if pc.Parent, err = f.svc.Post(ctx, p.ParentID); err != nil {
			return nil, fmt.Errorf("parent of %s: %w", p.ID, err)
		}
		ids = append(ids, pc.Parent.AuthorID)
	}
	members, err := f.svc.Members(ctx, ids)
	if err != nil {
		return nil, err
	}
	if pc.Author = members[p.AuthorID]; pc.Author == nil {
		return nil, fmt.Errorf("author of %s: %w", p.ID, forum.ErrNotFound)
	}
	if pc.Parent != nil {
		pc.To = members[pc.Parent.AuthorID]
	}
	if p.URI == "" && !p.Deleted() && p.Source != "" {
		if pc.Written, err = f.writtenTags(ctx, p.Source); err != nil {
			return nil, fmt.Errorf("mentions of %s: %w", p.ID, err)
		}
	}
	return pc, nil
}

// object is a post as a Page (question) or Note (answer); a deleted post
// is a Tombstone.
func (f *Federation) object(pc *postContext) *ap.Object {
	p, t := pc.Post, pc.Thread
	id := f.postURI(p, t)
	if p.Deleted() || (p.IsQuestion() && t.DeletedAt != nil) {
		former := ap.TypeNote
		if p.IsQuestion() {
			former = ap.TypePage
		}
		deleted := p.DeletedAt
		if deleted == nil {
			deleted = t.DeletedAt
		}
		return &ap.Object{ID: id, Type: ap.TypeTombstone, FormerType: former, Deleted: deleted}
	}
	forumID := f.forumURI(pc.Forum)
	o := &ap.Object{
		ID: id, AttributedTo: f.memberURI(pc.Author), Content: p.HTML, Language: p.Language,
		Audience: forumID, Context: f.contextURI(t), URL: f.urls.Abs(uris.PostAnchor(t.ID, p.ID)),
		To: []string{forumID, ap.Public}, Published: p.CreatedAt, Updated: p.LastChanged(),
		ContentMap: map[string]string{p.Language: p.HTML},
	}
	if p.Source != "" && p.URI == "" {
		o.Source = &ap.Source{Content: p.Source, MediaType: "text/markdown"}
	}
	if p.URI == "" {
		path := uris.PostPath(p.ID)
		if p.IsQuestion() {
			path = uris.ThreadPath(t.ID)
		}
		o.Replies = f.urls.Abs(uris.RepliesPath(path))
	}
	for lang, tr := range p.Translations {
		o.ContentMap[lang] = tr.HTML
	}
	for _, img := range p.Images {
		// Served by this node while the post stands; other servers show
		// them with their alt text (Mastodon's media attachments).
		o.Attachments = append(o.Attachments, ap.Attachment{Type: ap.TypeImage, URL: f.urls.PostImage(p.ID, img.Name),
			MediaType: img.MediaType, Name: img.Alt})
	}
	if w := pc.Written; w != nil {
		o.Content, o.ContentMap[p.Language] = w.HTML, w.HTML
		o.Tag = append(o.Tag, w.Tags...)
		o.Cc = append(o.Cc, w.Mentions...)
	}
	if pc.Forum.Local() {
		// Mention the thread's actor: Mastodon's reply form then addresses
		// replies to it, and they reach the thread's node.
		actor := f.urls.ThreadActor(t.ID)
		o.Cc = append(o.Cc, actor)
		o.Tag = append(o.Tag, ap.Tag{Type: "Mention", Href: actor, Name: "@" + uris.ThreadHandle(t.ID) + "@" + f.urls.Host()})
	}
	if p.IsQuestion() {
		o.Type, o.Name, o.URL = ap.TypePage, t.Title, id
		o.NameMap = map[string]string{p.Language: t.Title}
		for lang, tr := range p.Translations {
			if tr.Title != "" {
				o.NameMap[lang] = tr.Title
			}
		}
		if pc.Webinar != nil {
			f.asEvent(o, pc.Webinar)
		}
		content.WithTitleLine(o)
		return o
	}
	o.Type = ap.TypeNote
	o.InReplyTo = f.postURI(pc.Parent, t)
	if pc.To != nil && pc.To.ID != pc.Author.ID { // no one is mentioned answering themselves
		to := f.memberURI(pc.To)
		o.Cc = append([]string{to}, o.Cc...)
		o.Tag = append([]ap.Tag{{Type: "Mention", Href: to, Name: f.handle(pc.To)}}, o.Tag...)
	}
	o.Cc, o.Tag = uniqueStrings(o.Cc), uniqueMentions(o.Tag)
	return o
}

// uniqueStrings drops repeated values, keeping the first.
func uniqueStrings(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := in[:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// uniqueMentions drops a second Mention of one actor (the parent's author
// also mentioned in the text), keeping the first.
func uniqueMentions(in []ap.Tag) []ap.Tag {
	seen := make(map[string]bool, len(in))
	out := in[:0]
	for _, t := range in {
		if t.Type == "Mention" {
			if seen[t.Href] {
				continue
			}
			seen[t.Href] = true
		}
		out = append(out, t)
	}
	return out
}
