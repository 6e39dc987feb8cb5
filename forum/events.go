package forum

import (
	"context"
	"fmt"
	"time"
)

// EventKind names something that happened on this node that other nodes
// may need to hear about.
type EventKind string

// Event kinds. Actions of this node's members (and its moderators' actions
// on any content) are events federation publishes as ours.
const (
	EventThreadCreated  EventKind = "thread.created"
	EventPostCreated    EventKind = "post.created"
	EventPostEdited     EventKind = "post.edited" // the question's edits too
	EventPostDeleted    EventKind = "post.deleted"
	EventThreadDeleted  EventKind = "thread.deleted"
	EventThreadLocked   EventKind = "thread.locked"
	EventThreadUnlocked EventKind = "thread.unlocked"
	EventThreadMoved    EventKind = "thread.moved"
	EventHelpfulAdded   EventKind = "helpful.added"
	EventHelpfulRemoved EventKind = "helpful.removed"
	EventMemberUpdated  EventKind = "member.updated"
	EventForumUpdated   EventKind = "forum.updated"
	EventPostReported   EventKind = "post.reported"
	// EventPostTranslated: a member of this node added a language version
	// of a post (this node's or another's).
	EventPostTranslated EventKind = "post.translated"
	// EventWebinarCreated: a moderator created a forum's event; ThreadID
	// is its discussion thread (WebinarOfThread finds it).
	EventWebinarCreated EventKind = "webinar.created"
	// EventWebinarChanged and EventWebinarCancelled: a moderator edited or
	// cancelled a forum's event (ThreadID its discussion thread). The
	// Update of the Event itself is the question's post.edited, recorded
	// with them; these tell the members who said they come.
	EventWebinarChanged   EventKind = "webinar.changed"
	EventWebinarCancelled EventKind = "webinar.cancelled"
	// EventRSVPSent and EventRSVPWithdrawn: a member here said they come
	// to an event of a joined forum, or no longer do; the publisher sends
	// the Join (or Leave) to the forum's node. PostID is the event's
	// question, MemberID the member.
	EventRSVPSent      EventKind = "rsvp.sent"
	EventRSVPWithdrawn EventKind = "rsvp.withdrawn"
)

// Events only this node's members hear about (notifications): federation
// publishes nothing for them.
const (
	// EventInvitationAccepted: someone accepted an invitation (ActorID the
	// new member, MemberID who invited them).
	EventInvitationAccepted EventKind = "invitation.accepted"
	// EventReportReceived: another node reported a post (a Flag); the
	// event's ID is the report's.
	EventReportReceived EventKind = "report.received"
	// EventFollowRequested: a follow of a forum waits for an admin
	// (ForumID; ActorID the remote follower when known).
	EventFollowRequested EventKind = "follow.requested"
	// EventMemberFollowed: someone (ActorID, a member here or elsewhere)
	// began to follow a member of this node (MemberID).
	EventMemberFollowed EventKind = "member.followed"
)

// Changes another node's actor made here. Each is recorded with the
// received activity (Event.ReceivedID), in the transaction that applies
// it, so federation passes that activity on exactly once, never as ours: a
// local forum announces it to its followers (FEP-1b12), a joined forum's
// node gets what reached only us. Content fetched rather than received (a
// missing parent, a backfill) records none.
const (
	EventPostReceived    EventKind = "received.post"    // a question or an answer
	EventEditReceived    EventKind = "received.edit"    // a new version of one
	EventDeleteReceived  EventKind = "received.delete"  // its deletion
	EventHelpfulReceived EventKind = "received.helpful" // a helpful mark, or its removal
)

// Event is one entry of the node's event log. It is written in the same
// transaction as the change it records (a transactional outbox), so
// federation never misses a change nor sends one that was rolled back.
type Event struct {
	ID       ID // sorts by time: readers keep the last ID they handled
	Kind     EventKind
	ActorID  ID // the member who acted
	ForumID  ID
	ThreadID ID
	PostID   ID
	MemberID ID // for member.updated
	// ReceivedID is the received activity (its inbox item) that made a
	// received.* change.
	ReceivedID ID
	// ReportID is the forum report an event of its own ID is about (a
	// correction of a published report: forumreport.corrected).
	ReportID  ID
	CreatedAt time.Time
}

// record appends an event through tx. An event that names a record of
// its own (a report) may bring that record's ID as its own.
func (s *Service) record(ctx context.Context, tx Store, e Event) error {
	if e.ID == "" {
		e.ID = s.ids.New()
	}
	e.CreatedAt = s.clock.Now()
	if err := tx.AppendEvent(ctx, &e); err != nil {
		return fmt.Errorf("record %s: %w", e.Kind, err)
	}
	return nil
}

// Events lists events after the given one, oldest first.
func (s *Service) Events(ctx context.Context, afterID ID, limit int) ([]*Event, error) {
	return s.store.ListEvents(ctx, afterID, limit)
}

// EventIDs lists the IDs of the events after the given one, in order: a
// reader that has seen most of them reads the rest, not every row again.
func (s *Service) EventIDs(ctx context.Context, afterID ID, limit int) ([]ID, error) {
	return s.store.ListEventIDs(ctx, afterID, limit)
}

// NoteFollowed records that follower began to follow followee, so the
// followee is told. The follow itself is kept by whoever took it (the
// Mastodon API's personal store, federation's followers); only a member
// of this node is told.
func (s *Service) NoteFollowed(ctx context.Context, followerID, followeeID ID) error {
	return s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		m, err := tx.MemberByID(ctx, followeeID)
		if err != nil {
			return fmt.Errorf("followed member: %w", err)
		}
		if !m.Local() || followerID == followeeID {
			return nil
		}
		return s.record(ctx, tx, Event{Kind: EventMemberFollowed, ActorID: followerID, MemberID: followeeID})
	})
}

// NoteFollowRequest records that a follow of forumID waits for an admin's
// decision, so the admins are told. Federation calls it once it stored the
// pending follow.
func (s *Service) NoteFollowRequest(ctx context.Context, forumID ID) error {
	return s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		return s.record(ctx, tx, Event{Kind: EventFollowRequested, ForumID: forumID})
	})
}
