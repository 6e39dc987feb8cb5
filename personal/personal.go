// Package personal keeps what a member keeps for themself and that only
// apps show: the people they follow (beside the forums and threads they
// watch, package notify), their bookmarks, their read markers, and the
// timelines made from them. The Mastodon client API (web/mastoapi) is its
// reader; the forum's rules are not here.
package personal

import (
	"context"
	"time"

	"github.com/metropolis/agora/forum"
)

// Range is a page of a timeline in Mastodon's terms: posts older than
// MaxID, newer than SinceID (newest first), or right after MinID (the
// oldest first, for reading forward). Empty bounds are open.
type Range struct {
	MaxID   forum.ID
	SinceID forum.ID
	MinID   forum.ID
}

// Marker is a member's read position in one timeline ("home" or
// "notifications"); Version counts its updates.
type Marker struct {
	Timeline   string
	LastReadID forum.ID
	Version    int
	UpdatedAt  time.Time
}

// Store is what the package keeps. Lists of posts leave out deleted posts
// and posts of deleted threads, and come newest first whatever the range.
type Store interface {
	People // the remote people members follow from apps, and their statuses

	// HomePosts are a member's home timeline: new questions in the forums
	// they watch, answers in the threads they watch, posts of the people
	// they follow, and their own posts.
	HomePosts(ctx context.Context, memberID forum.ID, r Range, limit int) ([]*forum.Post, error)
	// PublicPosts are every post of the node (localOnly: written here).
	PublicPosts(ctx context.Context, localOnly bool, r Range, limit int) ([]*forum.Post, error)

	// Follow records that follower follows followee; following twice is
	// not an error.
	Follow(ctx context.Context, followerID, followeeID forum.ID, at time.Time) error
	// Unfollow removes it; unfollowing nobody is not an error.
	Unfollow(ctx context.Context, followerID, followeeID forum.ID) error
	// Followed tells which of ids follower follows.
	Followed(ctx context.Context, followerID forum.ID, ids []forum.ID) (map[forum.ID]bool, error)
	// CountFollows counts whom a member follows and who follows them.
	CountFollows(ctx context.Context, memberID forum.ID) (following, followers int, err error)

	AddBookmark(ctx context.Context, memberID, postID forum.ID, at time.Time) error
	RemoveBookmark(ctx context.Context, memberID, postID forum.ID) error
	// Bookmarked tells which of postIDs the member bookmarked.
	Bookmarked(ctx context.Context, memberID forum.ID, postIDs []forum.ID) (map[forum.ID]bool, error)
	// BookmarkedPosts lists the member's bookmarked posts by post id.
	BookmarkedPosts(ctx context.Context, memberID forum.ID, r Range, limit int) ([]*forum.Post, error)

	// SetMarker moves a read marker and returns it with its new version.
	SetMarker(ctx context.Context, memberID forum.ID, timeline string, lastReadID forum.ID, at time.Time) (*Marker, error)
	// Markers returns the member's markers of the timelines named.
	Markers(ctx context.Context, memberID forum.ID, timelines []string) ([]*Marker, error)
}
