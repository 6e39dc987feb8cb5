package apply

import (
	"context"
	"errors"
	"fmt"
	"html"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply/content"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// onLike counts a remote member's Like of an answer as helpful (on=false
// for Undo{Like}).
func (a *Applier) onLike(ctx context.Context, act *ap.Activity, received forum.ID, on bool) error {
	post, err := a.FindPost(ctx, act.Object.ID())
	if errors.Is(err, forum.ErrNotFound) {
		return Refused(ReasonUnknownTarget, "like of %s, which this node doesn't have", act.Object.ID())
	} else if err != nil {
		return err
	}
	by, err := a.RemoteMember(ctx, act.Actor)
	if err != nil {
		return err
	}
	return a.forum(ctx).ReceiveHelpful(ctx, post, by, on, received)
}

// onShare counts a boost of one of the posts we hold as a share (on=false
// for its Undo). Boosts of anything else are ignored.
func (a *Applier) onShare(ctx context.Context, act *ap.Activity, on bool) error {
	post, err := a.FindPost(ctx, act.Object.ID())
	if errors.Is(err, forum.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	by, err := a.RemoteMember(ctx, act.Actor)
	if err != nil {
		return err
	}
	return a.forum(ctx).ReceiveShare(ctx, post, by, on)
}

// MaxFlagObjects bounds the objects one Flag names that are looked up.
const MaxFlagObjects = 100

// onFlag records a report from another node (Mastodon sends one Flag
// naming the account and its posts) for each post of ours or copy we hold;
// the forum's moderators see it in their queue.
func (a *Applier) onFlag(ctx context.Context, act *ap.Activity) error {
	by, err := a.RemoteMember(ctx, act.Actor)
	if err != nil {
		return err
	}
	reason := act.Content
	if reason == "" {
		reason = act.Summary
	}
	named := append([]string{act.Object.ID()}, act.MoreObjects...)
	if len(named) > MaxFlagObjects {
		// A person flags a few posts at a time (Mastodon: the account and
		// the posts ticked); past the bound, the rest is not looked up.
		named = named[:MaxFlagObjects]
	}
	found := 0
	seen := map[forum.ID]bool{}
	for i, uri := range named {
		post, err := a.FindPost(ctx, uri)
		if errors.Is(err, forum.ErrNotFound) || errors.Is(err, forum.ErrGone) {
			continue // an account, a post we don't have, or one deleted since: the others still count
		} else if err != nil {
			return err
		}
		if seen[post.ID] {
			continue // named twice in one Flag: one report
		}
		seen[post.ID] = true
		if _, err := a.forum(ctx).ReceiveReport(ctx, post, by, html.UnescapeString(content.StripTags(reason)), fmt.Sprintf("%s#%d", act.ID, i)); errors.Is(err, forum.ErrGone) {
			continue // its thread was deleted: nothing left to moderate
		} else if err != nil {
			return err
		}
		found++
	}
	if found == 0 {
		return Refused(ReasonUnknownTarget, "flag %s names no post of this node", act.ID)
	}
	return nil
}

// FindPost finds a post by its ActivityPub id, ours or a remote one.
func (a *Applier) FindPost(ctx context.Context, uri string) (*forum.Post, error) {
	if a.cfg.URLs.IsLocal(uri) {
		kind, key := a.cfg.URLs.Parse(uri)
		switch kind {
		case uris.KindThread:
			t, err := a.forum(ctx).Thread(ctx, key)
			if err != nil {
				return nil, err
			}
			return a.forum(ctx).Post(ctx, t.RootPostID)
		case uris.KindPost:
			return a.forum(ctx).Post(ctx, key)
		}
		return nil, forum.ErrNotFound
	}
	return a.forum(ctx).PostByURI(ctx, uri)
}
