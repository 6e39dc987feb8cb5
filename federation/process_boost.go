package federation

import (
	"context"
	"errors"
	"fmt"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply"
	"github.com/metropolis/agora/federation/apply/content"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/forum"
)

// onGroupBoost applies a followed forum's Announce of a bare object (an id,
// or an object embedded without its Create): Mbin magazines boost entries
// this way, PeerTube channels their videos, Mobilizon groups their events.
// The forum's word is not taken for the object: it is fetched from its
// origin and stored as its author's post in the forum that announced it
// (or under its parent), exactly as an announced Create would be. A post
// already held changes nothing; what a remote forum announces is not
// passed on (no event).
func (f *Federation) onGroupBoost(ctx context.Context, act *ap.Activity, fo *forum.Forum) error {
	id := act.Object.ID()
	if id == "" {
		return apply.Refused(ReasonMalformed, "announce by %s of nothing", act.Actor)
	}
	if f.urls.IsLocal(id) {
		return nil // one of our posts, passed around: we have it
	}
	if _, err := f.findPost(ctx, id); err == nil {
		return nil
	} else if !errors.Is(err, forum.ErrNotFound) {
		return err
	}
	if _, err := f.storeIn(ctx).Tombstone(ctx, id); err == nil {
		return nil // deleted before its boost arrived
	} else if !errors.Is(err, forum.ErrNotFound) {
		return err
	}
	doc, err := f.client.GetObject(ctx, id)
	var se *fetch.StatusError
	if errors.As(err, &se) && (se.Code == 404 || se.Code == 410) {
		return apply.Refused(ReasonGone, "announced %s is not (or no longer) at its origin", id)
	} else if err != nil {
		return fmt.Errorf("fetch announced %s: %w", id, err)
	}
	o, err := ap.ParseObject(ctx, doc.Body)
	if err != nil {
		return apply.Refused(apply.ParseReason(err), "announced %s: %w", id, err)
	}
	if !content.IsPost(o.Type) {
		return apply.Refused(ReasonUnsupported, "announced %s objects are not posts", o.Type)
	}
	if o.AttributedTo == "" || !sameHost(o.AttributedTo, o.ID) || f.urls.IsLocal(o.AttributedTo) {
		return apply.Refused(ReasonOrigin, "announced %s: not attributed on its own host", id)
	}
	if err := f.applier.RefuseBlockedObject(ctx, o); err != nil {
		return err
	}
	author, err := f.remoteMember(ctx, o.AttributedTo)
	if err != nil {
		return err
	}
	return f.storeNewPost(ctx, o, author, fo, "")
}
