package federation

import (
	"context"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply"
	"github.com/metropolis/agora/forum"
)

// applyForwardedLike applies a Like (or its Undo) that another server
// passed on: a GoToSocial or Mastodon user likes an answer written on a
// city node, the Like reaches only the city, and the city forwards it to
// the forum's node so that the forum's copy counts it too. A Like cannot
// be fetched again from its origin (Mastodon's ids are fragments), so it
// is taken on the word of the node that holds the liked post, and of that
// node only: the signer must be on the liked post's host. That node could
// count likes of its own posts anyway; it cannot touch anyone else's.
func (f *Federation) applyForwardedLike(ctx context.Context, act *ap.Activity, signer string, received forum.ID) error {
	like, on := act, true
	if act.Type == ap.TypeUndo {
		like, on = act.Object.Activity, false
		if like == nil || like.Type != ap.TypeLike || like.Actor != act.Actor {
			return apply.Refused(ReasonUnsupported, "forwarded Undo of something other than its actor's Like")
		}
	}
	target := like.Object.ID()
	if target == "" || f.urls.IsLocal(target) || !sameHost(signer, target) {
		return apply.Refused(ReasonOrigin, "%s passed on a like of %s, which it does not hold", signer, target)
	}
	if err := f.applier.RefuseBlocked(ctx, act); err != nil {
		return err
	}
	return f.applier.OnLike(ctx, like, received, on)
}
