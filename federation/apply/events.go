package apply

import (
	"context"
	"errors"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply/content"
	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// Events received: a fediverse person's Join or Leave of one of this
// node's webinars (the question of its discussion thread, published as an
// Event: see the document builder's asEvent), and the Event of a joined
// forum's webinar kept beside the question it arrived as.

// webinarOf finds the webinar a Join or Leave names: its Event (the
// thread's id) or its page.
func (a *Applier) webinarOf(ctx context.Context, id string) (*forum.Webinar, error) {
	if !a.cfg.URLs.IsLocal(id) {
		return nil, forum.ErrNotFound
	}
	switch kind, key := a.cfg.URLs.Parse(id); kind {
	case uris.KindThread:
		return a.forum(ctx).WebinarOfThread(ctx, key)
	case uris.KindWebinar:
		return a.forum(ctx).Webinar(ctx, key)
	}
	return nil, forum.ErrNotFound
}

// onJoin records that a fediverse person comes to a webinar (Join), or no
// longer does (Leave), Mobilizon style; a Join is answered with the
// organiser's Accept, as Mobilizon's "free" join mode does.
func (a *Applier) onJoin(ctx context.Context, act *ap.Activity, going bool) error {
	w, err := a.webinarOf(ctx, act.Object.ID())
	if errors.Is(err, forum.ErrNotFound) {
		return Refused(ReasonUnknownTarget, "%s of %s, which is no event here", act.Type, act.Object.ID())
	} else if err != nil {
		return err
	}
	// Only the node that organises an event takes answers to it: a copy
	// kept here of another node's event is refused for good (retrying
	// would not change that), before anything is recorded.
	ms, err := a.forum(ctx).Members(ctx, []forum.ID{w.CreatedBy})
	if err != nil {
		return err
	}
	organiser := ms[w.CreatedBy]
	if organiser == nil || !organiser.Local() {
		return Refused(ReasonUnknownTarget, "%s of %s, an event organised on another node", act.Type, act.Object.ID())
	}
	by, err := a.RemoteMember(ctx, act.Actor)
	if err != nil {
		return err
	}
	if _, err := a.forum(ctx).ReceiveRSVP(ctx, by, w.ID, going); err != nil {
		return err
	}
	if !going {
		return nil
	}
	var inboxes []string
	if !a.cfg.URLs.IsLocal(act.Actor) {
		joiner, err := a.cfg.Actors.Actor(ctx, act.Actor, false)
		if err != nil {
			return err
		}
		inboxes = sharedInbox(joiner)
	}
	id := a.cfg.IDs.New()
	join := &ap.Activity{ID: act.ID, Type: ap.TypeJoin, Actor: act.Actor, Object: ap.Ref{IRI: act.Object.ID()}}
	accept := &ap.Activity{ID: a.cfg.URLs.Activity(id), Type: ap.TypeAccept, Actor: a.cfg.URLs.Member(organiser.Username),
		Object: ap.Ref{Activity: join}, To: []string{act.Actor}, Published: a.cfg.Clock.Now()}
	body, err := ap.Marshal(accept)
	if err != nil {
		return err
	}
	return a.cfg.Send(ctx, []*deliver.Outgoing{{ID: id, URI: accept.ID, ActorURI: accept.Actor, Type: ap.TypeAccept, Object: act.ID,
		Body: body, Inboxes: inboxes}})
}

// sharedInbox is where an activity for one remote actor goes: its
// server's shared inbox, or its own when it has none.
func sharedInbox(ra *stored.RemoteActor) []string {
	switch {
	case ra.SharedInbox != "":
		return []string{ra.SharedInbox}
	case ra.Inbox != "":
		return []string{ra.Inbox}
	}
	return nil
}

// keepMirroredEvent keeps the record of a joined forum's event when its
// node sends (or a backfill fetches) the Event that is the question of its
// discussion thread; anything else is left alone. The thread was stored
// (or edited) just before: the event's sender is checked against the
// forum's node by the domain.
func (a *Applier) keepMirroredEvent(ctx context.Context, o *ap.Object, author *forum.Member) error {
	if o.Type != ap.TypeEvent || o.InReplyTo != "" || o.StartTime == nil {
		return nil
	}
	t, err := a.forum(ctx).ThreadByURI(ctx, o.ID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil // not a question here (a reply, or refused)
	} else if err != nil {
		return err
	}
	fo, err := a.forum(ctx).ForumByID(ctx, t.ForumID)
	if err != nil {
		return err
	}
	if fo.Local() {
		return nil // an Event addressed to our own forum stays a question
	}
	ev := forum.MirroredEvent{Language: o.Language, Texts: map[string]forum.WebinarText{}, StartsAt: *o.StartTime,
		EndsAt: o.EndTime, TimeZone: o.TimeZone, OnlineURL: o.LocationURL, Cancelled: o.EventStatus == ap.EventCancelled}
	if ev.Language == "" {
		ev.Language = t.Language
	}
	for lang, name := range o.NameMap {
		ev.Texts[lang] = forum.WebinarText{Title: name, Description: content.EventDescription(o.ContentMap[lang], name)}
	}
	if _, ok := ev.Texts[ev.Language]; !ok && o.Name != "" {
		ev.Texts[ev.Language] = forum.WebinarText{Title: o.Name, Description: content.EventDescription(o.Content, o.Name)}
	}
	if _, err := a.forum(ctx).KeepMirroredWebinar(ctx, t, author, ev); err != nil {
		if errors.Is(err, forum.ErrForbidden) {
			return Refused(ReasonOrigin, "%s cannot publish the events of forum %s", author.URI, fo.URI)
		}
		return err
	}
	return nil
}
