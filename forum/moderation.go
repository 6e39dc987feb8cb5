package forum

import (
	"context"
	"fmt"
)

// moderate loads a live thread, checks that the actor may change it,
// applies change, stores the thread and records the event (if any), in one
// transaction.
func (s *Service) moderate(ctx context.Context, actor *Member, threadID ID, check func(*Thread) error, change func(ctx context.Context, tx Store, t *Thread) (EventKind, error)) (*Thread, error) {
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
		kind, err := change(ctx, tx, t)
		if err != nil {
			return err
		}
		if err := tx.UpdateThread(ctx, t); err != nil {
			return err
		}
		if kind == "" {
			return nil
		}
		return s.record(ctx, tx, Event{Kind: kind, ActorID: actor.ID, ForumID: t.ForumID, ThreadID: t.ID, PostID: t.RootPostID})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (s *Service) moderatorOnly(actor *Member) func(*Thread) error {
	return func(*Thread) error { return CanModerate(actor) }
}

// localForumOnly: locks and moves belong to the node hosting the forum; a
// city's moderators can't lock or move a thread of a hub forum.
func (s *Service) localForumOnly(ctx context.Context, actor *Member) func(*Thread) error {
	return func(t *Thread) error {
		if err := CanModerate(actor); err != nil {
			return err
		}
		f, err := s.store.ForumByID(ctx, t.ForumID)
		if err != nil {
			return err
		}
		return allow(f.Local())
	}
}

// SetLocked locks a thread (no more answers but from moderators) or reopens it.
func (s *Service) SetLocked(ctx context.Context, actor *Member, threadID ID, locked bool) (*Thread, error) {
	return s.moderate(ctx, actor, threadID, s.localForumOnly(ctx, actor), func(_ context.Context, _ Store, t *Thread) (EventKind, error) {
		if t.Locked == locked {
			return "", nil
		}
		t.Locked = locked
		if locked {
			return EventThreadLocked, nil
		}
		return EventThreadUnlocked, nil
	})
}

// SetPinned pins a thread to the top of its forum, or unpins it. Pins are
// this node's own arrangement: nothing is published.
func (s *Service) SetPinned(ctx context.Context, actor *Member, threadID ID, pinned bool) (*Thread, error) {
	return s.moderate(ctx, actor, threadID, s.moderatorOnly(actor), func(_ context.Context, _ Store, t *Thread) (EventKind, error) {
		t.Pinned = pinned
		return "", nil
	})
}

// MoveThread moves a thread to another forum.
func (s *Service) MoveThread(ctx context.Context, actor *Member, threadID, forumID ID) (*Thread, error) {
	return s.moderate(ctx, actor, threadID, s.localForumOnly(ctx, actor), func(ctx context.Context, tx Store, t *Thread) (EventKind, error) {
		if !ValidID(forumID) {
			return "", invalid("forum", "error.forum", "is not a forum of this node")
		}
		f, err := tx.ForumByID(ctx, forumID)
		if err != nil {
			return "", fmt.Errorf("target forum: %w", err)
		}
		if !f.Local() {
			return "", invalid("forum", "error.forum", "is not a forum of this node")
		}
		if t.ForumID == f.ID {
			return "", nil
		}
		t.ForumID = f.ID
		return EventThreadMoved, nil
	})
}

// DeleteThread deletes a thread with its question and answers (they answer
// 410 Gone from then on).
func (s *Service) DeleteThread(ctx context.Context, actor *Member, threadID ID) (*Thread, error) {
	check := func(t *Thread) error { return CanDeleteThread(actor, t) }
	return s.moderate(ctx, actor, threadID, check, func(_ context.Context, _ Store, t *Thread) (EventKind, error) {
		now := s.clock.Now()
		t.DeletedAt = &now
		return EventThreadDeleted, nil
	})
}
