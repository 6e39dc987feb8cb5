package forum

import (
	"context"
	"errors"
	"fmt"
)

// Edit is a new version of a post. Title is used only for the question.
type Edit struct {
	Title    string
	Body     string
	Language string
	// Images, when not nil, are the post's images from now on (kept,
	// added, re-described or removed; an empty list removes them all);
	// nil keeps the images the post has.
	Images *[]Image
}

// EditPost replaces a post's text, keeping the previous version in its history.
func (s *Service) EditPost(ctx context.Context, actor *Member, postID ID, e Edit) (*Post, error) {
	lang, err := CanonicalLanguage("language", e.Language)
	if err != nil {
		return nil, err
	}
	source, html, err := s.renderBody(e.Body)
	if err != nil {
		return nil, err
	}
	var images []Image
	if e.Images != nil {
		if images, err = checkImages(*e.Images); err != nil {
			return nil, err
		}
	}
	var p *Post
	err = s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		var t *Thread
		if p, t, err = s.postAndThread(ctx, tx, postID); err != nil {
			return err
		}
		if err := CanEdit(actor, t, p); err != nil {
			return err
		}
		title := ""
		if p.IsQuestion() {
			if title, err = text("title", e.Title, MinTitleLen, MaxTitleLen); err != nil {
				return err
			}
		}
		now := s.clock.Now()
		old := &Revision{ID: s.ids.New(), PostID: p.ID, EditorID: actor.ID, Source: p.Source,
			Language: p.Language, CreatedAt: now}
		if p.IsQuestion() {
			old.Title = t.Title
		}
		if err := tx.CreateRevision(ctx, old); err != nil {
			return fmt.Errorf("store revision: %w", err)
		}
		p.Source, p.HTML, p.Language, p.EditedAt = source, html, lang, &now
		if e.Images != nil {
			// The files stay in the media store; one no post uses any
			// more is swept later (media.Sweeper).
			p.Images = images
		}
		if err := tx.UpdatePost(ctx, p); err != nil {
			return err
		}
		if p.IsQuestion() {
			t.Title, t.Language = title, lang
			if err := tx.UpdateThread(ctx, t); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, Event{Kind: EventPostEdited, ActorID: actor.ID, ForumID: t.ForumID, ThreadID: t.ID, PostID: p.ID})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// postAndThread reads a post to change it, with its thread (not deleted:
// ErrGone).
func (s *Service) postAndThread(ctx context.Context, tx Store, postID ID) (*Post, *Thread, error) {
	if !ValidID(postID) {
		return nil, nil, ErrNotFound
	}
	p, err := tx.PostByID(ctx, postID)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.threadOf(ctx, tx, p.ThreadID)
	if err != nil {
		return nil, nil, err
	}
	// The post is read again now that its thread is locked (on PostgreSQL
	// a thread read in a transaction is locked; SQLite runs one write
	// transaction at a time). Every change of a post is made holding its
	// thread, so this copy stays the latest until the transaction ends.
	// The first copy may be older than a change that committed while this
	// transaction waited for the thread: written back whole, it would undo
	// that change (an edit reverted by the mentions' linking, a helpful
	// mark's count lost).
	if p, err = tx.PostByID(ctx, postID); err != nil {
		return nil, nil, err
	}
	return p, t, nil
}

// DeletePost turns an answer into a tombstone. Its text is cleared from the
// post; earlier versions stay in the history, visible to moderators only.
func (s *Service) DeletePost(ctx context.Context, actor *Member, postID ID) (*Post, error) {
	var p *Post
	err := s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		var t *Thread
		var err error
		if p, t, err = s.postAndThread(ctx, tx, postID); err != nil {
			return err
		}
		if err := CanDeletePost(actor, t, p); err != nil {
			return err
		}
		now := s.clock.Now()
		if err := tx.CreateRevision(ctx, &Revision{ID: s.ids.New(), PostID: p.ID, EditorID: actor.ID,
			Source: p.Source, Language: p.Language, CreatedAt: now}); err != nil {
			return fmt.Errorf("store revision: %w", err)
		}
		// A deleted post keeps no images: their files go with the next
		// sweep unless another post or an avatar uses them.
		p.Source, p.HTML, p.Extras, p.Images, p.DeletedAt, p.DeletedBy = "", "", Extras{}, nil, &now, actor.ID
		if err := tx.UpdatePost(ctx, p); err != nil {
			return err
		}
		t.ReplyCount--
		if err := tx.UpdateThread(ctx, t); err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Kind: EventPostDeleted, ActorID: actor.ID, ForumID: t.ForumID, ThreadID: t.ID, PostID: p.ID})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// SetHelpful marks (on) or unmarks an answer as helpful for the actor; each
// member counts once. Marking twice changes nothing.
func (s *Service) SetHelpful(ctx context.Context, actor *Member, postID ID, on bool) (*Post, error) {
	var p *Post
	err := s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		var t *Thread
		var err error
		if p, t, err = s.postAndThread(ctx, tx, postID); err != nil {
			return err
		}
		if err := CanMarkHelpful(actor, p); err != nil {
			return err
		}
		if on {
			err = tx.AddHelpful(ctx, p.ID, actor.ID, s.clock.Now())
		} else {
			err = tx.RemoveHelpful(ctx, p.ID, actor.ID)
		}
		switch {
		case errors.Is(err, ErrConflict), errors.Is(err, ErrNotFound):
			return nil // already as asked
		case err != nil:
			return err
		}
		kind := EventHelpfulRemoved
		if on {
			kind = EventHelpfulAdded
			p.HelpfulCount++
		} else {
			p.HelpfulCount--
		}
		if err := tx.UpdatePost(ctx, p); err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Kind: kind, ActorID: actor.ID, ForumID: t.ForumID, ThreadID: t.ID, PostID: p.ID})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// History returns a post's earlier versions, oldest first.
func (s *Service) History(ctx context.Context, viewer *Member, postID ID) (*Post, []*Revision, error) {
	p, _, err := s.PostInThread(ctx, postID)
	if err != nil {
		return nil, nil, err
	}
	if err := CanSeeHistory(viewer, p); err != nil {
		return nil, nil, err
	}
	revs, err := s.store.ListRevisions(ctx, p.ID)
	return p, revs, err
}
