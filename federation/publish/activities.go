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

// activitiesFor builds what an event publishes; nothing for changes to
// content this node is not the origin of.
func (p *Publisher) activitiesFor(ctx context.Context, e *forum.Event) ([]*deliver.Outgoing, error) {
	switch e.Kind {
	case forum.EventThreadCreated, forum.EventPostCreated:
		return p.postActivities(ctx, e, ap.TypeCreate)
	case forum.EventPostEdited:
		return p.postActivities(ctx, e, ap.TypeUpdate)
	case forum.EventPostDeleted, forum.EventThreadDeleted:
		return p.postActivities(ctx, e, ap.TypeDelete)
	case forum.EventHelpfulAdded, forum.EventHelpfulRemoved:
		return p.likeActivities(ctx, e)
	case forum.EventThreadLocked, forum.EventThreadUnlocked:
		return p.lockActivities(ctx, e)
	case forum.EventMemberUpdated:
		return p.profileActivities(ctx, e)
	case forum.EventForumUpdated:
		return p.forumActivities(ctx, e)
	case forum.EventPostTranslated:
		return p.translationActivities(ctx, e)
	case forum.EventRSVPSent, forum.EventRSVPWithdrawn:
		return p.rsvpActivities(ctx, e)
	case forum.EventPostReceived, forum.EventEditReceived, forum.EventDeleteReceived, forum.EventHelpfulReceived:
		return p.receivedActivities(ctx, e)
	}
	// Reports, good practices and whatever else the federation side
	// builds; nothing for kinds without an ActivityPub counterpart
	// (thread.moved).
	return p.cfg.More.ActivitiesFor(ctx, e)
}

// eventPost loads what a post event is about: the post with its thread and
// forum, and the local member who acted. A nil postContext with a nil
// error means there is nothing to publish: the post is gone, or the actor
// is not a local member (the command line's system actor). Other errors
// are transient, and the event is retried.
func (p *Publisher) eventPost(ctx context.Context, e *forum.Event) (*Post, *forum.Member, error) {
	pc, err := p.cfg.Docs.Post(ctx, e.PostID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	actor, err := p.actorOf(ctx, e.ActorID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	return pc, actor, nil
}

// actorOf is the local member who acted, by ID.
func (p *Publisher) actorOf(ctx context.Context, id forum.ID) (*forum.Member, error) {
	ms, err := p.cfg.Forum.Members(ctx, []forum.ID{id})
	if err != nil {
		return nil, err
	}
	m := ms[id]
	if m == nil || !m.Local() {
		return nil, fmt.Errorf("actor %s: %w", id, forum.ErrNotFound)
	}
	return m, nil
}

// postActivities publishes a Create, Update or Delete of a post by a local
// member: to the forum (Announced to its followers when the forum is ours,
// delivered to its inbox when it is another node's), to the member's
// followers, and to the author answered.
func (p *Publisher) postActivities(ctx context.Context, e *forum.Event, typ string) ([]*deliver.Outgoing, error) {
	pc, actor, err := p.eventPost(ctx, e)
	if pc == nil {
		return nil, err
	}
	if pc.Post.URI != "" && !(typ == ap.TypeDelete && pc.Forum.Local()) {
		return nil, nil // another node's post: its node publishes its changes
	}
	if typ != ap.TypeDelete && pc.Written != nil {
		// Resolve what the markdown mentions (WebFinger), then build the
		// object from what is now known.
		if err := p.cfg.Docs.LearnMentions(ctx, pc.Post.Source); err != nil {
			return nil, err
		}
		if pc.Written, err = p.cfg.Docs.Written(ctx, pc.Post.Source); err != nil {
			return nil, err
		}
		// The node's own page links the mentions too.
		if w := pc.Written; w != nil && w.HTML != pc.Post.HTML {
			if err := p.cfg.Forum.LinkMentions(ctx, pc.Post.ID, pc.Post.Source, w.HTML); err != nil {
				return nil, fmt.Errorf("link mentions of %s: %w", pc.Post.ID, err)
			}
		}
	}
	obj := p.cfg.Docs.Object(pc)
	if obj.Type == ap.TypeTombstone && typ != ap.TypeDelete {
		return nil, nil // deleted before it was published: its Delete says all
	}
	act := &ap.Activity{ID: p.cfg.URLs.Activity(e.ID), Type: typ, Actor: p.cfg.Docs.MemberURI(deleteActor(typ, pc, actor)),
		Object: ap.Ref{Object: obj}, To: []string{p.cfg.Docs.ForumURI(pc.Forum), ap.Public}, Cc: obj.Cc,
		Audience: p.cfg.Docs.ForumURI(pc.Forum), Published: e.CreatedAt}
	if typ == ap.TypeDelete {
		act.Object = ap.Ref{Object: &ap.Object{ID: obj.ID, Type: ap.TypeTombstone, FormerType: obj.FormerType, Deleted: obj.Deleted}}
	}
	return p.toForum(ctx, e, act, pc.Forum, pc.To, pc)
}

// toForum delivers a member's activity about a forum. A remote forum gets
// it in its inbox. A local forum passes it on to its followers: servers
// (forum software) get the Announce of the activity (FEP-1b12); people
// (Mastodon users) get new questions, and a thread's followers its
// answers, as announced objects, plus the edits and deletions of what they
// were shown. The member's followers and the member mentioned get it too.
// pc is the post concerned (nil for activities not about one post).
func (p *Publisher) toForum(ctx context.Context, e *forum.Event, act *ap.Activity, fo *forum.Forum, mentioned *forum.Member, pc *Post) (out []*deliver.Outgoing, err error) {
	body, err := ap.Marshal(act)
	if err != nil {
		return nil, err
	}
	direct := InboxSet{}
	if err := p.AddFollowers(ctx, direct, act.Actor); err != nil {
		return nil, err
	}
	// A mentioned actor that does not answer is left out (and logged); the
	// event waits for one being resolved, and retries a database error.
	var mentions []string
	if mentioned != nil && !mentioned.Local() {
		mentions = append(mentions, mentioned.URI)
	}
	if pc != nil && pc.Written != nil {
		mentions = append(mentions, pc.Written.Mentions...) // written in the post: @name@host
	}
	for _, uri := range mentions {
		var ue *UnreachableError
		if err := p.AddActor(ctx, direct, uri); errors.As(err, &ue) {
			p.cfg.Log.Warn("mentioned actor unreachable", "actor", uri, "err", err)
		} else if err != nil {
			return nil, fmt.Errorf("mentioned actor %s: %w", uri, err)
		}
	}
	if !fo.Local() {
		if err := p.AddActor(ctx, direct, fo.URI); err != nil {
			return nil, fmt.Errorf("forum %s: %w", fo.URI, err)
		}
		if pc != nil && !pc.Post.IsQuestion() && (act.Type == ap.TypeUpdate || act.Type == ap.TypeDelete) {
			// Those the forum's thread actor showed the answer to apply
			// its edit or deletion only from us (thread_people.go).
			people, err := p.ThreadPeople(ctx, pc.Thread)
			if err != nil {
				return nil, err
			}
			for _, inbox := range people {
				direct[inbox] = true
			}
		}
		return []*deliver.Outgoing{{URI: act.ID, ActorURI: act.Actor, Type: act.Type, Object: act.Object.ID(), Public: true, Body: body,
			Inboxes: direct.List(), OrderKey: SubjectOf(act)}}, nil
	}
	forumURI := p.cfg.Docs.ForumURI(fo)
	servers, people, err := p.FollowerSets(ctx, forumURI)
	if err != nil {
		return nil, err
	}
	// Everything below is about one subject: kept in order per host.
	defer func() {
		for _, o := range out {
			o.OrderKey = SubjectOf(act)
		}
	}()
	ann, err := AnnounceBody(p.cfg.URLs.EventActivity(e.ID, uris.RoleAnnounce), forumURI, e.CreatedAt, body)
	if err != nil {
		return nil, err
	}
	out = append(out, &deliver.Outgoing{URI: p.cfg.URLs.EventActivity(e.ID, uris.RoleAnnounce), ActorURI: forumURI, Type: ap.TypeAnnounce,
		Object: act.ID, Public: true, Body: ann, Inboxes: servers.List()})
	if pc != nil {
		threadActor := p.cfg.URLs.ThreadActor(pc.Thread.ID)
		_, threadPeople, err := p.FollowerSets(ctx, threadActor)
		if err != nil {
			return nil, err
		}
		objectID := act.Object.ID()
		switch {
		case act.Type == ap.TypeCreate && pc.Post.IsQuestion():
			out = append(out, p.announceObject(p.cfg.URLs.EventActivity(e.ID, uris.RolePeople), forumURI, objectID, people)...)
		case act.Type == ap.TypeCreate:
			out = append(out, p.announceObject(p.cfg.URLs.EventActivity(e.ID, uris.RoleThread), threadActor, objectID, threadPeople)...)
		case act.Type == ap.TypeUpdate || act.Type == ap.TypeDelete:
			// Mastodon applies an author's edit or deletion of a status it
			// has, from whoever it comes: send it to those shown the post.
			for inbox := range threadPeople {
				direct[inbox] = true
			}
			if pc.Post.IsQuestion() {
				for inbox := range people {
					direct[inbox] = true
				}
			}
		}
	}
	out = append([]*deliver.Outgoing{{URI: act.ID, ActorURI: act.Actor, Type: act.Type, Object: act.Object.ID(), Public: true, Body: body, Inboxes: direct.List()}}, out...)
	return out, nil
}

// announceObject is an Announce of an object by one of our actors (a boost,
// as Mastodon shows it), to the given inboxes; nothing if there are none.
func (p *Publisher) announceObject(id, actorURI, objectID string, to InboxSet) []*deliver.Outgoing {
	if len(to) == 0 {
		return nil
	}
	act := &ap.Activity{ID: id, Type: ap.TypeAnnounce, Actor: actorURI, Object: ap.Ref{IRI: objectID},
		To: []string{ap.Public}, Cc: []string{uris.ActorFollowers(actorURI)}, Published: p.cfg.Clock.Now()}
	body, err := ap.Marshal(act)
	if err != nil {
		p.cfg.Log.Error("marshal announce", "err", err)
		return nil
	}
	return []*deliver.Outgoing{{URI: act.ID, ActorURI: actorURI, Type: ap.TypeAnnounce, Object: objectID, Public: true, Body: body, Inboxes: to.List()}}
}

// likeActivities: a helpful mark is a Like of the answer (Undo{Like} when
// removed), sent to its author and its forum.
func (p *Publisher) likeActivities(ctx context.Context, e *forum.Event) ([]*deliver.Outgoing, error) {
	pc, actor, err := p.eventPost(ctx, e)
	if pc == nil {
		return nil, err
	}
	actorURI, postURI := p.cfg.Docs.MemberURI(actor), p.cfg.Docs.PostURI(pc.Post, pc.Thread)
	like := &ap.Activity{ID: p.cfg.URLs.Activity(e.ID), Type: ap.TypeLike, Actor: actorURI, Object: ap.Ref{IRI: postURI},
		To: []string{p.cfg.Docs.MemberURI(pc.Author)}, Cc: []string{p.cfg.Docs.ForumURI(pc.Forum)}, Audience: p.cfg.Docs.ForumURI(pc.Forum), Published: e.CreatedAt}
	act := like
	if e.Kind == forum.EventHelpfulRemoved {
		// Receivers match an undone Like by actor and object.
		like.ID = p.cfg.URLs.EventActivity(e.ID, uris.RoleLike)
		act = &ap.Activity{ID: p.cfg.URLs.Activity(e.ID), Type: ap.TypeUndo, Actor: actorURI, Object: ap.Ref{Activity: like},
			To: like.To, Cc: like.Cc, Audience: like.Audience, Published: e.CreatedAt}
	}
	return p.toForum(ctx, e, act, pc.Forum, pc.Author, nil)
}

// lockActivities: a moderator's lock is Lemmy's Lock of the question (Undo
// to reopen), announced by the forum.
func (p *Publisher) lockActivities(ctx context.Context, e *forum.Event) ([]*deliver.Outgoing, error) {
	pc, actor, err := p.eventPost(ctx, e)
	if pc == nil || !pc.Forum.Local() {
		return nil, err
	}
	forumURI, threadURI := p.cfg.Docs.ForumURI(pc.Forum), p.cfg.Docs.ThreadURI(pc.Thread)
	act := &ap.Activity{ID: p.cfg.URLs.Activity(e.ID), Type: ap.TypeLock, Actor: p.cfg.Docs.MemberURI(actor), Object: ap.Ref{IRI: threadURI},
		To: []string{forumURI, ap.Public}, Audience: forumURI, Published: e.CreatedAt}
	if e.Kind == forum.EventThreadUnlocked {
		lock := *act
		lock.ID = p.cfg.URLs.EventActivity(e.ID, uris.RoleLock)
		act = &ap.Activity{ID: p.cfg.URLs.Activity(e.ID), Type: ap.TypeUndo, Actor: act.Actor, Object: ap.Ref{Activity: &lock},
			To: act.To, Audience: forumURI, Published: e.CreatedAt}
	}
	return p.toForum(ctx, e, act, pc.Forum, nil, nil)
}

// profileActivities: Update{Person} to the member's followers.
func (p *Publisher) profileActivities(ctx context.Context, e *forum.Event) ([]*deliver.Outgoing, error) {
	m, err := p.actorOf(ctx, e.MemberID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil // not a local member: nothing of ours to publish
	} else if err != nil {
		return nil, err
	}
	person, err := p.cfg.Docs.MemberActor(ctx, m)
	if err != nil {
		return nil, err
	}
	return p.actorUpdate(ctx, e, person)
}

// forumActivities: Update{Group} to the forum's followers.
func (p *Publisher) forumActivities(ctx context.Context, e *forum.Event) ([]*deliver.Outgoing, error) {
	fo, err := p.cfg.Forum.ForumByID(ctx, e.ForumID)
	if errors.Is(err, forum.ErrNotFound) || (err == nil && !fo.Local()) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	group, err := p.cfg.Docs.ForumActor(ctx, fo)
	if err != nil {
		return nil, err
	}
	return p.actorUpdate(ctx, e, group)
}

// actorUpdate publishes an actor's new document to its followers.
func (p *Publisher) actorUpdate(ctx context.Context, e *forum.Event, a *ap.Actor) ([]*deliver.Outgoing, error) {
	act := &ap.Activity{ID: p.cfg.URLs.Activity(e.ID), Type: ap.TypeUpdate, Actor: a.ID, Object: ap.Ref{Actor: a},
		To: []string{ap.Public}, Cc: []string{a.Followers}, Published: e.CreatedAt}
	body, err := ap.Marshal(act)
	if err != nil {
		return nil, err
	}
	set := InboxSet{}
	if err := p.AddFollowers(ctx, set, a.ID); err != nil {
		return nil, err
	}
	return []*deliver.Outgoing{{URI: act.ID, ActorURI: act.Actor, Type: act.Type, Object: a.ID, Body: body, Inboxes: set.List()}}, nil
}

// rsvpActivities: a member here who comes to an event of a joined forum
// sends, as themselves, a Join of the Event (a Leave when they no longer
// come), Mobilizon style, to its organiser and the forum: the forum's node
// counts them among those who come.
func (p *Publisher) rsvpActivities(ctx context.Context, e *forum.Event) ([]*deliver.Outgoing, error) {
	pc, actor, err := p.eventPost(ctx, e)
	if pc == nil || pc.Forum.Local() || !pc.Post.IsQuestion() {
		return nil, err
	}
	actorURI, eventURI := p.cfg.Docs.MemberURI(actor), p.cfg.Docs.ThreadURI(pc.Thread)
	organiser, forumURI := p.cfg.Docs.MemberURI(pc.Author), p.cfg.Docs.ForumURI(pc.Forum)
	typ := ap.TypeJoin
	if e.Kind == forum.EventRSVPWithdrawn {
		typ = ap.TypeLeave
	}
	act := &ap.Activity{ID: p.cfg.URLs.Activity(e.ID), Type: typ, Actor: actorURI, Object: ap.Ref{IRI: eventURI},
		To: []string{organiser}, Cc: []string{forumURI}, Audience: forumURI, Published: e.CreatedAt}
	body, err := ap.Marshal(act)
	if err != nil {
		return nil, err
	}
	to := InboxSet{}
	for _, uri := range []string{organiser, forumURI} {
		if err := p.AddActor(ctx, to, uri); err != nil {
			return nil, err
		}
	}
	return []*deliver.Outgoing{{URI: act.ID, ActorURI: actorURI, Type: typ, Object: eventURI, Body: body, Inboxes: to.List()}}, nil
}
