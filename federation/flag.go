package federation

import (
	"context"
	"errors"
	"fmt"
	"html"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply"
	"github.com/metropolis/agora/forum"
)

// onFlag records a report from another node (Mastodon sends one Flag
// naming the account and its posts) for each post of ours or copy we hold;
// the forum's moderators see it in their queue.
func (f *Federation) onFlag(ctx context.Context, act *ap.Activity) error {
	by, err := f.remoteMember(ctx, act.Actor)
	if err != nil {
		return err
	}
	reason := act.Content
	if reason == "" {
		reason = act.Summary
	}
	found := 0
	seen := map[forum.ID]bool{}
	for i, uri := range append([]string{act.Object.ID()}, act.MoreObjects...) {
		post, err := f.findPost(ctx, uri)
		if errors.Is(err, forum.ErrNotFound) {
			continue // an account, or a post we don't have
		} else if err != nil {
			return err
		}
		if seen[post.ID] {
			continue // named twice in one Flag: one report
		}
		seen[post.ID] = true
		if _, err := f.forumIn(ctx).ReceiveReport(ctx, post, by, html.UnescapeString(stripTags(reason)), fmt.Sprintf("%s#%d", act.ID, i)); err != nil {
			return err
		}
		found++
	}
	if found == 0 {
		return apply.Refused(ReasonUnknownTarget, "flag %s names no post of this node", act.ID)
	}
	return nil
}

// flagActivities passes a member's report of a post in another node's
// forum to that node, as a Flag from the instance actor: the forum's
// moderators act on it, and the reporter's name stays here.
func (f *Federation) flagActivities(ctx context.Context, e *forum.Event) ([]*outgoing, error) {
	r, err := f.forumIn(ctx).ReportOf(ctx, e)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	pc, err := f.loadPost(ctx, r.PostID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if pc.Forum.Local() {
		return nil, nil // our own moderators have it
	}
	act := &ap.Activity{ID: f.urls.Activity(e.ID), Type: ap.TypeFlag, Actor: f.urls.InstanceActor(),
		Object: ap.Ref{IRI: f.postURI(pc.Post, pc.Thread)}, Content: html.EscapeString(r.Reason), To: []string{pc.Forum.URI}, Published: e.CreatedAt}
	body, err := ap.Marshal(act)
	if err != nil {
		return nil, err
	}
	set := inboxSet{}
	if err := f.pub.AddActor(ctx, set, pc.Forum.URI); err != nil {
		return nil, err
	}
	return []*outgoing{{uri: act.ID, actorURI: act.Actor, typ: act.Type, object: act.Object.ID(), body: body, inboxes: set.List()}}, nil
}
