package personal

import (
	"context"
	"time"

	"github.com/metropolis/agora/forum"
)

// FollowState is where a member's follow of a remote person stands.
type FollowState string

// A follow of a remote person is requested until their server accepts it.
const (
	FollowRequested FollowState = "requested"
	FollowAccepted  FollowState = "accepted"
)

// PersonFollow is a member's follow of a remote person (a remote member
// record), sent as an ActivityPub Follow in the member's name. While it
// is accepted the member also follows the person like a local member
// (Follow), so their forum posts reach the home timeline as before.
type PersonFollow struct {
	ID        forum.ID
	MemberID  forum.ID // ours, the follower
	PersonID  forum.ID // the remote member record followed
	PersonURI string   // their actor id: only they may answer
	FollowID  string   // our Follow activity's id
	State     FollowState
	CreatedAt time.Time
}

// Status is a post of a remote person that belongs to no forum (a plain
// Mastodon status), kept because a member here follows its author. Only
// public and unlisted ones are kept; HTML is sanitized before it is
// stored.
type Status struct {
	ID         forum.ID // ours, given when it first arrived: timelines page by it
	URI        string   // its ActivityPub id
	URL        string   // its page, "" for none
	AuthorID   forum.ID // the remote member record
	HTML       string
	Summary    string // a content warning
	Sensitive  bool
	Language   string
	Visibility string // "public" or "unlisted"
	Published  time.Time
	Edited     time.Time // zero until edited
}

// People is what apps read of the remote people members follow; the
// federation side writes it.
type People interface {
	// PersonFollows returns the member's follows of those of personIDs
	// they follow or asked to follow, by person.
	PersonFollows(ctx context.Context, memberID forum.ID, personIDs []forum.ID) (map[forum.ID]*PersonFollow, error)
	// HomeStatuses are the statuses of the people the member follows
	// (accepted follows only), newest first, paged like HomePosts.
	HomeStatuses(ctx context.Context, memberID forum.ID, r Range, limit int) ([]*Status, error)
	// Status returns a status by its id here; forum.ErrNotFound if none.
	Status(ctx context.Context, id forum.ID) (*Status, error)
	// StatusesSince lists the ids of statuses first received after
	// afterID, oldest first (the live feed).
	StatusesSince(ctx context.Context, afterID forum.ID, limit int) ([]forum.ID, error)
}
