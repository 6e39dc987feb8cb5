// Package stored holds what the federation side keeps in the database:
// plain records with no behaviour, shared by the packages that read and
// write them (deliver, serve, join, keys, blocks) and by the storage that
// implements their Store interfaces. It imports nothing of the node, so
// every federation package may depend on it.
package stored

import (
	"time"

	"github.com/metropolis/agora/forum"
)

// ActorKey is the key pair of one of this node's actors. Owner names the
// actor: "instance", "member:<id>", "forum:<id>" or "thread:<id>".
type ActorKey struct {
	Owner      string
	PrivatePEM string
	PublicPEM  string
	CreatedAt  time.Time
}

// RemoteActor is what we know of an actor on another node.
type RemoteActor struct {
	URI          string
	Type         string // Person, Group, Application, Service
	Username     string // preferredUsername
	Domain       string // host of URI
	Inbox        string
	SharedInbox  string
	Outbox       string
	Followers    string
	KeyID        string
	PublicKeyPEM string
	Document     []byte // the JSON as fetched
	FetchedAt    time.Time
}

// ActorHandle is what WebFinger answered for acct:name@host: the actor a
// mention of @name@host names.
type ActorHandle struct {
	Acct       string // "name@host", lower-cased
	ActorURI   string
	ResolvedAt time.Time
}

// FollowState is where a follow stands.
type FollowState string

// Follow states.
const (
	FollowPending  FollowState = "pending"
	FollowAccepted FollowState = "accepted"
)

// Follower is a remote actor following one of this node's actors.
type Follower struct {
	ID          forum.ID
	Target      string // the followed local actor's URI (forum, thread, member, instance)
	ActorURI    string
	Inbox       string
	SharedInbox string
	FollowID    string // the Follow activity's id
	State       FollowState
	CreatedAt   time.Time
	// ActorType is the follower's actor type when its document is cached
	// ("" otherwise); read by ListFollowers, never stored.
	ActorType string
}

// FollowerInbox is an inbox where some of an actor's accepted followers
// receive its activities (a shared inbox counts once, however many
// followers it serves), and whether they are people (Person, Service)
// rather than servers (instance actors, forums, unknown types).
type FollowerInbox struct {
	Inbox  string
	Person bool
}

// Following is a remote actor that one of this node's actors follows.
type Following struct {
	ID        forum.ID
	ActorURI  string // our follower (the instance actor for joined forums)
	ObjectURI string // the remote actor followed
	FollowID  string // our Follow activity's id
	ForumID   forum.ID
	State     FollowState
	CreatedAt time.Time
}

// OutboxActivity is an activity this node published.
type OutboxActivity struct {
	ID        forum.ID
	URI       string // the activity's id
	ActorURI  string
	Type      string
	ObjectURI string
	Body      []byte
	Public    bool // listed in the actor's outbox
	CreatedAt time.Time
}

// DeliveryState is where a delivery stands.
type DeliveryState string

// Delivery states.
const (
	DeliveryPending DeliveryState = "pending"
	DeliveryDone    DeliveryState = "done"
	DeliveryFailed  DeliveryState = "failed"  // gave up after retries or a permanent error
	DeliveryDropped DeliveryState = "dropped" // host blocked
)

// Delivery is one activity to send to one inbox.
type Delivery struct {
	ID         forum.ID
	ActivityID forum.ID // OutboxActivity.ID
	Inbox      string
	Host       string
	// OrderKey names what the activity is about (a post, a followed
	// actor): deliveries with the same key to one host go one at a time,
	// in order. Empty: no order with anything.
	OrderKey      string
	State         DeliveryState
	Attempts      int
	NextAttemptAt time.Time
	LeaseUntil    *time.Time
	LastStatus    int
	LastError     string
	CreatedAt     time.Time
	FinishedAt    *time.Time
}

// DeliveryStats counts the queue, for the admin and metrics.
type DeliveryStats struct {
	Pending, Done, Failed, Dropped int
	OldestPending                  *time.Time
}

// HostHealth is a remote host's record of deliveries.
type HostHealth struct {
	Host             string
	ConsecutiveFails int
	OpenUntil        *time.Time // circuit open: no attempts before then
	LastSuccess      *time.Time
	LastFailure      *time.Time
	Delivered        int
	Failed           int
}

// Tombstone remembers a deleted remote object.
type Tombstone struct {
	URI       string
	DeletedAt time.Time
}

// DomainBlock is an instance this node refuses.
type DomainBlock struct {
	Domain    string
	Reason    string
	CreatedAt time.Time
}

// JoinState is where a join job stands.
type JoinState string

// Join states.
const (
	JoinQueued      JoinState = "queued"
	JoinResolving   JoinState = "resolving"   // WebFinger, the actor's fetch, the mirror
	JoinFollowing   JoinState = "following"   // queueing the Follow
	JoinBackfilling JoinState = "backfilling" // Done of Total threads fetched
	JoinWaiting     JoinState = "waiting"     // for the forum's Accept
	JoinDone        JoinState = "done"
	JoinFailed      JoinState = "failed" // Error says why
)

// JoinJob is one admin's request to join a remote forum.
type JoinJob struct {
	ID            forum.ID
	Target        string   // a forum URL or @name@host, as given
	RequestedBy   forum.ID // the admin ("" for the command line)
	State         JoinState
	ForumURI      string   // once resolved
	ForumID       forum.ID // the mirror, once saved
	Done, Total   int      // threads backfilled
	Attempts      int      // failed attempts so far
	Error         string   // the last failure, technical (logs, command line)
	Reason        string   // the last failure as a code (join.Reason*), for pages
	NextAttemptAt time.Time
	LeaseHolder   string
	LeaseUntil    *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Ended reports whether no worker will carry the job further.
func (j *JoinJob) Ended() bool {
	return j.State == JoinWaiting || j.State == JoinDone || j.State == JoinFailed
}

// ParkedEvent is an event the publisher set aside until RetryAt: a
// recipient it needs could not be resolved yet (Reason), Attempts times.
type ParkedEvent struct {
	Event    *forum.Event
	RetryAt  time.Time
	Attempts int
	Reason   string
}

// InboxItem is an activity received and verified, waiting to be applied.
type InboxItem struct {
	ID            forum.ID
	ActivityID    string // unique: a second delivery is a duplicate
	ActorURI      string // the verified signer's actor
	Body          []byte
	ReceivedAt    time.Time
	Attempts      int
	NextAttemptAt time.Time
	ProcessedAt   *time.Time
	FailedAt      *time.Time
	LastError     string
}

// Refusal is the record of an activity refused after the inbox accepted
// it: kept (the newest Config.KeepRefusals) so an admin can see what was
// dropped and why.
type Refusal struct {
	ID         forum.ID
	ItemID     forum.ID // the inbox item refused
	ActivityID string
	ActorURI   string // the verified signer
	Host       string // the signer's host, lowercased
	Type       string // the activity's type as sent ("" if unreadable)
	Reason     string // one of the reason codes (apply.Reason*)
	Detail     string // the error, for people
	RefusedAt  time.Time
}

// RefusalQuery selects refusals, newest first. Empty fields select all;
// Limit <= 0 means no limit.
type RefusalQuery struct {
	Reason string
	Host   string
	Limit  int
}
