package publish

import (
	"context"
	"errors"
	"fmt"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// receivedActivities passes on an activity another node's actor sent us,
// once its change is stored (a received.* event, recorded in the same
// transaction). A local forum announces it unchanged to the servers that
// follow it, except back to its origin (FEP-1b12), and announces a new
// post to the people who follow the forum (a question) or its thread (an
// answer). A joined forum's node gets what reached only us. Every id
// derives from the event's, so publishing an event again adds nothing.
func (p *Publisher) receivedActivities(ctx context.Context, e *forum.Event) ([]*deliver.Outgoing, error) {
	it, err := p.cfg.Store.InboxItem(ctx, e.ReceivedID)
	if err != nil {
		// Inbox items are kept; one missing is a fault to see, not to skip.
		return nil, fmt.Errorf("received activity %s of event %s: %w", e.ReceivedID, e.ID, err)
	}
	act, err := ap.Parse(ctx, it.Body)
	if err != nil {
		return nil, fmt.Errorf("received activity %s, applied once, no longer parses: %w", it.ActivityID, err)
	}
	fo, err := p.cfg.Forum.ForumByID(ctx, e.ForumID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil // the forum was removed since: nobody to pass it to
	} else if err != nil {
		return nil, err
	}
	if !fo.Local() {
		return p.forwardToForum(ctx, fo, act, it.Body)
	}
	forumURI := p.cfg.Docs.ForumURI(fo)
	servers, people, err := p.FollowerSets(ctx, forumURI)
	if err != nil {
		return nil, err
	}
	origin := hostOf(act.Actor)
	for inbox := range servers {
		if hostOf(inbox) == origin {
			delete(servers, inbox)
		}
	}
	annID := p.cfg.URLs.EventActivity(e.ID, uris.RoleAnnounce)
	body, err := AnnounceBody(annID, forumURI, e.CreatedAt, it.Body)
	if err != nil {
		return nil, err
	}
	out := []*deliver.Outgoing{{URI: annID, ActorURI: forumURI, Type: ap.TypeAnnounce, Object: act.ID, Public: true, Body: body,
		Inboxes: servers.List(), OrderKey: SubjectOf(act)}}
	if e.Kind != forum.EventPostReceived {
		return out, nil
	}
	// A new post: people see it as a boost by the forum (a question) or
	// by its thread's actor (an answer), except on the post's own server.
	// It has the post already, and GoToSocial and Mastodon tell its author
	// that we "boosted your post" for each one they write in a thread they
	// follow: noise, not news. The cost: other people on that server who
	// follow the thread are not shown the post as a boost (they see it in
	// the conversation, and in their home timeline if they follow its
	// author).
	question := e.PostID == e.ThreadID
	if !question {
		actor := p.cfg.URLs.ThreadActor(e.ThreadID)
		if _, people, err = p.FollowerSets(ctx, actor); err != nil {
			return nil, err
		}
		return append(out, p.announceObject(p.cfg.URLs.EventActivity(e.ID, uris.RoleThread), actor, act.Object.ID(), people.NotOn(act.Object.ID()))...), nil
	}
	return append(out, p.announceObject(p.cfg.URLs.EventActivity(e.ID, uris.RolePeople), forumURI, act.Object.ID(), people.NotOn(act.Object.ID()))...), nil
}

// forwardToForum passes on to a joined forum's node what reached only us
// about its threads — a Mastodon reply to one of our members' answers
// addresses our member, not the forum (§7.1.2). It is signed by our
// instance actor; the forum's node refetches the object from its origin.
// Nothing goes back to the forum's own host, nor for our own actors.
func (p *Publisher) forwardToForum(ctx context.Context, fo *forum.Forum, act *ap.Activity, raw []byte) ([]*deliver.Outgoing, error) {
	if sameHost(act.Actor, fo.URI) || p.cfg.URLs.IsLocal(act.Actor) {
		return nil, nil
	}
	set := InboxSet{}
	if err := p.AddActor(ctx, set, fo.URI); err != nil {
		return nil, err
	}
	return []*deliver.Outgoing{{URI: act.ID, ActorURI: p.cfg.URLs.InstanceActor(), Type: act.Type, Object: act.Object.ID(),
		Body: raw, Inboxes: set.List()}}, nil
}
