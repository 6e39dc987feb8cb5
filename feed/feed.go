// Package feed writes syndication feeds (Atom 1.0 and RSS 2.0) of what
// a visitor may read: the node's questions, a forum's, a thread's posts, a
// tag's, a member's, the good practices. It selects the entries through
// its Store (only posts that stand, none of a blocked instance) and writes
// the XML; web serves it with validators for conditional requests.
//
// The XML is written with encoding/xml rather than a feed library:
// gorilla/feeds, the well-kept Go writer, has no language per entry (its
// AtomEntry and RssItem carry no xml:lang, RSS only a channel
// <language>), and every entry here is in its own language.
package feed

import (
	"context"
	"time"

	"github.com/metropolis/agora/forum"
)

// Query selects a feed's posts, newest first. Zero fields do not filter.
type Query struct {
	ForumID  forum.ID
	ThreadID forum.ID
	AuthorID forum.ID
	Tag      string // lower-case, as post_tags holds it
	// GoodPractice keeps posts marked as good practices.
	GoodPractice bool
	// Questions keeps the questions (a thread's first post).
	Questions bool
	Limit     int
}

// Post is a post as a feed entry shows it.
type Post struct {
	PostID, ThreadID, ForumID, AuthorID forum.ID
	// Title is the thread's, in ThreadLanguage.
	Title          string
	ThreadLanguage string
	Language       string // the post's
	HTML           string // sanitized when stored
	Question       bool
	CreatedAt      time.Time
	EditedAt       *time.Time
}

// Updated is when the post last changed.
func (p Post) Updated() time.Time {
	if p.EditedAt != nil && p.EditedAt.After(p.CreatedAt) {
		return *p.EditedAt
	}
	return p.CreatedAt
}

// Store is what the database answers. storage.Store implements it.
type Store interface {
	// FeedPosts lists the posts anyone may read that q selects: not
	// deleted, in a thread that is not, by an author and in a forum of no
	// blocked instance; newest first.
	FeedPosts(ctx context.Context, q Query) ([]Post, error)
	MembersByIDs(ctx context.Context, ids []forum.ID) (map[forum.ID]*forum.Member, error)
}

// Size is how many entries a feed holds: readers poll, so they only need
// what is new since their last visit.
const Size = 50
