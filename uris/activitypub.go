package uris

import (
	"fmt"
	"net/url"
	"strings"
)

// ActivityPub URLs. Actors and objects share their page's URL (content
// negotiation serves HTML or JSON); the rest hang under them.

// InstanceActorPath is the node's own actor (it signs fetches).
func InstanceActorPath() string { return "/actor" }

// SharedInboxPath receives activities for every actor of the node.
func SharedInboxPath() string { return "/inbox" }

// InboxPath is an actor's own inbox.
func InboxPath(actorPath string) string { return actorPath + "/inbox" }

// OutboxPath lists an actor's recent activities.
func OutboxPath(actorPath string) string { return actorPath + "/outbox" }

// FollowersPath is an actor's followers collection.
func FollowersPath(actorPath string) string { return actorPath + "/followers" }

// FollowingPath is an actor's following collection.
func FollowingPath(actorPath string) string { return actorPath + "/following" }

// ModeratorsPath is a forum's moderators collection (FEP-1b12 attributedTo).
func ModeratorsPath(slug string) string { return ForumPath(slug) + "/moderators" }

// FeaturedPath is a forum's pinned threads.
func FeaturedPath(slug string) string { return ForumPath(slug) + "/featured" }

// GoodPracticesPath is a forum's good practices: the answers its
// moderators marked (an OrderedCollection, and the page listing them).
func GoodPracticesPath(slug string) string { return ForumPath(slug) + GoodPracticesSuffix }

// GoodPracticesSuffix follows a forum's id to name its good-practices
// collection, on every agora node.
const GoodPracticesSuffix = "/good-practices"

// ThreadActorPath is a thread's followable actor: Mastodon users follow
// one thread through it (handle t-<id>).
func ThreadActorPath(threadID string) string { return ThreadPath(threadID) + "/actor" }

// ThreadHandlePrefix starts every thread actor's handle; member and forum
// names may not start with it.
const ThreadHandlePrefix = "t-"

// ThreadHandle is a thread actor's preferredUsername.
func ThreadHandle(threadID string) string { return ThreadHandlePrefix + threadID }

// ContextPath is a thread's context collection (FEP-7888).
func ContextPath(threadID string) string { return ThreadPath(threadID) + "/context" }

// ActivityPath is an activity this node published.
func ActivityPath(id string) string { return "/activities/" + url.PathEscape(id) }

// KeyFragment names an actor's key inside its document.
const KeyFragment = "#main-key"

// Abs makes a path absolute under the node's base URL.
func (b *Builder) Abs(path string) string { return b.base + path }

// InstanceActor is the instance actor's id.
func (b *Builder) InstanceActor() string { return b.base + InstanceActorPath() }

// SharedInbox is the node's shared inbox.
func (b *Builder) SharedInbox() string { return b.base + SharedInboxPath() }

// KeyID is the id of an actor's key.
func (b *Builder) KeyID(actorURL string) string { return actorURL + KeyFragment }

// ThreadActor is a thread actor's id.
func (b *Builder) ThreadActor(threadID string) string { return b.base + ThreadActorPath(threadID) }

// Context is a thread's context collection.
func (b *Builder) Context(threadID string) string { return b.base + ContextPath(threadID) }

// Activity is an activity's id.
func (b *Builder) Activity(id string) string { return b.base + ActivityPath(id) }

// Roles of the activities an event yields beside its own (EventActivity).
const (
	RoleAnnounce = "announce" // the forum's Announce of the activity (FEP-1b12), to servers
	RolePeople   = "people"   // the forum's boost of a new question, to people
	RoleThread   = "thread"   // the thread actor's boost of a new answer, to people
	RoleLike     = "like"     // the Like an Undo{Like} names
	RoleLock     = "lock"     // the Lock an Undo{Lock} names
)

// EventActivity is the id of an activity an event yields beside its own
// (its forum's Announce, a boost…): the same event and role always give
// the same id, so publishing an event again adds nothing.
func (b *Builder) EventActivity(eventID, role string) string { return b.Activity(eventID + "-" + role) }

// Kind says what a local URL names.
type Kind int

// Kinds of local URL.
const (
	KindNone Kind = iota
	KindInstance
	KindMember
	KindForum
	KindThread
	KindPost
	KindActivity
	KindThreadActor
	KindWebinar
)

// Parse tells what a URL of this node names, and its key (username, slug
// or ID). URLs of other hosts, and paths that name nothing, give KindNone.
func (b *Builder) Parse(raw string) (Kind, string) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme+"://"+u.Host != b.base || u.RawQuery != "" || u.Fragment != "" {
		return KindNone, ""
	}
	if u.Path == InstanceActorPath() {
		return KindInstance, ""
	}
	parts := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
	if len(parts) == 3 && parts[0] == "t" && parts[1] != "" && parts[2] == "actor" {
		return KindThreadActor, parts[1]
	}
	if len(parts) != 2 || parts[1] == "" {
		return KindNone, ""
	}
	switch parts[0] {
	case "u":
		return KindMember, parts[1]
	case "f":
		return KindForum, parts[1]
	case "t":
		return KindThread, parts[1]
	case "p":
		return KindPost, parts[1]
	case "activities":
		return KindActivity, parts[1]
	case "e":
		return KindWebinar, parts[1]
	}
	return KindNone, ""
}

// IsLocal reports whether a URL is on this node.
func (b *Builder) IsLocal(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme+"://"+u.Host == b.base
}

// ActorOutbox is the outbox of an actor of this node, by the actor's id.
func ActorOutbox(actorID string) string { return OutboxPath(actorID) }

// ActorFollowers is the followers collection of an actor of this node, by
// the actor's id.
func ActorFollowers(actorID string) string { return FollowersPath(actorID) }

// ActorFollowing is the following collection of an actor of this node, by
// the actor's id.
func ActorFollowing(actorID string) string { return FollowingPath(actorID) }

// ForumGoodPractices is the good-practices collection of a forum, this
// node's or a joined one's, by the forum's actor id: where its Add and
// Remove of good practices point.
func ForumGoodPractices(forumID string) string { return forumID + GoodPracticesSuffix }

// FirstPage names a paged collection's first page (collections are paged
// by cursor; see CollectionPage).
const FirstPage = "first"

// CollectionPage is one page of a collection: FirstPage, or the cursor a
// page's next link carries.
func CollectionPage(collectionID, page string) string {
	return collectionID + "?" + url.Values{"page": {page}}.Encode()
}

// Discovery documents (RFC 7033, RFC 6415, NodeInfo 2.1), served at fixed
// paths of every host.
const (
	WebFingerPath     = "/.well-known/webfinger"
	HostMetaPath      = "/.well-known/host-meta"
	NodeInfoLinksPath = "/.well-known/nodeinfo"
	NodeInfoPath      = "/nodeinfo/2.1"
)

// WebFingerTemplate is the LRDD template host-meta gives: WebFinger with
// the resource left to fill in.
func (b *Builder) WebFingerTemplate() string { return b.base + WebFingerPath + "?resource={uri}" }

// NodeInfo is the node's NodeInfo 2.1 document.
func (b *Builder) NodeInfo() string { return b.base + NodeInfoPath }

// WebFinger is the WebFinger query for acct:name@host on that host,
// over scheme (the peer's scheme follows ours: https in production, http
// on loopback).
func WebFinger(scheme, acct string) (string, error) {
	_, host, ok := strings.Cut(acct, "@")
	if !ok || host == "" || (scheme != "http" && scheme != "https") {
		return "", fmt.Errorf("webfinger of %q: want name@host over http(s)", acct)
	}
	return scheme + "://" + host + WebFingerPath + "?" + url.Values{"resource": {"acct:" + acct}}.Encode(), nil
}
