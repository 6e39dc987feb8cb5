package apply

import (
	"context"
	"errors"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply/content"
	"github.com/metropolis/agora/federation/join"
	"github.com/metropolis/agora/forum"
)

// RemoteMember is the local record of a remote actor, made from its
// document the first time it is met.
func (a *Applier) RemoteMember(ctx context.Context, uri string) (*forum.Member, error) {
	if m, err := a.forum(ctx).MemberByURI(ctx, uri); err == nil {
		return m, nil
	} else if !errors.Is(err, forum.ErrNotFound) {
		return nil, err
	}
	if _, err := a.cfg.Actors.Actor(ctx, uri, false); err != nil {
		return nil, err
	}
	return a.refreshMember(ctx, uri)
}

// onActorUpdate refreshes a remote actor (Update{Person} / Update{Group}).
func (a *Applier) onActorUpdate(ctx context.Context, act *ap.Activity) error {
	if act.Object.Actor.ID != act.Actor {
		return Refused(ReasonOrigin, "%s cannot update %s", act.Actor, act.Object.Actor.ID)
	}
	if _, err := a.cfg.Actors.Actor(ctx, act.Actor, true); err != nil {
		return err
	}
	if fo, err := a.forum(ctx).ForumByURI(ctx, act.Actor); err == nil {
		return a.refreshForum(ctx, fo)
	}
	if _, err := a.forum(ctx).MemberByURI(ctx, act.Actor); err != nil {
		return nil // not an author here: the cache refresh was all
	}
	_, err := a.refreshMember(ctx, act.Actor)
	return err
}

// refreshForum re-reads a joined forum's Group from its cached document:
// its titles and descriptions in every language.
func (a *Applier) refreshForum(ctx context.Context, fo *forum.Forum) error {
	ra, err := a.store(ctx).RemoteActor(ctx, fo.URI)
	if err != nil {
		return err
	}
	doc, err := ap.ParseActor(ctx, ra.Document)
	if err != nil {
		return Refused(ParseReason(err), "forum %s: %w", fo.URI, err)
	}
	_, err = a.forum(ctx).SaveRemoteForum(ctx, forum.SystemActor(), join.ForumInfo(doc, ra.Domain))
	return err
}

// refreshMember re-reads a known remote member from its cached document.
func (a *Applier) refreshMember(ctx context.Context, uri string) (*forum.Member, error) {
	ra, err := a.store(ctx).RemoteActor(ctx, uri)
	if err != nil {
		return nil, err
	}
	doc, err := ap.ParseActor(ctx, ra.Document)
	if err != nil {
		return nil, Refused(ParseReason(err), "actor %s: %w", uri, err)
	}
	p := forum.RemoteProfile{URI: doc.ID, Username: doc.PreferredUsername, Domain: ra.Domain, DisplayName: doc.Name,
		ProfileURL: doc.URL, Languages: doc.Languages}
	if doc.Icon != nil {
		p.AvatarURL = doc.Icon.URL
	}
	for _, pv := range doc.Attachment {
		switch pv.Name {
		case "Role":
			p.Title = content.StripTags(pv.Value)
		case "Organisation", "Organization":
			p.Organisation = content.StripTags(pv.Value)
		}
	}
	return a.forum(ctx).SaveRemoteMember(ctx, p)
}
