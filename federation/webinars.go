package federation

import (
	"context"
	"errors"
	"html"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply"
	"github.com/metropolis/agora/federation/apply/content"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// A forum's webinar is published as its discussion thread's question, typed
// `Event` (FEP-8a8e) instead of `Page`: one object, so servers that show
// events (Mobilizon, Gancio) list it, Mastodon shows its name and link,
// and other agora nodes and forum software keep it as a question whose
// answers are the discussion (docs/federation.md, "Events").

// asEvent turns a question's Page into the Event of its webinar: times,
// zone, online location, the event page as url, its title and description
// in every language it has.
func (f *Federation) asEvent(o *ap.Object, w *forum.Webinar) {
	o.Type = ap.TypeEvent
	start, end := w.StartsAt, w.EndsAt
	o.StartTime, o.EndTime, o.TimeZone = &start, &end, w.TimeZone
	o.LocationURL = w.OnlineURL
	o.EventStatus = ap.EventConfirmed
	if w.Cancelled {
		o.EventStatus = ap.EventCancelled
	}
	o.URL = f.urls.Webinar(w.ID)
	for lang, t := range w.Texts {
		if _, ok := o.NameMap[lang]; !ok {
			o.NameMap[lang] = t.Title
		}
		if _, ok := o.ContentMap[lang]; !ok && t.Description != "" {
			o.ContentMap[lang] = "<p>" + html.EscapeString(t.Description) + "</p>"
		}
	}
}

// webinarOf finds the webinar a Join or Leave names: its Event (the
// thread's id) or its page.
func (f *Federation) webinarOf(ctx context.Context, id string) (*forum.Webinar, error) {
	if !f.urls.IsLocal(id) {
		return nil, forum.ErrNotFound
	}
	switch kind, key := f.urls.Parse(id); kind {
	case uris.KindThread:
		return f.forumIn(ctx).WebinarOfThread(ctx, key)
	case uris.KindWebinar:
		return f.forumIn(ctx).Webinar(ctx, key)
	}
	return nil, forum.ErrNotFound
}

// onJoin records that a fediverse person comes to a webinar (Join), or no
// longer does (Leave), Mobilizon style; a Join is answered with the
// organiser's Accept, as Mobilizon's "free" join mode does.
func (f *Federation) onJoin(ctx context.Context, act *ap.Activity, going bool) error {
	w, err := f.webinarOf(ctx, act.Object.ID())
	if errors.Is(err, forum.ErrNotFound) {
		return apply.Refused(ReasonUnknownTarget, "%s of %s, which is no event here", act.Type, act.Object.ID())
	} else if err != nil {
		return err
	}
	// Only the node that organises an event takes answers to it: a copy
	// kept here of another node's event is refused for good (retrying
	// would not change that), before anything is recorded.
	ms, err := f.forumIn(ctx).Members(ctx, []forum.ID{w.CreatedBy})
	if err != nil {
		return err
	}
	organiser := ms[w.CreatedBy]
	if organiser == nil || !organiser.Local() {
		return apply.Refused(ReasonUnknownTarget, "%s of %s, an event organised on another node", act.Type, act.Object.ID())
	}
	by, err := f.remoteMember(ctx, act.Actor)
	if err != nil {
		return err
	}
	if _, err := f.forumIn(ctx).ReceiveRSVP(ctx, by, w.ID, going); err != nil {
		return err
	}
	if !going {
		return nil
	}
	to := inboxSet{}
	if err := f.pub.AddActor(ctx, to, act.Actor); err != nil {
		return err
	}
	id := f.cfg.IDs.New()
	join := &ap.Activity{ID: act.ID, Type: ap.TypeJoin, Actor: act.Actor, Object: ap.Ref{IRI: act.Object.ID()}}
	accept := &ap.Activity{ID: f.urls.Activity(id), Type: ap.TypeAccept, Actor: f.memberURI(organiser), Object: ap.Ref{Activity: join},
		To: []string{act.Actor}, Published: f.cfg.Clock.Now()}
	body, err := ap.Marshal(accept)
	if err != nil {
		return err
	}
	return f.queue(ctx, []*outgoing{{id: id, uri: accept.ID, actorURI: accept.Actor, typ: ap.TypeAccept, object: act.ID,
		body: body, inboxes: to.List()}}, nil)
}

// keepMirroredEvent keeps the record of a joined forum's event when its
// node sends (or a backfill fetches) the Event that is the question of its
// discussion thread; anything else is left alone. The thread was stored
// (or edited) just before: the event's sender is checked against the
// forum's node by the domain.
func (f *Federation) keepMirroredEvent(ctx context.Context, o *ap.Object, author *forum.Member) error {
	if o.Type != ap.TypeEvent || o.InReplyTo != "" || o.StartTime == nil {
		return nil
	}
	t, err := f.forumIn(ctx).ThreadByURI(ctx, o.ID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil // not a question here (a reply, or refused)
	} else if err != nil {
		return err
	}
	fo, err := f.forumIn(ctx).ForumByID(ctx, t.ForumID)
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
	if _, err := f.forumIn(ctx).KeepMirroredWebinar(ctx, t, author, ev); err != nil {
		if errors.Is(err, forum.ErrForbidden) {
			return apply.Refused(ReasonOrigin, "%s cannot publish the events of forum %s", author.URI, fo.URI)
		}
		return err
	}
	return nil
}
