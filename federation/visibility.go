package federation

import (
	"errors"

	"github.com/metropolis/agora/federation/ap"
)

// errNotPublic marks a post refused because nobody but its addressees may
// read it: a direct message, a followers-only post, a private message to a
// member or a thread actor. A forum shows, serves, announces and boosts
// what it holds to everyone, so such a post is never stored. Until members
// get notifications, the message is refused (a permanent failure, logged
// with the inbox item) rather than kept somewhere nobody reads.
var errNotPublic = errors.New("not public: no Public in to or cc (visibility followers-only or direct)")

// publicOnly refuses a post that is not addressed to the public (in to:
// public; in cc: unlisted). The object's own addressing decides, since it
// is what we would store and serve; the activity that carried it, when
// there is one and it names an audience, must be public too: a sender
// that delivered it privately meant it privately, whatever the object
// claims. Every path that stores a received post passes here.
func publicOnly(act *ap.Activity, o *ap.Object) error {
	if v := o.Visibility(); !v.Readable() {
		return permanent("post %s refused: %w", o.ID, errNotPublic)
	}
	if act != nil && act.Addressed() && !act.Visibility().Readable() {
		return permanent("%s %s of post %s refused: the activity is %w", act.Type, act.ID, o.ID, errNotPublic)
	}
	return nil
}
