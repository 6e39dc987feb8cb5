// Package ap is the node's ActivityPub vocabulary: plain Go structs for the
// actors, objects and activities we send and accept, converted to and from
// go-fed's streams types, and one serializer that every outgoing document
// goes through.
//
// The rest of federation/ works with these structs only; go-fed's vocab
// types stay inside this package.
package ap

import "time"

// Public is the special collection that makes a post public.
const Public = "https://www.w3.org/ns/activitystreams#Public"

// An Event's ical:status values (RFC 5545 STATUS).
const (
	EventConfirmed = "CONFIRMED"
	EventTentative = "TENTATIVE"
	EventCancelled = "CANCELLED"
)

// Actor types.
const (
	TypePerson      = "Person"
	TypeGroup       = "Group"
	TypeApplication = "Application"
	TypeService     = "Service"
)

// Object types.
const (
	TypePage      = "Page"
	TypeNote      = "Note"
	TypeArticle   = "Article"
	TypeQuestion  = "Question"
	TypeTombstone = "Tombstone"
	// Read, never written: PeerTube's videos and Mobilizon's events.
	TypeVideo = "Video"
	TypeEvent = "Event"
	// An attachment's type: a local post's images are written as Image.
	TypeImage = "Image"
)

// Activity types.
const (
	TypeCreate   = "Create"
	TypeUpdate   = "Update"
	TypeDelete   = "Delete"
	TypeFollow   = "Follow"
	TypeAccept   = "Accept"
	TypeJoin     = "Join"
	TypeLeave    = "Leave"
	TypeReject   = "Reject"
	TypeUndo     = "Undo"
	TypeLike     = "Like"
	TypeAnnounce = "Announce"
	TypeFlag     = "Flag"
	TypeBlock    = "Block"
	TypeAdd      = "Add"
	TypeRemove   = "Remove"
	TypeLock     = "Lock" // Lemmy's thread lock (FEP-1b12 moderation)
)

// PublicKey is an actor's signing key (security v1 vocabulary).
type PublicKey struct {
	ID    string // <actor>#main-key
	Owner string // the actor's id
	PEM   string // PKIX "PUBLIC KEY"
}

// PropertyValue is a profile field, as Mastodon shows it.
type PropertyValue struct {
	Name  string
	Value string // HTML
}

// Actor is a Person (member), Group (forum), Application (instance actor) or
// Service.
type Actor struct {
	ID                string
	Type              string
	PreferredUsername string
	Name              string
	Summary           string // HTML
	// NameMap and SummaryMap are the name and summary by language (a
	// forum's title and description in each language it has).
	NameMap     map[string]string
	SummaryMap  map[string]string
	URL         string // the profile page for people
	Inbox       string
	Outbox      string
	Followers   string
	Following   string
	Featured    string // pinned threads (forums)
	SharedInbox string // endpoints.sharedInbox
	PublicKey   PublicKey
	Published   time.Time
	// Mastodon extensions.
	ManuallyApprovesFollowers bool
	Discoverable              bool
	Indexable                 bool
	Attachment                []PropertyValue
	// AttributedTo is a forum's moderators collection (Lemmy, FEP-1b12).
	AttributedTo string
	// PostingRestrictedToMods is Lemmy's flag on a Group.
	PostingRestrictedToMods bool
	// Languages the actor writes in (BCP 47), sent as Lemmy-style language objects.
	Languages []string
	// Icon is the actor's picture (a member's avatar), nil for none.
	Icon *Image
}

// Image is a picture an object points to (an actor's icon).
type Image struct {
	URL       string
	MediaType string
}

// Source is the markup a post was written in (markdown for us).
type Source struct {
	Content   string
	MediaType string // "text/markdown"
}

// Tag is a Mention or a Hashtag on a post.
type Tag struct {
	Type string // "Mention" or "Hashtag"
	Href string
	Name string // "@user@host" or "#tag"
}

// Object is a Page (question), Note (answer), Article (NodeBB/Discourse
// first posts) or Tombstone.
type Object struct {
	ID           string
	Type         string
	AttributedTo string
	Name         string            // a question's title
	NameMap      map[string]string // titles by language
	Content      string            // HTML, in the original language
	ContentMap   map[string]string // HTML by language
	Summary      string            // plain first paragraph for timelines (questions)
	Replies      string            // the replies collection's id
	Source       *Source
	// Language is the original language (BCP 47), sent as Lemmy's
	// `language` object and as the key of contentMap/nameMap.
	Language  string
	InReplyTo string
	Audience  string // the forum (FEP-1b12)
	Context   string // the thread's context collection (FEP-7888)
	URL       string
	To        []string
	Cc        []string
	Tag       []Tag
	Published time.Time
	Updated   *time.Time
	Sensitive bool
	// Links are the hrefs of Link attachments: what a link post (Lemmy,
	// Mbin, PieFed) points to. Read, never written.
	Links []string
	// Attachments are media (attachment, image; a Video's icon). Read
	// from received objects; written as `attachment` (a local post's
	// images, with their alt text as name).
	Attachments []Attachment
	// A Question's options; Multiple when several may be chosen (anyOf).
	Options  []PollOption
	Multiple bool
	// StartTime and Location are an Event's; EndTime an Event's end or a
	// poll's closing.
	StartTime *time.Time
	EndTime   *time.Time
	Location  string
	// TimeZone is an Event's IANA zone (FEP-8a8e timezone); LocationURL
	// its online location (a VirtualLocation's url).
	TimeZone    string
	LocationURL string
	// EventStatus is an Event's ical:status (RFC 5545 STATUS, as
	// Mobilizon writes it): EventConfirmed, EventCancelled, or "".
	EventStatus string
	// Tombstones only.
	FormerType string
	Deleted    *time.Time
}

// Ref is what an activity's object is: an IRI, or an embedded object,
// activity or actor. Exactly one field is set.
type Ref struct {
	IRI      string
	Object   *Object
	Activity *Activity
	Actor    *Actor
}

// ID is the referenced thing's id, embedded or not.
func (r Ref) ID() string {
	switch {
	case r.Object != nil:
		return r.Object.ID
	case r.Activity != nil:
		return r.Activity.ID
	case r.Actor != nil:
		return r.Actor.ID
	}
	return r.IRI
}

// Activity is any activity we send or accept.
type Activity struct {
	ID     string
	Type   string
	Actor  string
	Object Ref
	// MoreObjects are further object IRIs when `object` is a list: Mastodon's
	// Flag names the reported account first, then the reported posts.
	MoreObjects []string
	Target      string
	To          []string
	Cc          []string
	Audience    string
	Published   time.Time
	// Summary carries a Delete's or Flag's reason (Lemmy), Content a Flag's
	// comment (Mastodon).
	Summary string
	Content string
}

// Collection is an OrderedCollection or one of its pages.
type Collection struct {
	ID         string
	Type       string // "OrderedCollection" or "OrderedCollectionPage"
	TotalItems *int
	First      string
	Last       string
	Next       string
	Prev       string
	PartOf     string
	// Items are IRIs or embedded objects/activities, in order.
	Items []Ref
	// AttributedTo is FEP-7888's thread starter on a context collection.
	AttributedTo string
}
