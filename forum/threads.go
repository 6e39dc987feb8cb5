package forum

import (
	"context"
	"errors"
	"fmt"
)

// Question is what a member writes to start a thread.
type Question struct {
	Title    string
	Body     string // markdown
	Language string
	// Images are already in the media store; each needs an alt text.
	Images []Image
}

// Answer is what a member writes to answer.
type Answer struct {
	Body     string // markdown
	Language string
	// Images are already in the media store; each needs an alt text.
	Images []Image
}

func (s *Service) renderBody(md string) (source, html string, err error) {
	if source, err = text("body", md, 1, MaxBodyLen); err != nil {
		return "", "", err
	}
	if html, err = s.render.Render(source); err != nil {
		return "", "", fmt.Errorf("render markdown: %w", err)
	}
	return source, html, nil
}

// Ask starts a thread in a forum.
func (s *Service) Ask(ctx context.Context, actor *Member, forumID ID, q Question) (*Thread, error) {
	if err := CanAsk(actor); err != nil {
		return nil, err
	}
	title, err := text("title", q.Title, MinTitleLen, MaxTitleLen)
	if err != nil {
		return nil, err
	}
	lang, err := CanonicalLanguage("language", q.Language)
	if err != nil {
		return nil, err
	}
	source, html, err := s.renderBody(q.Body)
	if err != nil {
		return nil, err
	}
	images, err := checkImages(q.Images)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	id := s.ids.NewAt(now)
	t := &Thread{ID: id, ForumID: forumID, AuthorID: actor.ID, RootPostID: id, Title: title,
		Language: lang, LastPostID: id, LastPostAt: now, CreatedAt: now}
	p := &Post{ID: id, ThreadID: id, AuthorID: actor.ID, BranchID: id, Language: lang,
		Source: source, HTML: html, Images: images, CreatedAt: now}
	err = s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		if _, err := tx.ForumByID(ctx, forumID); err != nil {
			return err
		}
		if err := tx.CreateThread(ctx, t, p); err != nil {
			return fmt.Errorf("create thread: %w", err)
		}
		return s.record(ctx, tx, Event{Kind: EventThreadCreated, ActorID: actor.ID, ForumID: forumID, ThreadID: t.ID, PostID: p.ID})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Thread returns a thread. A deleted thread comes back with ErrGone, so a
// page can still say where it was.
func (s *Service) Thread(ctx context.Context, id ID) (*Thread, error) {
	if !ValidID(id) {
		return nil, ErrNotFound
	}
	t, err := s.store.ReadThread(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.DeletedAt != nil {
		return t, ErrGone
	}
	return t, nil
}

// ThreadList is a page of a forum's threads with their authors.
type ThreadList struct {
	Forum   *Forum
	Threads Page[*Thread]
	Authors map[ID]*Member
}

// ListThreads lists a forum's threads, pinned first, then by last activity.
func (s *Service) ListThreads(ctx context.Context, forumID ID, cursor string) (*ThreadList, error) {
	after, err := decodeThreadCursor(cursor)
	if err != nil {
		return nil, err
	}
	f, err := s.store.ForumByID(ctx, forumID)
	if err != nil {
		return nil, err
	}
	items, err := s.store.ListThreads(ctx, forumID, after, ThreadPageSize+1)
	page, err := pageOf(items, err, ThreadPageSize, encodeThreadCursor)
	if err != nil {
		return nil, err
	}
	ids := make([]ID, 0, len(page.Items))
	for _, t := range page.Items {
		ids = append(ids, t.AuthorID)
	}
	authors, err := s.store.MembersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	return &ThreadList{Forum: f, Threads: page, Authors: authors}, nil
}

// ThreadView is a page of a thread as one viewer sees it.
type ThreadView struct {
	Thread  *Thread
	Forum   *Forum
	Posts   Page[*Post]
	Authors map[ID]*Member
	// Helpful tells which posts on the page the viewer has marked helpful.
	Helpful map[ID]bool
}

// ReadThread returns a page of a thread's posts in reading order: the
// question, then each answer followed by the replies to it.
func (s *Service) ReadThread(ctx context.Context, viewer *Member, threadID ID, cursor string) (*ThreadView, error) {
	return s.ReadThreadIn(ctx, viewer, threadID, cursor, ByTime)
}

// PostOrder is the order a thread's answers are read in.
type PostOrder int

const (
	ByTime    PostOrder = iota // oldest first, replies under their answer
	ByHelpful                  // good practices, then the most helpful
)

// ReadThreadIn is ReadThread with the answers in order; cursor is a Next
// of a page read in the same order.
func (s *Service) ReadThreadIn(ctx context.Context, viewer *Member, threadID ID, cursor string, order PostOrder) (*ThreadView, error) {
	t, err := s.Thread(ctx, threadID)
	if err != nil {
		return nil, err
	}
	f, err := s.store.ForumByID(ctx, t.ForumID)
	if err != nil {
		return nil, fmt.Errorf("forum of thread %s: %w", t.ID, err)
	}
	page, err := s.postPage(ctx, t.ID, cursor, order)
	if err != nil {
		return nil, err
	}
	ids := make([]ID, 0, len(page.Items))
	for _, p := range page.Items {
		ids = append(ids, p.AuthorID)
	}
	v := &ThreadView{Thread: t, Forum: f, Posts: page, Helpful: map[ID]bool{}}
	if v.Authors, err = s.store.MembersByIDs(ctx, ids); err != nil {
		return nil, err
	}
	if signedIn(viewer) {
		postIDs := make([]ID, 0, len(page.Items))
		for _, p := range page.Items {
			postIDs = append(postIDs, p.ID)
		}
		if v.Helpful, err = s.HelpfulMarks(ctx, viewer, postIDs); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// postPage is a page of a thread's posts in order, from cursor.
func (s *Service) postPage(ctx context.Context, threadID ID, cursor string, order PostOrder) (Page[*Post], error) {
	if order != ByHelpful {
		after, err := decodePostCursor(cursor)
		if err != nil {
			return Page[*Post]{}, err
		}
		items, err := s.store.ListPosts(ctx, threadID, after, PostPageSize+1)
		return pageOf(items, err, PostPageSize, encodePostCursor)
	}
	after, err := decodeHelpfulCursor(cursor)
	if err != nil {
		return Page[*Post]{}, err
	}
	ranked, err := s.store.ListPostsByHelpful(ctx, threadID, after, PostPageSize+1)
	if err != nil {
		return Page[*Post]{}, err
	}
	p := Page[*Post]{Items: make([]*Post, 0, len(ranked))}
	for _, r := range ranked {
		p.Items = append(p.Items, r.Post)
	}
	if len(ranked) > PostPageSize {
		p.Items = p.Items[:PostPageSize]
		p.Next = encodeHelpfulCursor(ranked[PostPageSize-1].Place)
	}
	return p, nil
}

// HelpfulMarks tells which of postIDs the viewer has marked helpful: none
// for a visitor. It is ReadThread's only part that depends on who reads,
// so a page of a thread read once can be shown to each member with theirs.
func (s *Service) HelpfulMarks(ctx context.Context, viewer *Member, postIDs []ID) (map[ID]bool, error) {
	if !signedIn(viewer) || len(postIDs) == 0 {
		return map[ID]bool{}, nil
	}
	marks, err := s.store.HelpfulMarks(ctx, viewer.ID, postIDs)
	if err != nil {
		return nil, fmt.Errorf("helpful marks: %w", err)
	}
	return marks, nil
}

// PostInThread returns a post and its thread.
func (s *Service) PostInThread(ctx context.Context, postID ID) (*Post, *Thread, error) {
	if !ValidID(postID) {
		return nil, nil, ErrNotFound
	}
	p, err := s.store.PostByID(ctx, postID)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.store.ReadThread(ctx, p.ThreadID)
	if err != nil {
		return nil, nil, fmt.Errorf("thread of post %s: %w", p.ID, err)
	}
	if t.DeletedAt != nil {
		return p, t, ErrGone
	}
	return p, t, nil
}

// MemberPosts lists a member's posts, newest first.
func (s *Service) MemberPosts(ctx context.Context, memberID ID, cursor string) (Page[*Post], error) {
	before, err := decodeIDCursor(cursor)
	if err != nil {
		return Page[*Post]{}, err
	}
	items, err := s.store.ListMemberPosts(ctx, memberID, before, PostPageSize+1)
	return pageOf(items, err, PostPageSize, func(p *Post) string { return p.ID })
}

// threadOf loads a thread that can still take changes.
func (s *Service) threadOf(ctx context.Context, tx Store, id ID) (*Thread, error) {
	t, err := tx.ThreadByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.DeletedAt != nil {
		return nil, ErrGone
	}
	return t, nil
}

var errParentNotInThread = invalid("parent", "error.parent", "is not an answer in this thread")

// Reply answers the question (parentID empty or the question's ID) or an
// answer. Replies to a reply are kept under the same answer: one level of
// nesting.
func (s *Service) Reply(ctx context.Context, actor *Member, threadID, parentID ID, a Answer) (*Post, error) {
	lang, err := CanonicalLanguage("language", a.Language)
	if err != nil {
		return nil, err
	}
	source, html, err := s.renderBody(a.Body)
	if err != nil {
		return nil, err
	}
	images, err := checkImages(a.Images)
	if err != nil {
		return nil, err
	}
	var p *Post
	err = s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		t, err := s.threadOf(ctx, tx, threadID)
		if err != nil {
			return err
		}
		if err := CanReply(actor, t); err != nil {
			return err
		}
		if parentID == "" {
			parentID = t.RootPostID
		}
		parent, err := tx.PostByID(ctx, parentID)
		if errors.Is(err, ErrNotFound) || (err == nil && (parent.ThreadID != t.ID || parent.Deleted())) {
			return errParentNotInThread
		} else if err != nil {
			return err
		}
		now := s.clock.Now()
		p = &Post{ID: idAfter(s.ids, now, parent.ID), ThreadID: t.ID, AuthorID: actor.ID, ParentID: parent.ID,
			Language: lang, Source: source, HTML: html, Images: images, CreatedAt: now}
		p.BranchID = parent.BranchID
		if parent.IsQuestion() {
			p.BranchID = p.ID
		}
		if err := tx.CreatePost(ctx, p); err != nil {
			return fmt.Errorf("create post: %w", err)
		}
		t.ReplyCount++
		t.LastPostID, t.LastPostAt = p.ID, now
		if err := tx.UpdateThread(ctx, t); err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Kind: EventPostCreated, ActorID: actor.ID, ForumID: t.ForumID, ThreadID: t.ID, PostID: p.ID})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Preview renders a post's markdown as it would be shown, without storing
// anything: the form's "Preview" button, which works without JavaScript.
// The same checks as posting apply (an empty or too long body is refused).
func (s *Service) Preview(markdown string) (string, error) {
	_, html, err := s.renderBody(markdown)
	return html, err
}
