package forum

import (
	"context"
	"time"
)

// AccountStore keeps members, invitations, sign-in links and sessions
// (members.go).
type AccountStore interface {
	CreateMember(ctx context.Context, m *Member) error // ErrConflict if the username (or URI) is taken
	UpdateMember(ctx context.Context, m *Member) error
	MemberByID(ctx context.Context, id ID) (*Member, error)
	// MemberToChange is MemberByID for a transaction that writes the
	// member back whole: the row stays locked until the transaction
	// ends, so two such changes apply one after the other, the second to
	// what the first wrote (a demotion is not undone by a profile saved at
	// the same moment).
	MemberToChange(ctx context.Context, id ID) (*Member, error)
	// LocalMemberByUsername finds a member of this node (Domain "").
	LocalMemberByUsername(ctx context.Context, username string) (*Member, error)
	MembersByIDs(ctx context.Context, ids []ID) (map[ID]*Member, error)
	// MemberByURI finds a remote member by ActivityPub id.
	MemberByURI(ctx context.Context, uri string) (*Member, error)
	// ListMembers orders local members by username.
	ListMembers(ctx context.Context, afterUsername string, limit int) ([]*Member, error)
	CountLocalMembers(ctx context.Context) (int, error)

	CreateInvitation(ctx context.Context, inv *Invitation) error
	InvitationByTokenHash(ctx context.Context, hash string) (*Invitation, error)
	// UseInvitation marks the invitation used by memberID, only if it is
	// still unused; otherwise ErrConflict (two people racing for one link).
	UseInvitation(ctx context.Context, id ID, memberID ID, at time.Time) error
	// ListInvitations orders invitations newest first.
	ListInvitations(ctx context.Context, beforeID ID, limit int) ([]*Invitation, error)

	CreateLoginToken(ctx context.Context, t *LoginToken) error
	// LoginTokenByHash returns an unused, unexpired token, else ErrNotFound.
	LoginTokenByHash(ctx context.Context, hash string, now time.Time) (*LoginToken, error)
	// UseLoginToken marks the token used if it exists, is unused and has not
	// expired at now, and returns it; otherwise ErrNotFound.
	UseLoginToken(ctx context.Context, hash string, now time.Time) (*LoginToken, error)

	CreateSession(ctx context.Context, s *Session) error
	// SessionByTokenHash returns an unexpired session, else ErrNotFound.
	SessionByTokenHash(ctx context.Context, hash string, now time.Time) (*Session, error)
	// SessionMember returns the member (with their languages) of an
	// unexpired session, else ErrNotFound: what every signed-in request
	// reads, in one query.
	SessionMember(ctx context.Context, hash string, now time.Time) (*Member, error)
	DeleteSession(ctx context.Context, hash string) error
	DeleteMemberSessions(ctx context.Context, memberID ID) error
}

// ForumStore keeps forums, their texts and policies (forums.go).
type ForumStore interface {
	// CreateForum stores a forum with its texts and policy; ErrConflict if
	// the slug (or URI) is taken.
	CreateForum(ctx context.Context, f *Forum) error
	// UpdateForum stores every field, replacing texts and listed instances.
	UpdateForum(ctx context.Context, f *Forum) error
	ForumByID(ctx context.Context, id ID) (*Forum, error)
	// ForumToChange is ForumByID for a transaction that writes the forum
	// back whole, locked as MemberToChange.
	ForumToChange(ctx context.Context, id ID) (*Forum, error)
	ForumBySlug(ctx context.Context, slug string) (*Forum, error)
	ForumsByIDs(ctx context.Context, ids []ID) (map[ID]*Forum, error)
	// ForumByURI finds a remote forum by ActivityPub id.
	ForumByURI(ctx context.Context, uri string) (*Forum, error)
	// ListForums orders forums by (Position, ID).
	ListForums(ctx context.Context, after ForumCursor, limit int) ([]*Forum, error)
}

// ThreadStore keeps threads (threads.go, posts.go, moderation.go, remote.go).
type ThreadStore interface {
	// CreateThread stores the thread and its question post; ErrConflict if
	// the thread's URI is taken.
	CreateThread(ctx context.Context, t *Thread, question *Post) error
	// UpdateThread stores every field of t.
	UpdateThread(ctx context.Context, t *Thread) error
	// AddThreadReplies counts n new replies and moves the last post to
	// lastPostID if it is newer, atomically in the database (no read of
	// the thread needed, no lock held on it beyond the statement's).
	AddThreadReplies(ctx context.Context, threadID ID, n int, lastPostID ID, lastPostAt time.Time) error
	// ReadThread is ThreadByID without locking the row for update inside
	// a transaction (PostgreSQL): for writers using AddThreadReplies.
	ReadThread(ctx context.Context, id ID) (*Thread, error)
	ThreadByID(ctx context.Context, id ID) (*Thread, error)
	// ThreadByURI finds a remote thread by its question's ActivityPub id.
	ThreadByURI(ctx context.Context, uri string) (*Thread, error)
	// ListThreads lists a forum's threads that are not deleted, pinned first,
	// then by LastPostID descending, then ID descending.
	ListThreads(ctx context.Context, forumID ID, after ThreadCursor, limit int) ([]*Thread, error)
	// CountThreads counts a forum's threads that are not deleted.
	CountThreads(ctx context.Context, forumID ID) (int, error)
	// ListTaggedThreads lists the threads with a post anyone may read
	// that carries tag (normalized), each with the newest such post, by
	// that post's ID descending, those whose post is older than before
	// ("" for none).
	ListTaggedThreads(ctx context.Context, tag string, before ID, limit int) ([]TaggedThread, error)
}

// PostStore keeps posts, their revisions, helpful marks and shares
// (posts.go, remote.go).
type PostStore interface {
	// CreatePost stores a post and its translations; ErrConflict if its URI
	// is taken.
	CreatePost(ctx context.Context, p *Post) error
	// UpdatePost stores every field of p, replacing its translations.
	UpdatePost(ctx context.Context, p *Post) error
	PostByID(ctx context.Context, id ID) (*Post, error)
	// PostByURI finds a remote post by ActivityPub id.
	PostByURI(ctx context.Context, uri string) (*Post, error)
	// ListPosts lists a thread's posts, tombstones included, by
	// (BranchID, ID): the question, then each answer followed by its replies.
	ListPosts(ctx context.Context, threadID ID, after PostCursor, limit int) ([]*Post, error)
	// ListPostsByHelpful lists a thread's posts with the question first,
	// then each answer followed by its replies, answers ranked by
	// HelpfulCursor (good practices, then the most helpful, then the
	// oldest), each with its place in that order (the next page's key).
	ListPostsByHelpful(ctx context.Context, threadID ID, after HelpfulCursor, limit int) ([]RankedPost, error)
	// CountLocalPosts counts posts written on this node that still stand
	// (in threads that still stand).
	CountLocalPosts(ctx context.Context) (int, error)
	// ListMemberPosts lists a member's posts that are not deleted, newest first.
	ListMemberPosts(ctx context.Context, memberID ID, beforeID ID, limit int) ([]*Post, error)

	CreateRevision(ctx context.Context, r *Revision) error
	// ListRevisions lists a post's earlier versions, oldest first.
	ListRevisions(ctx context.Context, postID ID) ([]*Revision, error)

	// AddHelpful records memberID's mark on postID; ErrConflict if present.
	AddHelpful(ctx context.Context, postID, memberID ID, at time.Time) error
	// RemoveHelpful removes the mark; ErrNotFound if there was none.
	RemoveHelpful(ctx context.Context, postID, memberID ID) error
	// AddShare records that memberID shared postID; ErrConflict if present.
	AddShare(ctx context.Context, postID, memberID ID, at time.Time) error
	// RemoveShare removes the share; ErrNotFound if there was none.
	RemoveShare(ctx context.Context, postID, memberID ID) error
	// HelpfulMarks reports which of postIDs memberID has marked.
	HelpfulMarks(ctx context.Context, memberID ID, postIDs []ID) (map[ID]bool, error)
}

// ReportStore keeps reports of posts (reports.go).
type ReportStore interface {
	// CreateReport stores a report; ErrConflict if its URI is taken.
	CreateReport(ctx context.Context, r *Report) error
	ReportByID(ctx context.Context, id ID) (*Report, error)
	// UpdateReport stores every field of r.
	UpdateReport(ctx context.Context, r *Report) error
	// ListOpenReports lists unresolved reports newest first, before beforeID.
	ListOpenReports(ctx context.Context, beforeID ID, limit int) ([]*Report, error)
}

// EventStore is the event log every change is recorded in, in the
// change's transaction (events.go); the publisher and the live feed read
// it.
type EventStore interface {
	// AppendEvent adds to the event log (in the caller's transaction).
	AppendEvent(ctx context.Context, e *Event) error
	// ListEvents lists events with ID > afterID, oldest first.
	ListEvents(ctx context.Context, afterID ID, limit int) ([]*Event, error)
	// ListEventIDs lists the IDs of the events after afterID, in order.
	ListEventIDs(ctx context.Context, afterID ID, limit int) ([]ID, error)
}

// Store is the storage the domain needs. Implementations map their driver
// errors onto ErrNotFound and ErrConflict. List methods return at most
// limit items in the order documented, starting strictly after the cursor
// (a zero cursor means from the start).
//
// It is the union of the smaller stores below, one per part of the domain
// (accounts, forums, threads, posts, reports, the event log…): code that
// needs one part takes that one (bench seeding, say, takes Store for
// Atomic).
type Store interface {
	// Atomic runs fn in one transaction: every write made through tx
	// commits together or not at all.
	Atomic(ctx context.Context, fn func(ctx context.Context, tx Store) error) error
	Ping(ctx context.Context) error

	AccountStore
	ForumStore
	ThreadStore
	PostStore
	ReportStore
	EventStore

	GoodPracticeStore
	CityStore
	WebinarStore
	ModerationLogStore
}

// GoodPracticeStore reads the answers marked good practices.
type GoodPracticeStore interface {
	// ListGoodPractices lists marked answers that are not deleted, in
	// threads that are not, of one forum ("" for all), newest mark first.
	ListGoodPractices(ctx context.Context, forumID ID, limit int) ([]*Post, error)
	// CountGoodPractices counts the marked answers (not deleted) of each
	// of threadIDs; threads with none are left out.
	CountGoodPractices(ctx context.Context, threadIDs []ID) (map[ID]int, error)
}

// ForumCursor is the position after which ListForums continues.
type ForumCursor struct {
	Position int
	ID       ID
}

// ThreadCursor is the position after which ListThreads continues.
type ThreadCursor struct {
	Pinned     bool
	LastPostID ID
	ID         ID
}

// PostCursor is the position after which ListPosts continues.
type PostCursor struct {
	BranchID ID
	ID       ID
}

// HelpfulCursor is a post's place when answers are ranked by helpfulness:
// by its branch's answer (the question's branch first, then good
// practices, then the most marked helpful), then by (BranchID, ID) as in
// time order. Keyset paging: a page starts after a place, not at an
// offset, so answers posted meanwhile shift nothing.
type HelpfulCursor struct {
	Answer   bool // not the question's branch
	Plain    bool // the branch's answer is not a good practice
	Helpful  int  // the branch's answer's helpful marks
	BranchID ID
	ID       ID
}

// RankedPost is a post with its place (ListPostsByHelpful).
type RankedPost struct {
	Post  *Post
	Place HelpfulCursor
}
