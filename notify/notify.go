// Package notify tells members what happened that concerns them: a reply
// to their post, a new answer in a thread they watch, a mention, a helpful
// or good-practice mark, a report (moderators), a follow request or an
// accepted invitation (admins).
//
// Notifications are rows derived from the node's event log by a consumer
// of its own (Deriver, with its own cursor and lease), so local and
// received content count the same: a received answer is a received.post
// event like a local answer is a post.created one. Nothing in forum or
// federation calls this package; it only reads what they recorded.
package notify

import (
	"context"
	"time"

	"github.com/metropolis/agora/forum"
)

// Kind is what a notification is about.
type Kind string

// Kinds of notification.
const (
	KindReply        Kind = "reply"         // an answer to my post
	KindAnswer       Kind = "answer"        // a new answer in a thread I watch
	KindQuestion     Kind = "question"      // a new question in a forum I watch
	KindMention      Kind = "mention"       // a post mentions me
	KindHelpful      Kind = "helpful"       // someone found my answer helpful
	KindGoodPractice Kind = "good_practice" // my answer marked a good practice
	// KindForumGoodPractice: an answer marked a good practice in a forum I
	// watch (digests list them beside the new questions).
	KindForumGoodPractice Kind = "forum_good_practice"
	KindReport            Kind = "report"          // moderators: a post reported
	KindFollowRequest     Kind = "follow_request"  // admins: a follow of a forum waits
	KindInvitationUsed    Kind = "invitation"      // admins: an invitation accepted
	KindFollow            Kind = "follow"          // someone follows me
	KindEventChanged      Kind = "event_changed"   // an event I said I come to changed
	KindEventCancelled    Kind = "event_cancelled" // an event I said I come to is cancelled
)

// Kinds lists every kind, in the order settings pages show them.
var Kinds = []Kind{KindMention, KindReply, KindAnswer, KindQuestion, KindHelpful, KindGoodPractice,
	KindFollow, KindForumGoodPractice, KindEventChanged, KindEventCancelled, KindReport, KindFollowRequest,
	KindInvitationUsed}

// Notification is one thing one member is told. There is at most one per
// member and event: the most specific kind wins (a mention over a reply
// over a watched thread's answer).
type Notification struct {
	ID       forum.ID // sorts by time of derivation
	MemberID forum.ID
	Kind     Kind
	EventID  forum.ID
	ActorID  forum.ID // who acted; empty when nobody known (a follow request)
	ForumID  forum.ID
	ThreadID forum.ID
	PostID   forum.ID
	// CreatedAt is the event's time.
	CreatedAt time.Time
	ReadAt    *time.Time
}

// Target is what a member watches: a thread or a forum.
type Target string

// Targets.
const (
	TargetThread Target = "thread"
	TargetForum  Target = "forum"
)

// Prefs are a member's notification settings.
type Prefs struct {
	// AutoWatch: threads I ask or answer are watched (default on).
	AutoWatch bool
	// Mail says, per kind, how I want it by email; a kind missing takes
	// DefaultMail.
	Mail map[Kind]MailMode
}

// MailMode is how a kind of notification reaches a member by email.
type MailMode string

// Mail modes.
const (
	MailNever  MailMode = "never"
	MailNow    MailMode = "now" // soon, several coalesced into one mail
	MailDaily  MailMode = "daily"
	MailWeekly MailMode = "weekly"
)

// Valid reports whether m is a known mode.
func (m MailMode) Valid() bool {
	return m == MailNever || m == MailNow || m == MailDaily || m == MailWeekly
}

// DefaultMail is the mode of a kind a member did not choose: mentions and
// replies at once, and changes to an event one comes to (a digest could
// tell them too late); the rest in a weekly digest.
func DefaultMail(k Kind) MailMode {
	switch k {
	case KindMention, KindReply, KindEventChanged, KindEventCancelled:
		return MailNow
	}
	return MailWeekly
}

// DefaultPrefs are a member's settings until they change them.
func DefaultPrefs() Prefs { return Prefs{AutoWatch: true, Mail: map[Kind]MailMode{}} }

// MailFor is how kind k reaches the member by email.
func (p Prefs) MailFor(k Kind) MailMode {
	if m, ok := p.Mail[k]; ok && m.Valid() {
		return m
	}
	return DefaultMail(k)
}

// Store is the storage notifications need. Implementations map driver
// errors onto forum.ErrNotFound and forum.ErrConflict.
type Store interface {
	// AddNotifications stores ns, skipping those whose (member, event)
	// is already stored; it returns those it stored.
	AddNotifications(ctx context.Context, ns []*Notification) ([]*Notification, error)
	// ListNotifications lists a member's notifications newest first, with
	// ID < beforeID ("" for the newest).
	ListNotifications(ctx context.Context, memberID, beforeID forum.ID, limit int) ([]*Notification, error)
	CountUnread(ctx context.Context, memberID forum.ID) (int, error)
	// MarkRead marks the member's notifications read: the ids given, or
	// all when ids is empty.
	MarkRead(ctx context.Context, memberID forum.ID, ids []forum.ID, at time.Time) error

	// SetWatch stores whether a member watches a target; auto only sets it
	// when the member never chose (no row yet).
	SetWatch(ctx context.Context, memberID forum.ID, t Target, id forum.ID, watching, auto bool, at time.Time) error
	// Watching reports whether the member watches the target.
	Watching(ctx context.Context, memberID forum.ID, t Target, id forum.ID) (bool, error)
	// Watchers lists the members watching a target.
	Watchers(ctx context.Context, t Target, id forum.ID) ([]forum.ID, error)

	NotifyPrefs(ctx context.Context, memberID forum.ID) (Prefs, error)
	SaveNotifyPrefs(ctx context.Context, memberID forum.ID, p Prefs) error

	// SetReadPosition records that the member has read thread up to
	// postID; it never moves a position back.
	SetReadPosition(ctx context.Context, memberID, threadID, postID forum.ID, at time.Time) error
	// ReadPositions are the member's positions in the threads given (a
	// thread never opened is missing).
	ReadPositions(ctx context.Context, memberID forum.ID, threadIDs []forum.ID) (map[forum.ID]forum.ID, error)
	// ThreadMarks reads, in one query, what a member's thread page shows
	// of their own: whether they watch the thread, their read position in
	// it, which of postIDs (the page's posts) they marked helpful, and
	// how many of their notifications are unread.
	ThreadMarks(ctx context.Context, memberID, threadID forum.ID, postIDs []forum.ID) (ThreadMarks, error)

	// Cursor and SetCursor keep the deriver's place in the event log;
	// TryLease and ReleaseLease let one process derive at a time.
	Cursor(ctx context.Context, name string) (string, error)
	SetCursor(ctx context.Context, name, value string) error
	TryLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
}

// Forum is what notify reads of the forum (forum.Service).
type Forum interface {
	Post(ctx context.Context, id forum.ID) (*forum.Post, error)
	Thread(ctx context.Context, id forum.ID) (*forum.Thread, error)
	ForumByID(ctx context.Context, id forum.ID) (*forum.Forum, error)
	Members(ctx context.Context, ids []forum.ID) (map[forum.ID]*forum.Member, error)
	MemberByUsername(ctx context.Context, username string) (*forum.Member, error)
	ListMembers(ctx context.Context, cursor string) (forum.Page[*forum.Member], error)
	HelpfulMarks(ctx context.Context, viewer *forum.Member, postIDs []forum.ID) (map[forum.ID]bool, error)
	WebinarOfThread(ctx context.Context, threadID forum.ID) (*forum.Webinar, error)
	Attendees(ctx context.Context, webinarID forum.ID, viewer *forum.Member) ([]*forum.Member, bool, error)
}

// ThreadMarks are a member's own marks on one page of a thread.
type ThreadMarks struct {
	Watching bool
	// Position is the newest post they have read ("": never opened).
	Position forum.ID
	// Helpful holds the page's posts they marked helpful.
	Helpful map[forum.ID]bool
	// Unread counts their unread notifications (every page's header).
	Unread int
}
