package publish

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/uris"
)

// InboxSet collects inboxes, one per shared inbox: a host with a shared
// inbox gets each activity once, however many of its actors follow.
type InboxSet map[string]bool

// Add adds an actor's shared inbox, or its own when it has none.
func (s InboxSet) Add(inbox, shared string) {
	if shared != "" {
		s[shared] = true
	} else if inbox != "" {
		s[inbox] = true
	}
}

// List is the inboxes in order.
func (s InboxSet) List() []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// NotOn is the set without the inboxes on the host of id.
func (s InboxSet) NotOn(id string) InboxSet {
	origin := hostOf(id)
	out := InboxSet{}
	for inbox := range s {
		if hostOf(inbox) != origin {
			out[inbox] = true
		}
	}
	return out
}

// batchFollowers remembers, while the publisher goes through one batch of
// events, the inboxes of the actors' followers it has read: a forum's
// followers are the recipients of every reply in it, and a batch of 100
// replies in one forum reads them once instead of a hundred times. It is
// filled only after the batch's events were read, so a follower accepted
// before any of those events was written is in it; one accepted later
// gets the next batch's events, as if it had followed a moment later.
type batchFollowers struct {
	mu      sync.Mutex
	inboxes map[string][]stored.FollowerInbox // nil outside a batch
}

// start begins a batch with nothing remembered.
func (b *batchFollowers) start() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.inboxes = map[string][]stored.FollowerInbox{}
}

// end forgets the batch: outside one, every question reads the store.
func (b *batchFollowers) end() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.inboxes = nil
}

func (b *batchFollowers) get(target string) ([]stored.FollowerInbox, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	in, ok := b.inboxes[target] // a nil map holds nothing
	return in, ok
}

func (b *batchFollowers) put(target string, in []stored.FollowerInbox) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.inboxes != nil {
		b.inboxes[target] = in
	}
}

// followerInboxes is target's followers' inboxes, from the batch's memory
// when it has them.
func (p *Publisher) followerInboxes(ctx context.Context, target string) ([]stored.FollowerInbox, error) {
	if in, ok := p.followers.get(target); ok {
		return in, nil
	}
	in, err := p.cfg.Store.FollowerInboxes(ctx, target)
	if err != nil {
		return nil, fmt.Errorf("followers of %s: %w", target, err)
	}
	p.followers.put(target, in)
	return in, nil
}

// AddFollowers adds the inboxes of target's accepted followers.
func (p *Publisher) AddFollowers(ctx context.Context, set InboxSet, target string) error {
	inboxes, err := p.followerInboxes(ctx, target)
	if err != nil {
		return err
	}
	for _, in := range inboxes {
		set[in.Inbox] = true
	}
	return nil
}

// FollowerSets splits target's accepted followers by what they are:
// servers (instance actors and forums: Application, Group, or unknown) and
// people (Person, Service: timeline readers, as on Mastodon).
func (p *Publisher) FollowerSets(ctx context.Context, target string) (servers, people InboxSet, err error) {
	inboxes, err := p.followerInboxes(ctx, target)
	if err != nil {
		return nil, nil, err
	}
	servers, people = InboxSet{}, InboxSet{}
	for _, in := range inboxes {
		if in.Person {
			people[in.Inbox] = true
		} else {
			servers[in.Inbox] = true
		}
	}
	return servers, people, nil
}

// AddActor adds a remote actor's inbox (its shared inbox when it has one).
// In the publisher it never waits on the network (see Recipient).
func (p *Publisher) AddActor(ctx context.Context, set InboxSet, uri string) error {
	if uri == "" || p.cfg.URLs.IsLocal(uri) {
		return nil
	}
	a, err := p.Recipient(ctx, uri)
	if err != nil {
		return err
	}
	set.Add(a.Inbox, a.SharedInbox)
	return nil
}

// SubjectOf is what an activity is ultimately about: its object, or for
// an activity about an activity (Undo, Accept, Announce) that one's
// subject. Activities with one subject are delivered to a host in order.
func SubjectOf(act *ap.Activity) string {
	if act.Object.Activity != nil {
		return SubjectOf(act.Object.Activity)
	}
	return act.Object.ID()
}

// AnnounceBody wraps an activity, byte for byte, in an Announce by a
// forum (FEP-1b12: the group passes activities on unchanged).
func AnnounceBody(id, forumURI string, published time.Time, inner []byte) ([]byte, error) {
	base, err := ap.Marshal(&ap.Activity{ID: id, Type: ap.TypeAnnounce, Actor: forumURI,
		Object: ap.Ref{IRI: "placeholder:inner"}, To: []string{ap.Public}, Cc: []string{uris.ActorFollowers(forumURI)}, Published: published})
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

// hostOf is a URL's host, lowercased ("" if unparseable).
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// sameHost reports whether two URLs share a host.
func sameHost(a, b string) bool {
	h := hostOf(a)
	return h != "" && h == hostOf(b)
}
