package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// outgoing is one activity to store and deliver.
type outgoing struct {
	id       forum.ID // local ID of the outbox row
	uri      string   // the activity's id
	actorURI string
	typ      string
	object   string
	public   bool // listed in the actor's outbox
	body     []byte
	inboxes  []string
	// orderKey: activities with the same key reach a host in the order
	// queued (see Delivery.OrderKey); empty means object.
	orderKey string
}

// queue stores activities and their deliveries in one transaction, with
// afterwards (e.g. moving a cursor) in the same transaction. An activity
// whose id is already stored was sent before: it is skipped, so a retried
// publication never delivers twice.
func (f *Federation) queue(ctx context.Context, acts []*outgoing, afterwards func(ctx context.Context, tx Store) error) error {
	out := make([]*deliver.Outgoing, len(acts))
	for i, a := range acts {
		out[i] = &deliver.Outgoing{ID: a.id, URI: a.uri, ActorURI: a.actorURI, Type: a.typ, Object: a.object,
			Public: a.public, Body: a.body, Inboxes: a.inboxes, OrderKey: a.orderKey}
	}
	return f.enqueue(ctx, out, afterwards)
}

// enqueue is queue for activities in deliver's form.
func (f *Federation) enqueue(ctx context.Context, acts []*deliver.Outgoing, afterwards func(ctx context.Context, tx Store) error) error {
	now := f.cfg.Clock.Now()
	err := f.store.FederationAtomic(ctx, func(ctx context.Context, tx Store) error {
		if err := deliver.Enqueue(ctx, tx, f.cfg.IDs, f.urls, now, acts); err != nil {
			return err
		}
		if afterwards != nil {
			return afterwards(ctx, tx)
		}
		return nil
	})
	if err == nil {
		f.wakeDeliveries()
	}
	return err
}

// inboxSet collects inboxes, one per shared inbox: a host with a shared
// inbox gets each activity once, however many of its actors follow.
type inboxSet map[string]bool

func (s inboxSet) add(inbox, shared string) {
	if shared != "" {
		s[shared] = true
	} else if inbox != "" {
		s[inbox] = true
	}
}

func (s inboxSet) list() []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// followerPage is how many followers are read at a time.
const followerPage = 500

// eachFollower calls fn for each accepted follower of target, paging
// through the store.
func (f *Federation) eachFollower(ctx context.Context, target string, fn func(*Follower) error) error {
	after := forum.ID("")
	for {
		page, err := f.store.ListFollowers(ctx, target, after, followerPage)
		if err != nil {
			return fmt.Errorf("followers of %s: %w", target, err)
		}
		for _, fl := range page {
			if err := fn(fl); err != nil {
				return err
			}
		}
		if len(page) < followerPage {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

// addFollowers adds the inboxes of target's accepted followers.
func (f *Federation) addFollowers(ctx context.Context, set inboxSet, target string) error {
	return f.eachFollower(ctx, target, func(fl *Follower) error {
		set.add(fl.Inbox, fl.SharedInbox)
		return nil
	})
}

// followerSets splits target's accepted followers by what they are:
// servers (instance actors and forums: Application, Group, or unknown) and
// people (Person, Service: timeline readers, as on Mastodon).
func (f *Federation) followerSets(ctx context.Context, target string) (servers, people inboxSet, err error) {
	servers, people = inboxSet{}, inboxSet{}
	err = f.eachFollower(ctx, target, func(fl *Follower) error {
		set := servers
		if fl.ActorType == ap.TypePerson || fl.ActorType == ap.TypeService {
			set = people
		}
		set.add(fl.Inbox, fl.SharedInbox)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return servers, people, nil
}

// subjectOf is what an activity is ultimately about: its object, or for
// an activity about an activity (Undo, Accept, Announce) that one's
// subject. Activities with one subject are delivered to a host in order.
func subjectOf(act *ap.Activity) string {
	if act.Object.Activity != nil {
		return subjectOf(act.Object.Activity)
	}
	return act.Object.ID()
}

// addActor adds a remote actor's inbox (its shared inbox when it has one).
// In the publisher it never waits on the network (see recipient).
func (f *Federation) addActor(ctx context.Context, set inboxSet, uri string) error {
	if uri == "" || f.urls.IsLocal(uri) {
		return nil
	}
	a, err := f.recipient(ctx, uri)
	if err != nil {
		return err
	}
	set.add(a.Inbox, a.SharedInbox)
	return nil
}

// announceBody wraps a received activity, byte for byte, in an Announce by
// a forum (FEP-1b12: the group passes activities on unchanged).
func announceBody(id, forumURI, followers string, published time.Time, inner []byte) ([]byte, error) {
	base, err := ap.Marshal(&ap.Activity{ID: id, Type: ap.TypeAnnounce, Actor: forumURI,
		Object: ap.Ref{IRI: "placeholder:inner"}, To: []string{ap.Public}, Cc: []string{followers}, Published: published})
	if err != nil {
		return nil, err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(base, &doc); err != nil {
		return nil, err
	}
	doc["object"] = json.RawMessage(inner)
	return json.Marshal(doc)
}

// followersOf is the followers collection of a local actor, by its id.
func followersOf(actorURL string) string { return uris.ActorFollowers(actorURL) }
