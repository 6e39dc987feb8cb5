package federation

import (
	"context"
	"errors"
	"html"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/forum"
)

// flagActivities passes a member's report of a post in another node's
// forum to that node, as a Flag from the instance actor: the forum's
// moderators act on it, and the reporter's name stays here.
func (f *Federation) flagActivities(ctx context.Context, e *forum.Event) ([]*outgoing, error) {
	r, err := f.svc.ReportOf(ctx, e)
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
