package forum

import (
	"context"
	"errors"
	"fmt"
)

// EventRoleChanged: an admin changed a member's permissions (MemberID the
// member, ActorID the admin). Only this node hears of it: the moderation
// log shows it, federation publishes nothing.
const EventRoleChanged EventKind = "member.role_changed"

// moderationKinds are the events the moderation log lists: what moderators
// and admins did to other people's content and permissions. A member
// deleting their own post is not moderation (the store leaves those out).
var moderationKinds = []EventKind{
	EventThreadLocked, EventThreadUnlocked, EventThreadMoved, EventThreadDeleted, EventPostDeleted,
	EventGoodPracticeMarked, EventGoodPracticeUnmarked, EventRoleChanged,
}

// ModerationLogStore reads the moderation log out of the event log.
type ModerationLogStore interface {
	// ListModerationEvents lists events of kinds with ID < beforeID (""
	// for the newest), newest first, leaving out deletions of a post by
	// its own author.
	ListModerationEvents(ctx context.Context, kinds []EventKind, beforeID ID, limit int) ([]*Event, error)
}

// LogEntry is one line of the moderation log, with what it names loaded.
type LogEntry struct {
	*Event
	Actor  *Member
	Member *Member // whose permissions changed (member.role_changed)
	Thread *Thread // nil for a role change; may be deleted
}

// ModerationLog lists what moderators and admins did, newest first, for
// admins. The cursor is the ID of the last entry of the previous page.
func (s *Service) ModerationLog(ctx context.Context, actor *Member, cursor string) (Page[*LogEntry], error) {
	if err := CanAdminister(actor); err != nil {
		return Page[*LogEntry]{}, err
	}
	before, err := decodeIDCursor(cursor)
	if err != nil {
		return Page[*LogEntry]{}, err
	}
	events, err := s.store.ListModerationEvents(ctx, moderationKinds, before, AdminPageSize+1)
	if err != nil {
		return Page[*LogEntry]{}, fmt.Errorf("moderation log: %w", err)
	}
	page, _ := pageOf(events, nil, AdminPageSize, func(e *Event) string { return e.ID })
	ids := make([]ID, 0, 2*len(page.Items))
	for _, e := range page.Items {
		ids = append(ids, e.ActorID)
		if e.MemberID != "" {
			ids = append(ids, e.MemberID)
		}
	}
	members, err := s.store.MembersByIDs(ctx, ids)
	if err != nil {
		return Page[*LogEntry]{}, fmt.Errorf("moderation log members: %w", err)
	}
	// A page holds at most AdminPageSize threads, each read once.
	threads := map[ID]*Thread{}
	out := Page[*LogEntry]{Next: page.Next, Items: make([]*LogEntry, 0, len(page.Items))}
	for _, e := range page.Items {
		entry := &LogEntry{Event: e, Actor: members[e.ActorID], Member: members[e.MemberID]}
		if e.ThreadID != "" {
			t, ok := threads[e.ThreadID]
			if !ok {
				t, err = s.store.ThreadByID(ctx, e.ThreadID)
				if err != nil && !errors.Is(err, ErrNotFound) {
					return Page[*LogEntry]{}, fmt.Errorf("moderation log thread %s: %w", e.ThreadID, err)
				}
				threads[e.ThreadID] = t
			}
			entry.Thread = t
		}
		out.Items = append(out.Items, entry)
	}
	return out, nil
}
