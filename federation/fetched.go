package federation

import (
	"context"
	"errors"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply"
	"github.com/metropolis/agora/federation/apply/content"
	"github.com/metropolis/agora/forum"
)

// storeFetched stores a post fetched from (or embedded by) its origin,
// unless known or deleted.
func (f *Federation) storeFetched(ctx context.Context, o *ap.Object, fo *forum.Forum) error {
	if !content.IsPost(o.Type) || o.AttributedTo == "" || !sameHost(o.AttributedTo, o.ID) {
		return apply.Permanent("%s: not a post attributed on its own host", o.ID)
	}
	if err := f.applier.RefuseBlockedObject(ctx, o); err != nil {
		return err
	}
	if _, err := f.forumIn(ctx).PostByURI(ctx, o.ID); err == nil {
		if o.Type != ap.TypeEvent || f.urls.IsLocal(o.AttributedTo) {
			return nil
		}
		// A question we have whose event we may not (a forum joined
		// before cities kept events): the backfill brings the event.
		author, err := f.remoteMember(ctx, o.AttributedTo)
		if err != nil {
			return err
		}
		return f.applier.KeepMirroredEvent(ctx, o, author)
	}
	if _, err := f.storeIn(ctx).Tombstone(ctx, o.ID); err == nil {
		return nil
	}
	var author *forum.Member
	var err error
	if f.urls.IsLocal(o.AttributedTo) {
		return nil // our own member's post: we have the original
	}
	if author, err = f.remoteMember(ctx, o.AttributedTo); err != nil {
		return err
	}
	err = f.storeNewPost(ctx, o, author, fo, "")
	if errors.Is(err, forum.ErrConflict) {
		return nil
	}
	return err
}
