package apply

import (
	"context"
	"errors"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply/content"
	"github.com/metropolis/agora/forum"
)

// StoreFetched stores a post fetched from (or embedded by) its origin,
// unless known or deleted.
func (a *Applier) StoreFetched(ctx context.Context, o *ap.Object, fo *forum.Forum) error {
	if !content.IsPost(o.Type) || o.AttributedTo == "" || !sameHost(o.AttributedTo, o.ID) {
		return Permanent("%s: not a post attributed on its own host", o.ID)
	}
	if err := a.refuseBlockedObject(ctx, o); err != nil {
		return err
	}
	if _, err := a.forum(ctx).PostByURI(ctx, o.ID); err == nil {
		if o.Type != ap.TypeEvent || a.cfg.URLs.IsLocal(o.AttributedTo) {
			return nil
		}
		// A question we have whose event we may not (a forum joined
		// before cities kept events): the backfill brings the event.
		author, err := a.RemoteMember(ctx, o.AttributedTo)
		if err != nil {
			return err
		}
		return a.keepMirroredEvent(ctx, o, author)
	}
	if _, err := a.store(ctx).Tombstone(ctx, o.ID); err == nil {
		return nil
	}
	var author *forum.Member
	var err error
	if a.cfg.URLs.IsLocal(o.AttributedTo) {
		return nil // our own member's post: we have the original
	}
	if author, err = a.RemoteMember(ctx, o.AttributedTo); err != nil {
		return err
	}
	err = a.storeNewPost(ctx, o, author, fo, "")
	if errors.Is(err, forum.ErrConflict) {
		return nil
	}
	return err
}
