package federation

import (
	"context"
	"errors"
	"fmt"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/report"
)

func (f *Federation) runPublisher(ctx context.Context) {
	defer f.releasePublisher()
	defer f.park.wg.Wait() // lookups end with ctx
	loop(ctx, f.publishWake, f.cfg.Delivery.Poll, func(ctx context.Context) bool {
		if !f.leadPublisher(ctx) {
			// Another process publishes; what it parks is read again
			// when this one leads.
			f.park.loaded = false
			return false
		}
		return f.publishBatch(ctx)
	})
}

// publishBatch turns the next unpublished events of the node's log into
// activities. Each event's activities and its mark commit together;
// activity ids derive from the event's, so publishing an event twice adds
// nothing. Events are marked one by one rather than passed by a cursor:
// an event id is taken before its transaction commits, so ids do not
// commit in order on PostgreSQL, and a cursor would skip the late ones.
// An event whose recipient is not resolved yet is parked, and the others
// go on (publish_park.go); parked events due again are tried first.
func (f *Federation) publishBatch(ctx context.Context) bool {
	const batch = 100
	if f.park.parkedPassDue(f.cfg.Clock.Now()) && !f.publishParked(ctx) {
		f.park.loaded = false
		return false
	}
	events, err := f.store.UnpublishedEvents(ctx, batch)
	if err != nil {
		f.log.Error("read events", "err", err)
		return false
	}
	for _, e := range events {
		subject := subjectOfEvent(e)
		if subject != "" && f.park.held[subject] {
			if err := f.parkBehind(ctx, e); err != nil {
				f.log.Error("publish event", "event", e.ID, "err", err)
				return false
			}
			continue
		}
		retryAt, parked, err := f.publishOrPark(ctx, e, 0)
		if err != nil {
			// A database error (or a bug): retried from this event, never
			// skipped.
			f.log.Error("publish event", "event", e.ID, "kind", e.Kind, "err", err)
			return false
		}
		if parked {
			if subject != "" {
				f.park.held[subject] = true
			}
			if f.park.nextDue.IsZero() || retryAt.Before(f.park.nextDue) {
				f.park.nextDue = retryAt
			}
		}
	}
	return len(events) == batch
}

// activitiesFor builds what an event publishes; nothing for changes to
// content this node is not the origin of.
func (f *Federation) activitiesFor(ctx context.Context, e *forum.Event) ([]*outgoing, error) {
	switch e.Kind {
	case forum.EventThreadCreated, forum.EventPostCreated:
		return f.postActivities(ctx, e, ap.TypeCreate)
	case forum.EventPostEdited:
		return f.postActivities(ctx, e, ap.TypeUpdate)
	case forum.EventPostDeleted, forum.EventThreadDeleted:
		return f.postActivities(ctx, e, ap.TypeDelete)
	case forum.EventHelpfulAdded, forum.EventHelpfulRemoved:
		return f.likeActivities(ctx, e)
	case forum.EventThreadLocked, forum.EventThreadUnlocked:
		return f.lockActivities(ctx, e)
	case forum.EventMemberUpdated:
		return f.profileActivities(ctx, e)
	case forum.EventForumUpdated:
		return f.forumActivities(ctx, e)
	case forum.EventPostReported:
		return f.flagActivities(ctx, e)
	case forum.EventGoodPracticeMarked, forum.EventGoodPracticeUnmarked:
		return f.goodPracticeActivities(ctx, e)
	case report.EventPublished:
		return f.reportActivities(ctx, e)
	case forum.EventPostReceived, forum.EventEditReceived, forum.EventDeleteReceived, forum.EventHelpfulReceived:
		return f.receivedActivities(ctx, e)
	}
	return nil, nil // thread.moved has no ActivityPub counterpart
}

// eventPost loads what a post event is about: the post with its thread and
// forum, and the local member who acted. A nil postContext with a nil
// error means there is nothing to publish: the post is gone, or the actor
// is not a local member (the command line's system actor). Other errors
// are transient, and the event is retried.
func (f *Federation) eventPost(ctx context.Context, e *forum.Event) (*postContext, *forum.Member, error) {
	pc, err := f.loadPost(ctx, e.PostID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	actor, err := f.actorOf(ctx, e.ActorID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	return pc, actor, nil
}

// actorOf is the local member who acted, by ID.
func (f *Federation) actorOf(ctx context.Context, id forum.ID) (*forum.Member, error) {
	ms, err := f.svc.Members(ctx, []forum.ID{id})
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
func (f *Federation) postActivities(ctx context.Context, e *forum.Event, typ string) ([]*outgoing, error) {
	pc, actor, err := f.eventPost(ctx, e)
	if pc == nil {
		return nil, err
	}
	if pc.post.URI != "" && !(typ == ap.TypeDelete && pc.forum.Local()) {
		return nil, nil // another node's post: its node publishes its changes
	}
	if typ != ap.TypeDelete && pc.written != nil {
		// Resolve what the markdown mentions (WebFinger), then build the
		// object from what is now known.
		if err := f.learnMentions(ctx, pc.post.Source); err != nil {
			return nil, err
		}
		if pc.written, err = f.writtenTags(ctx, pc.post.Source); err != nil {
			return nil, err
		}
		// The node's own page links the mentions too.
		if w := pc.written; w != nil && w.html != pc.post.HTML {
			if err := f.svc.LinkMentions(ctx, pc.post.ID, pc.post.Source, w.html); err != nil {
				return nil, fmt.Errorf("link mentions of %s: %w", pc.post.ID, err)
			}
		}
	}
	obj := f.object(pc)
	if obj.Type == ap.TypeTombstone && typ != ap.TypeDelete {
		return nil, nil // deleted before it was published: its Delete says all
	}
	act := &ap.Activity{ID: f.urls.Activity(e.ID), Type: typ, Actor: f.memberURI(deleteActor(typ, pc, actor)),
		Object: ap.Ref{Object: obj}, To: []string{f.forumURI(pc.forum), ap.Public}, Cc: obj.Cc,
		Audience: f.forumURI(pc.forum), Published: e.CreatedAt}
	if typ == ap.TypeDelete {
		act.Object = ap.Ref{Object: &ap.Object{ID: obj.ID, Type: ap.TypeTombstone, FormerType: obj.FormerType, Deleted: obj.Deleted}}
	}
	return f.toForum(ctx, e, act, pc.forum, pc.to, pc)
}

// toForum delivers a member's activity about a forum. A remote forum gets
// it in its inbox. A local forum passes it on to its followers: servers
// (forum software) get the Announce of the activity (FEP-1b12); people
// (Mastodon users) get new questions, and a thread's followers its
// answers, as announced objects, plus the edits and deletions of what they
// were shown. The member's followers and the member mentioned get it too.
// pc is the post concerned (nil for activities not about one post).
func (f *Federation) toForum(ctx context.Context, e *forum.Event, act *ap.Activity, fo *forum.Forum, mentioned *forum.Member, pc *postContext) (out []*outgoing, err error) {
	body, err := ap.Marshal(act)
	if err != nil {
		return nil, err
	}
	direct := inboxSet{}
	if err := f.addFollowers(ctx, direct, act.Actor); err != nil {
		return nil, err
	}
	// A mentioned actor that does not answer is left out (and logged); the
	// event waits for one being resolved, and retries a database error.
	var mentions []string
	if mentioned != nil && !mentioned.Local() {
		mentions = append(mentions, mentioned.URI)
	}
	if pc != nil && pc.written != nil {
		mentions = append(mentions, pc.written.mentions...) // written in the post: @name@host
	}
	for _, uri := range mentions {
		var ue *unreachableError
		if err := f.addActor(ctx, direct, uri); errors.As(err, &ue) {
			f.log.Warn("mentioned actor unreachable", "actor", uri, "err", err)
		} else if err != nil {
			return nil, fmt.Errorf("mentioned actor %s: %w", uri, err)
		}
	}
	if !fo.Local() {
		if err := f.addActor(ctx, direct, fo.URI); err != nil {
			return nil, fmt.Errorf("forum %s: %w", fo.URI, err)
		}
		return []*outgoing{{uri: act.ID, actorURI: act.Actor, typ: act.Type, object: act.Object.ID(), public: true, body: body,
			inboxes: direct.list(), orderKey: subjectOf(act)}}, nil
	}
	forumURI := f.forumURI(fo)
	servers, people, err := f.followerSets(ctx, forumURI)
	if err != nil {
		return nil, err
	}
	// Everything below is about one subject: kept in order per host.
	defer func() {
		for _, o := range out {
			o.orderKey = subjectOf(act)
		}
	}()
	ann, err := announceBody(f.urls.Activity(e.ID+"-announce"), forumURI, followersOf(forumURI), e.CreatedAt, body)
	if err != nil {
		return nil, err
	}
	out = append(out, &outgoing{uri: f.urls.Activity(e.ID + "-announce"), actorURI: forumURI, typ: ap.TypeAnnounce,
		object: act.ID, public: true, body: ann, inboxes: servers.list()})
	if pc != nil {
		threadActor := f.urls.ThreadActor(pc.thread.ID)
		_, threadPeople, err := f.followerSets(ctx, threadActor)
		if err != nil {
			return nil, err
		}
		objectID := act.Object.ID()
		switch {
		case act.Type == ap.TypeCreate && pc.post.IsQuestion():
			out = append(out, f.announceObject(e.ID+"-people", forumURI, objectID, people)...)
		case act.Type == ap.TypeCreate:
			out = append(out, f.announceObject(e.ID+"-thread", threadActor, objectID, threadPeople)...)
		case act.Type == ap.TypeUpdate || act.Type == ap.TypeDelete:
			// Mastodon applies an author's edit or deletion of a status it
			// has, from whoever it comes: send it to those shown the post.
			for inbox := range threadPeople {
				direct[inbox] = true
			}
			if pc.post.IsQuestion() {
				for inbox := range people {
					direct[inbox] = true
				}
			}
		}
	}
	out = append([]*outgoing{{uri: act.ID, actorURI: act.Actor, typ: act.Type, object: act.Object.ID(), public: true, body: body, inboxes: direct.list()}}, out...)
	return out, nil
}

// announceObject is an Announce of an object by one of our actors (a boost,
// as Mastodon shows it), to the given inboxes; nothing if there are none.
func (f *Federation) announceObject(id, actorURI, objectID string, to inboxSet) []*outgoing {
	if len(to) == 0 {
		return nil
	}
	act := &ap.Activity{ID: f.urls.Activity(id), Type: ap.TypeAnnounce, Actor: actorURI, Object: ap.Ref{IRI: objectID},
		To: []string{ap.Public}, Cc: []string{followersOf(actorURI)}, Published: f.cfg.Clock.Now()}
	body, err := ap.Marshal(act)
	if err != nil {
		f.log.Error("marshal announce", "err", err)
		return nil
	}
	return []*outgoing{{uri: act.ID, actorURI: actorURI, typ: ap.TypeAnnounce, object: objectID, public: true, body: body, inboxes: to.list()}}
}

// likeActivities: a helpful mark is a Like of the answer (Undo{Like} when
// removed), sent to its author and its forum.
func (f *Federation) likeActivities(ctx context.Context, e *forum.Event) ([]*outgoing, error) {
	pc, actor, err := f.eventPost(ctx, e)
	if pc == nil {
		return nil, err
	}
	actorURI, postURI := f.memberURI(actor), f.postURI(pc.post, pc.thread)
	like := &ap.Activity{ID: f.urls.Activity(e.ID), Type: ap.TypeLike, Actor: actorURI, Object: ap.Ref{IRI: postURI},
		To: []string{f.memberURI(pc.author)}, Cc: []string{f.forumURI(pc.forum)}, Audience: f.forumURI(pc.forum), Published: e.CreatedAt}
	act := like
	if e.Kind == forum.EventHelpfulRemoved {
		// Receivers match an undone Like by actor and object.
		like.ID = f.urls.Activity(e.ID + "-like")
		act = &ap.Activity{ID: f.urls.Activity(e.ID), Type: ap.TypeUndo, Actor: actorURI, Object: ap.Ref{Activity: like},
			To: like.To, Cc: like.Cc, Audience: like.Audience, Published: e.CreatedAt}
	}
	return f.toForum(ctx, e, act, pc.forum, pc.author, nil)
}

// lockActivities: a moderator's lock is Lemmy's Lock of the question (Undo
// to reopen), announced by the forum.
func (f *Federation) lockActivities(ctx context.Context, e *forum.Event) ([]*outgoing, error) {
	pc, actor, err := f.eventPost(ctx, e)
	if pc == nil || !pc.forum.Local() {
		return nil, err
	}
	forumURI, threadURI := f.forumURI(pc.forum), f.threadURI(pc.thread)
	act := &ap.Activity{ID: f.urls.Activity(e.ID), Type: ap.TypeLock, Actor: f.memberURI(actor), Object: ap.Ref{IRI: threadURI},
		To: []string{forumURI, ap.Public}, Audience: forumURI, Published: e.CreatedAt}
	if e.Kind == forum.EventThreadUnlocked {
		lock := *act
		lock.ID = f.urls.Activity(e.ID + "-lock")
		act = &ap.Activity{ID: f.urls.Activity(e.ID), Type: ap.TypeUndo, Actor: act.Actor, Object: ap.Ref{Activity: &lock},
			To: act.To, Audience: forumURI, Published: e.CreatedAt}
	}
	return f.toForum(ctx, e, act, pc.forum, nil, nil)
}

// profileActivities: Update{Person} to the member's followers.
func (f *Federation) profileActivities(ctx context.Context, e *forum.Event) ([]*outgoing, error) {
	m, err := f.actorOf(ctx, e.MemberID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil // not a local member: nothing of ours to publish
	} else if err != nil {
		return nil, err
	}
	person, err := f.memberActor(ctx, m)
	if err != nil {
		return nil, err
	}
	return f.actorUpdate(ctx, e, person)
}

// forumActivities: Update{Group} to the forum's followers.
func (f *Federation) forumActivities(ctx context.Context, e *forum.Event) ([]*outgoing, error) {
	fo, err := f.svc.ForumByID(ctx, e.ForumID)
	if errors.Is(err, forum.ErrNotFound) || (err == nil && !fo.Local()) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	group, err := f.forumActor(ctx, fo)
	if err != nil {
		return nil, err
	}
	return f.actorUpdate(ctx, e, group)
}

// actorUpdate publishes an actor's new document to its followers.
func (f *Federation) actorUpdate(ctx context.Context, e *forum.Event, a *ap.Actor) ([]*outgoing, error) {
	act := &ap.Activity{ID: f.urls.Activity(e.ID), Type: ap.TypeUpdate, Actor: a.ID, Object: ap.Ref{Actor: a},
		To: []string{ap.Public}, Cc: []string{a.Followers}, Published: e.CreatedAt}
	body, err := ap.Marshal(act)
	if err != nil {
		return nil, err
	}
	set := inboxSet{}
	if err := f.addFollowers(ctx, set, a.ID); err != nil {
		return nil, err
	}
	return []*outgoing{{uri: act.ID, actorURI: act.Actor, typ: act.Type, object: a.ID, body: body, inboxes: set.list()}}, nil
}
