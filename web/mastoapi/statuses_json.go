package mastoapi

import (
	"context"
	"fmt"
	"html"

	"github.com/metropolis/agora/forum"
)

// statusJSON is Mastodon's Status entity.
type statusJSON struct {
	ID                 string           `json:"id"`
	URI                string           `json:"uri"`
	URL                string           `json:"url"`
	CreatedAt          string           `json:"created_at"`
	Account            accountJSON      `json:"account"`
	Content            string           `json:"content"`
	Text               *string          `json:"text"`
	Visibility         string           `json:"visibility"`
	Sensitive          bool             `json:"sensitive"`
	SpoilerText        string           `json:"spoiler_text"`
	MediaAttachments   []attachmentJSON `json:"media_attachments"`
	Application        any              `json:"application"`
	Mentions           []mentionJSON    `json:"mentions"`
	Tags               []any            `json:"tags"`
	Emojis             []any            `json:"emojis"`
	ReblogsCount       int              `json:"reblogs_count"`
	FavouritesCount    int              `json:"favourites_count"`
	RepliesCount       int              `json:"replies_count"`
	InReplyToID        *string          `json:"in_reply_to_id"`
	InReplyToAccountID *string          `json:"in_reply_to_account_id"`
	Reblog             any              `json:"reblog"`
	Poll               any              `json:"poll"`
	Card               any              `json:"card"`
	Language           string           `json:"language"`
	EditedAt           *string          `json:"edited_at"`
	Favourited         bool             `json:"favourited"`
	Reblogged          bool             `json:"reblogged"`
	Muted              bool             `json:"muted"`
	Bookmarked         bool             `json:"bookmarked"`
	Pinned             bool             `json:"pinned"`
	Filtered           []any            `json:"filtered"`
}

type mentionJSON struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	URL      string `json:"url"`
	Acct     string `json:"acct"`
}

// postSet is what statuses of a list of posts are made from, loaded in a
// few batches.
type postSet struct {
	threads  map[forum.ID]*forum.Thread
	forums   map[forum.ID]*forum.Forum
	authors  map[forum.ID]*forum.Member
	parents  map[forum.ID]*forum.Post
	helpful  map[forum.ID]bool
	bookmark map[forum.ID]bool
	langs    []string
}

// load gathers what statuses of posts need, for viewer (nil: signed out).
// Posts of deleted threads are dropped from the result.
func (a *API) load(ctx context.Context, viewer *forum.Member, posts []*forum.Post) ([]*forum.Post, *postSet, error) {
	set := &postSet{threads: map[forum.ID]*forum.Thread{}, forums: map[forum.ID]*forum.Forum{},
		parents: map[forum.ID]*forum.Post{}, helpful: map[forum.ID]bool{}, bookmark: map[forum.ID]bool{}}
	if viewer != nil {
		set.langs = append([]string{viewer.UILanguage}, viewer.Languages...)
	}
	var kept []*forum.Post
	var authorIDs, postIDs []forum.ID
	for _, p := range posts {
		t, ok := set.threads[p.ThreadID]
		if !ok {
			var err error
			t, err = a.cfg.Forum.Thread(ctx, p.ThreadID)
			if err != nil && !forumGone(err) {
				return nil, nil, fmt.Errorf("thread of %s: %w", p.ID, err)
			} else if err != nil {
				t = nil
			}
			set.threads[p.ThreadID] = t
		}
		if t == nil || p.Deleted() {
			continue
		}
		if _, ok := set.forums[t.ForumID]; !ok {
			f, err := a.cfg.Forum.ForumByID(ctx, t.ForumID)
			if err != nil {
				return nil, nil, fmt.Errorf("forum of %s: %w", t.ID, err)
			}
			set.forums[t.ForumID] = f
		}
		if p.ParentID != "" && p.ParentID != t.RootPostID {
			if _, ok := set.parents[p.ParentID]; !ok {
				parent, err := a.cfg.Forum.Post(ctx, p.ParentID)
				if err != nil && !forumGone(err) {
					return nil, nil, fmt.Errorf("parent of %s: %w", p.ID, err)
				}
				set.parents[p.ParentID] = parent
				if parent != nil {
					authorIDs = append(authorIDs, parent.AuthorID)
				}
			}
		}
		kept = append(kept, p)
		authorIDs = append(authorIDs, p.AuthorID, t.AuthorID)
		postIDs = append(postIDs, p.ID)
	}
	var err error
	if set.authors, err = a.cfg.Forum.Members(ctx, authorIDs); err != nil {
		return nil, nil, fmt.Errorf("authors: %w", err)
	}
	if viewer != nil {
		if set.helpful, err = a.cfg.Forum.HelpfulMarks(ctx, viewer, postIDs); err != nil {
			return nil, nil, err
		}
		if set.bookmark, err = a.cfg.Personal.Bookmarked(ctx, viewer.ID, postIDs); err != nil {
			return nil, nil, fmt.Errorf("bookmarks: %w", err)
		}
	}
	return kept, set, nil
}

// status renders one post of the set. A question opens with its title; it
// mentions its forum, an answer the author of what it answers.
func (a *API) status(set *postSet, p *forum.Post) statusJSON {
	t := set.threads[p.ThreadID]
	f := set.forums[t.ForumID]
	author := set.authors[p.AuthorID]
	if author == nil {
		author = &forum.Member{ID: p.AuthorID, Username: "unknown", CreatedAt: p.CreatedAt}
	}
	uri := a.cfg.URLs.Post(p.ID)
	if p.URI != "" {
		uri = p.URI
	}
	s := statusJSON{ID: p.ID, URI: uri, URL: a.cfg.URLs.Abs("/t/" + t.ID + "#p-" + p.ID), CreatedAt: stamp(p.CreatedAt),
		Account: a.memberAccount(author), Content: p.HTML, Visibility: "public", SpoilerText: p.Extras.Warning,
		Sensitive: p.Extras.Sensitive || p.Extras.Warning != "", MediaAttachments: a.attachments(p), Mentions: []mentionJSON{},
		Tags: []any{}, Emojis: []any{}, ReblogsCount: p.ShareCount, FavouritesCount: p.HelpfulCount,
		Language: p.Language, EditedAt: stampPtr(p.EditedAt), Favourited: set.helpful[p.ID],
		Bookmarked: set.bookmark[p.ID], Filtered: []any{}}
	if p.IsQuestion() {
		s.Content = "<p><strong>" + html.EscapeString(t.Title) + "</strong></p>" + p.HTML
		s.RepliesCount = t.ReplyCount
		s.Pinned = t.Pinned
		if f != nil {
			fa := a.forumAccount(f, set.langs...)
			s.Mentions = append(s.Mentions, mentionJSON{ID: fa.ID, Username: fa.Username, URL: fa.URL, Acct: fa.Acct})
		}
		return s
	}
	parentID, parentAuthor := p.ParentID, t.AuthorID
	if parent := set.parents[p.ParentID]; parent != nil {
		parentAuthor = parent.AuthorID
	}
	s.InReplyToID, s.InReplyToAccountID = &parentID, &parentAuthor
	if m := set.authors[parentAuthor]; m != nil {
		ma := a.memberAccount(m)
		s.Mentions = append(s.Mentions, mentionJSON{ID: ma.ID, Username: ma.Username, URL: ma.URL, Acct: ma.Acct})
	}
	return s
}

// statuses renders posts for viewer, leaving out those that cannot be
// shown (deleted, or in a deleted thread).
func (a *API) statuses(ctx context.Context, viewer *forum.Member, posts []*forum.Post) ([]statusJSON, error) {
	kept, set, err := a.load(ctx, viewer, posts)
	if err != nil {
		return nil, err
	}
	out := make([]statusJSON, 0, len(kept))
	for _, p := range kept {
		out = append(out, a.status(set, p))
	}
	return out, nil
}

// oneStatus renders a single post; a deleted one is not found.
func (a *API) oneStatus(ctx context.Context, viewer *forum.Member, p *forum.Post) (statusJSON, error) {
	list, err := a.statuses(ctx, viewer, []*forum.Post{p})
	if err != nil {
		return statusJSON{}, err
	}
	if len(list) == 0 {
		return statusJSON{}, errNotFound
	}
	return list[0], nil
}
