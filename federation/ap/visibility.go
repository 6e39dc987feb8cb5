package ap

import "slices"

// Visibility is who a post or an activity is addressed to, read from its
// to and cc (Mastodon's names for the classes). bto/bcc are never read:
// a server strips them before delivery, and they only ever narrow.
type Visibility string

const (
	// VisibilityPublic: the public collection is a primary recipient (to).
	VisibilityPublic Visibility = "public"
	// VisibilityUnlisted: the public collection is a secondary recipient
	// (cc): anyone may read it, timelines don't push it.
	VisibilityUnlisted Visibility = "unlisted"
	// VisibilityLimited: no public collection anywhere — followers only,
	// a direct message, a private message to a member or a thread actor.
	VisibilityLimited Visibility = "limited"
)

// VisibilityOf classifies an audience. The compact forms of the public
// collection ("as:Public", "Public") are already the full IRI here: the
// parser writes them so.
func VisibilityOf(to, cc []string) Visibility {
	switch {
	case slices.Contains(to, Public):
		return VisibilityPublic
	case slices.Contains(cc, Public):
		return VisibilityUnlisted
	}
	return VisibilityLimited
}

// Readable reports whether anyone may read what is so addressed.
func (v Visibility) Readable() bool { return v == VisibilityPublic || v == VisibilityUnlisted }

// Visibility is the object's audience class, from its own to and cc.
func (o *Object) Visibility() Visibility { return VisibilityOf(o.To, o.Cc) }

// Visibility is the activity's audience class, from its own to and cc.
func (a *Activity) Visibility() Visibility { return VisibilityOf(a.To, a.Cc) }

// Addressed reports whether the activity names any audience at all: some
// servers leave an activity's to and cc to its object.
func (a *Activity) Addressed() bool { return len(a.To)+len(a.Cc) > 0 }
