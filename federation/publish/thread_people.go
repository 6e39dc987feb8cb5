package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// A member's answer in a joined forum reaches Mastodon and GoToSocial
// users through the hub: its thread actor boosts the answer to the
// people who follow the thread, and their servers fetch the answer from
// us. An edit or a deletion of that answer is applied there only when
// its author sends it (both check that the signer is the actor and the
// actor is the author), so the hub cannot pass it on: this node sends it
// to those people itself. It learns them from the hub's thread actor,
// whose followers collection lists them, with their inboxes, to the nodes
// that joined the forum (serve/thread_followers.go).

// threadPeopleMemory is how long a list of a thread's followers is used
// before it is asked again.
const threadPeopleMemory = 5 * time.Minute

// maxThreadPeople bounds the inboxes taken from one followers list.
const maxThreadPeople = 5000

// peopleLists remembers the lists fetched, by thread URI.
type peopleLists struct {
	mu    sync.Mutex
	lists map[string]peopleList
}

type peopleList struct {
	inboxes []string
	at      time.Time // when fetched (wall clock)
}

func (p *peopleLists) get(key string) ([]string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	l, ok := p.lists[key]
	if !ok || time.Since(l.at) >= threadPeopleMemory {
		return nil, false
	}
	return l.inboxes, true
}

func (p *peopleLists) put(key string, inboxes []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lists == nil {
		p.lists = map[string]peopleList{}
	}
	for k, l := range p.lists {
		if time.Since(l.at) >= threadPeopleMemory {
			delete(p.lists, k)
		}
	}
	p.lists[key] = peopleList{inboxes: inboxes, at: time.Now()}
}

// threadPeople is the inboxes of the people who follow a joined forum's
// thread t on the forum's node. In the publisher the list is fetched in
// the background (the event waits, ErrResolving); a node that does not
// answer gives none (logged): the edit still reaches the forum.
func (p *Publisher) ThreadPeople(ctx context.Context, t *forum.Thread) ([]string, error) {
	if t.URI == "" {
		return nil, nil
	}
	key := "thread followers " + t.URI
	if l, ok := p.people.get(key); ok {
		return l, nil
	}
	err := p.Await(ctx, key, func(ctx context.Context) error {
		inboxes, err := p.fetchThreadPeople(ctx, t.URI)
		if err != nil {
			return err
		}
		p.people.put(key, inboxes)
		return nil
	})
	var ue *UnreachableError
	switch {
	case err == nil:
		l, _ := p.people.get(key)
		return l, nil
	case errors.As(err, &ue):
		p.cfg.Log.Warn("thread followers not known: edits reach the forum only", "thread", t.URI, "err", err)
		return nil, nil
	}
	return nil, err
}

// fetchThreadPeople reads the question at threadURI for its thread actor
// (the Mention of a t-… handle on the question's host), that actor for
// its followers collection, and the collection for the people listed.
// A question without a thread actor (another forum software) has none.
func (p *Publisher) fetchThreadPeople(ctx context.Context, threadURI string) ([]string, error) {
	doc, err := p.cfg.Client.GetObject(ctx, threadURI)
	if err != nil {
		return nil, fmt.Errorf("question %s: %w", threadURI, err)
	}
	q, err := ap.ParseObject(ctx, doc.Body)
	if err != nil {
		return nil, fmt.Errorf("question %s: %w", threadURI, err)
	}
	actorURI := ""
	for _, tag := range q.Tag {
		if tag.Type == "Mention" && sameHost(tag.Href, threadURI) && strings.HasPrefix(tag.Name, "@"+uris.ThreadHandlePrefix) {
			actorURI = tag.Href
			break
		}
	}
	if actorURI == "" {
		return nil, nil
	}
	actor, err := p.cfg.Actors.Actor(ctx, actorURI, false)
	if err != nil {
		return nil, fmt.Errorf("thread actor %s: %w", actorURI, err)
	}
	if actor.Followers == "" || !sameHost(actor.Followers, actorURI) {
		return nil, nil
	}
	coll, err := p.cfg.Client.GetObject(ctx, actor.Followers)
	if err != nil {
		return nil, fmt.Errorf("followers of %s: %w", actorURI, err)
	}
	return peopleInboxes(coll.Body, p.cfg.URLs.IsLocal)
}

// peopleInboxes reads the inboxes of the people a thread's followers
// collection lists (embedded actors; a count-only collection lists
// none). An entry whose inbox is not on its actor's host is dropped: the
// list says where we deliver as our member, so it may not send us to a
// third server.
func peopleInboxes(body []byte, local func(string) bool) ([]string, error) {
	var c struct {
		OrderedItems []json.RawMessage `json:"orderedItems"`
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, fmt.Errorf("followers collection: %w", err)
	}
	set := InboxSet{}
	for _, raw := range c.OrderedItems {
		var it struct {
			ID        string `json:"id"`
			Inbox     string `json:"inbox"`
			Endpoints struct {
				SharedInbox string `json:"sharedInbox"`
			} `json:"endpoints"`
		}
		if json.Unmarshal(raw, &it) != nil || it.ID == "" || local(it.ID) || !sameHost(it.Inbox, it.ID) {
			continue
		}
		shared := it.Endpoints.SharedInbox
		if !webURL(shared) || !sameHost(shared, it.ID) {
			shared = ""
		}
		if !webURL(it.Inbox) {
			continue
		}
		if set.Add(it.Inbox, shared); len(set) >= maxThreadPeople {
			break
		}
	}
	return set.List(), nil
}

func webURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}
