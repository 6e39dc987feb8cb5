package forum

import (
	"context"
	"fmt"
)

// moderate loads a live thread, checks that the actor may moderate it,
// applies change and stores the thread, in one transaction.
func (s *Service) moderate(ctx context.Context, actor *Member, threadID ID, check func(*Thread) error, change func(ctx context.Context, tx Store, t *Thread) error) (*Thread, error) {
	var t *Thread
	err := s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		var err error
		if !ValidID(threadID) {
			return ErrNotFound
		}
		if t, err = s.threadOf(ctx, tx, threadID); err != nil {
			return err
		}
		if err := check(t); err != nil {
			return err
		}
		if err := change(ctx, tx, t); err != nil {
			return err
		}
		return tx.UpdateThread(ctx, t)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (s *Service) moderatorOnly(actor *Member) func(*Thread) error {
	return func(*Thread) error { return CanModerate(actor) }
}

// SetLocked locks a thread (no more answers but from moderators) or reopens it.
func (s *Service) SetLocked(ctx context.Context, actor *Member, threadID ID, locked bool) (*Thread, error) {
	return s.moderate(ctx, actor, threadID, s.moderatorOnly(actor), func(_ context.Context, _ Store, t *Thread) error {
		t.Locked = locked
		return nil
	})
}

// SetPinned pins a thread to the top of its forum, or unpins it.
func (s *Service) SetPinned(ctx context.Context, actor *Member, threadID ID, pinned bool) (*Thread, error) {
	return s.moderate(ctx, actor, threadID, s.moderatorOnly(actor), func(_ context.Context, _ Store, t *Thread) error {
		t.Pinned = pinned
		return nil
	})
}

// MoveThread moves a thread to another forum.
func (s *Service) MoveThread(ctx context.Context, actor *Member, threadID, forumID ID) (*Thread, error) {
	return s.moderate(ctx, actor, threadID, s.moderatorOnly(actor), func(ctx context.Context, tx Store, t *Thread) error {
		if !ValidID(forumID) {
			return invalid("forum", "error.forum", "is not a forum of this node")
		}
		f, err := tx.ForumByID(ctx, forumID)
		if err != nil {
			return fmt.Errorf("target forum: %w", err)
		}
		t.ForumID = f.ID
		return nil
	})
}

// DeleteThread deletes a thread with its question and answers (they answer
// 410 Gone from then on).
func (s *Service) DeleteThread(ctx context.Context, actor *Member, threadID ID) (*Thread, error) {
	check := func(t *Thread) error { return CanDeleteThread(actor, t) }
	return s.moderate(ctx, actor, threadID, check, func(_ context.Context, _ Store, t *Thread) error {
		now := s.clock.Now()
		t.DeletedAt = &now
		return nil
	})
}
