package federation

import (
	"context"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/forum"
)

// ApproveFollower accepts a pending follow of a forum (an admin's decision).
func (f *Federation) ApproveFollower(ctx context.Context, actor *forum.Member, forumSlug, followerURI string, accept bool) error {
	if err := forum.CanAdminister(actor); err != nil {
		return err
	}
	fo, err := f.localForum(ctx, forumSlug)
	if err != nil {
		return err
	}
	fl, err := f.store.Follower(ctx, f.forumURI(fo), followerURI)
	if err != nil {
		return err
	}
	if !accept {
		if err := f.store.DeleteFollower(ctx, fl.Target, fl.ActorURI); err != nil {
			return err
		}
		return f.applier.AnswerFollow(ctx, fl, ap.TypeReject)
	}
	fl.State = FollowAccepted
	if err := f.store.SaveFollower(ctx, fl); err != nil {
		return err
	}
	return f.applier.AnswerFollow(ctx, fl, ap.TypeAccept)
}
