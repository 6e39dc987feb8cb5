package publish

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/metropolis/agora/federation/actors"
	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
)

// The publisher never waits on the network. Building an event's activities
// reads only what the node has stored; when it needs a remote actor it has
// never seen (a joined forum's, an author's) or a handle nobody resolved
// (a mention), it starts a lookup in the background and parks the event:
// the event is set aside in the database (events.publish_retry_at) and
// every later event goes on. When the lookup ends the publisher is woken
// and tries the event again. A recipient that does not answer keeps its
// event parked, retried with backoff, until Delivery.MaxAge after the
// event, when the event is given up: marked published with the reason
// kept, and logged as an error. A mention that does not resolve is not a
// reason to wait: the post is published with it as plain text.
//
// Order: an event waits behind a parked event of the same subject (its
// thread, else its post, member or forum), so an edit never reaches a
// forum before its post's Create, nor an answer before its question.
//
// A database error is never a reason to park or skip: the publisher stops
// and retries from that event at its next pass.

const (
	// publishBackoffCap bounds the wait between two attempts at an event.
	publishBackoffCap = time.Hour
	// resolveWait is when an event waiting for a lookup is tried again even
	// if nobody says the lookup ended (a restart forgets lookups).
	resolveWait = 2 * time.Minute
	// lookupTimeout bounds one lookup (WebFinger and the actor's fetch).
	lookupTimeout = time.Minute
	// lookupWorkers is how many lookups run at once.
	lookupWorkers = 8
	// parkedPage is how many parked events are read at a time.
	parkedPage = 500
)

// ErrResolving: the event needs a lookup that has not ended yet.
var ErrResolving = errors.New("waiting for a recipient to be resolved")

// UnreachableError: a recipient the event needs could not be resolved.
type UnreachableError struct {
	Key string // the lookup: "actor {uri}", "handle {name@host}"…
	Err error
}

func (e *UnreachableError) Error() string { return fmt.Sprintf("%s unreachable: %v", e.Key, e.Err) }
func (e *UnreachableError) Unwrap() error { return e.Err }

// lookup is one background resolution of an actor or a handle.
type lookup struct {
	done bool
	err  error
	at   time.Time // when it ended (wall clock)
}

// parking is the publisher's memory of lookups and parked events.
type parking struct {
	mu      sync.Mutex
	lookups map[string]*lookup
	kicked  bool                  // a lookup ended since the last parked pass
	waiting map[forum.ID][]string // parked event → the lookups it waits for
	wg      sync.WaitGroup        // running lookups
	sem     chan struct{}

	// Owned by the publisher's goroutine.
	loaded  bool            // held and nextDue reflect the database
	held    map[string]bool // subjects of parked events
	nextDue time.Time       // the earliest retry of a parked event
}

func newParking() *parking {
	return &parking{lookups: map[string]*lookup{}, waiting: map[forum.ID][]string{}, sem: make(chan struct{}, lookupWorkers)}
}

// buildKey marks a context as the publisher's: lookups go to the
// background, and what an event waits for is collected in a *build.
type buildKey struct{}

type build struct{ keys []string }

func withBuild(ctx context.Context) (context.Context, *build) {
	b := &build{}
	return context.WithValue(ctx, buildKey{}, b), b
}

// Building reports whether ctx is the publisher's, building an event's
// activities: lookups then go to the background rather than wait.
func Building(ctx context.Context) bool { return buildOf(ctx) != nil }

func buildOf(ctx context.Context) *build {
	b, _ := ctx.Value(buildKey{}).(*build)
	return b
}

// subjectOfEvent is what must stay in order among an event's successors.
func subjectOfEvent(e *forum.Event) string {
	switch {
	case e.ThreadID != "":
		return "thread " + e.ThreadID
	case e.PostID != "":
		return "post " + e.PostID
	case e.MemberID != "":
		return "member " + e.MemberID
	case e.ForumID != "":
		return "forum " + e.ForumID
	}
	return ""
}

// lookupMemory is how long a lookup's answer stands before it is asked
// again: long enough for every event waiting on it to see it, shorter
// than an event's first retry (with the default backoff), so each retry
// of a parked event asks the network once.
func (p *Publisher) lookupMemory() time.Duration {
	return max(p.cfg.Settings.BaseBackoff/4, time.Second)
}

// need starts, or reports on, the lookup key: nil once it succeeded (the
// caller reads the store again), ErrResolving while it runs (started now
// if need be), an *UnreachableError when it failed lately.
func (p *Publisher) Need(ctx context.Context, key string, run func(context.Context) error) error {
	pk := p.park
	pk.mu.Lock()
	defer pk.mu.Unlock()
	if l := pk.lookups[key]; l != nil {
		switch {
		case !l.done:
			return ErrResolving
		case time.Since(l.at) >= p.lookupMemory():
			// Forgotten: ask again.
		case l.err != nil:
			return &UnreachableError{Key: key, Err: l.err}
		default:
			return nil
		}
	}
	l := &lookup{}
	pk.lookups[key] = l
	pk.wg.Add(1)
	go func() {
		defer pk.wg.Done()
		var err error
		select {
		case pk.sem <- struct{}{}:
			lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
			err = run(lctx)
			cancel()
			<-pk.sem
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err != nil {
			p.cfg.Log.Info("publisher: recipient not resolved", "lookup", key, "err", err)
		}
		pk.mu.Lock()
		l.done, l.err, l.at = true, err, time.Now()
		pk.kicked = true
		pk.mu.Unlock()
		p.Wake()
	}()
	return ErrResolving
}

// await is need for a lookup the event being built waits for.
func (p *Publisher) Await(ctx context.Context, key string, run func(context.Context) error) error {
	err := p.Need(ctx, key, run)
	if b := buildOf(ctx); b != nil && errors.Is(err, ErrResolving) {
		b.keys = append(b.keys, key)
	}
	return err
}

// recipient is a remote actor the publisher delivers to. In the publisher
// it is read from the store (a stale copy will do: an inbox rarely moves,
// and a refresh is started), never fetched while the publisher waits.
func (p *Publisher) Recipient(ctx context.Context, uri string) (*stored.RemoteActor, error) {
	if buildOf(ctx) == nil {
		return p.cfg.Actors.Actor(ctx, uri, false)
	}
	a, err := p.cfg.Store.RemoteActor(ctx, uri)
	if err == nil {
		if p.cfg.Clock.Now().Sub(a.FetchedAt) >= actors.TTL {
			p.Refresh(ctx, "actor "+uri, p.fetchRecipient(uri))
		}
		return a, nil
	} else if !errors.Is(err, forum.ErrNotFound) {
		return nil, err
	}
	if err := p.Await(ctx, "actor "+uri, p.fetchRecipient(uri)); err != nil {
		return nil, err
	}
	a, err = p.cfg.Store.RemoteActor(ctx, uri)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, &UnreachableError{Key: "actor " + uri, Err: errors.New("fetched, but not stored under that id")}
	}
	return a, err
}

// refresh starts a lookup nobody waits for (its failure is logged when
// it ends).
func (p *Publisher) Refresh(ctx context.Context, key string, run func(context.Context) error) {
	if err := p.Need(ctx, key, run); err != nil && !errors.Is(err, ErrResolving) {
		p.cfg.Log.Debug("publisher: not refreshed", "lookup", key, "err", err)
	}
}

func (p *Publisher) fetchRecipient(uri string) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := p.cfg.Actors.Actor(ctx, uri, false)
		return err
	}
}

// parkedPassDue reports whether the parked events need a pass now.
func (p *parking) parkedPassDue(now time.Time) bool {
	p.mu.Lock()
	kicked := p.kicked
	p.kicked = false
	p.mu.Unlock()
	return !p.loaded || kicked || (!p.nextDue.IsZero() && !now.Before(p.nextDue))
}

// lookupsEnded reports whether every lookup event id waited for ended.
func (p *parking) lookupsEnded(id forum.ID) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	keys, ok := p.waiting[id]
	if !ok {
		return false
	}
	for _, k := range keys {
		if l := p.lookups[k]; l != nil && !l.done {
			return false
		}
	}
	return true
}

// forgetLookups drops what an event waited for, and lookups long ended.
func (p *parking) forget(id forum.ID) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.waiting, id)
	if len(p.lookups) > 1000 {
		for k, l := range p.lookups {
			if l.done && time.Since(l.at) > time.Hour {
				delete(p.lookups, k)
			}
		}
	}
}

func (p *parking) wait(id forum.ID, keys []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.waiting[id] = keys
}

// publishParked makes a pass over the parked events, oldest first: those
// due are tried again, unless an earlier event of their subject is still
// parked. It reloads the publisher's view of what is parked. A false
// return means a database error: the pass is retried.
func (p *Publisher) publishParked(ctx context.Context) bool {
	pk := p.park
	now := p.cfg.Clock.Now()
	held := map[string]bool{}
	nextDue := time.Time{}
	after := forum.ID("")
	for {
		page, err := p.cfg.Store.ParkedEvents(ctx, after, parkedPage)
		if err != nil {
			p.cfg.Log.Error("read parked events", "err", err)
			return false
		}
		for _, pe := range page {
			e, subject := pe.Event, subjectOfEvent(pe.Event)
			after = e.ID
			if subject != "" && held[subject] {
				continue // behind an earlier event of its subject
			}
			if pe.RetryAt.After(now) && !pk.lookupsEnded(e.ID) {
				if subject != "" {
					held[subject] = true
				}
				if nextDue.IsZero() || pe.RetryAt.Before(nextDue) {
					nextDue = pe.RetryAt
				}
				continue
			}
			retryAt, parked, err := p.publishOrPark(ctx, e, pe.Attempts)
			if err != nil {
				p.cfg.Log.Error("publish parked event", "event", e.ID, "kind", e.Kind, "err", err)
				return false
			}
			if parked {
				if subject != "" {
					held[subject] = true
				}
				if nextDue.IsZero() || retryAt.Before(nextDue) {
					nextDue = retryAt
				}
			}
		}
		if len(page) < parkedPage {
			break
		}
	}
	pk.held, pk.nextDue, pk.loaded = held, nextDue, true
	return true
}

// publishOrPark tries to publish e (attempts failures so far). It reports
// whether e is (still) parked, and until when; an error is a database
// error, and nothing was decided.
func (p *Publisher) publishOrPark(ctx context.Context, e *forum.Event, attempts int) (time.Time, bool, error) {
	bctx, b := withBuild(ctx)
	acts, err := p.activitiesFor(bctx, e)
	var ue *UnreachableError
	now := p.cfg.Clock.Now()
	switch {
	case err == nil:
		if err := p.queue(ctx, e.ID, now, acts); err != nil {
			return time.Time{}, false, fmt.Errorf("queue activities of event %s: %w", e.ID, err)
		}
		p.park.forget(e.ID)
		return time.Time{}, false, nil
	case errors.Is(err, ErrResolving):
		retryAt := now.Add(resolveWait)
		p.park.wait(e.ID, b.keys)
		if err := p.cfg.Store.ParkEvent(ctx, e.ID, retryAt, attempts, err.Error()); err != nil {
			return time.Time{}, false, fmt.Errorf("park event %s: %w", e.ID, err)
		}
		return retryAt, true, nil
	case errors.As(err, &ue):
		attempts++
		if now.Sub(e.CreatedAt) >= p.cfg.Settings.MaxAge {
			reason := fmt.Sprintf("gave up after %d attempts: %v", attempts, err)
			p.cfg.Log.Error("publisher gave up an event", "event", e.ID, "kind", e.Kind, "attempts", attempts, "err", err)
			if err := p.cfg.Store.GiveUpEvent(ctx, e.ID, now, reason); err != nil {
				return time.Time{}, false, fmt.Errorf("give up event %s: %w", e.ID, err)
			}
			p.park.forget(e.ID)
			return time.Time{}, false, nil
		}
		retryAt := now.Add(min(deliver.Backoff(p.cfg.Settings.BaseBackoff, attempts), publishBackoffCap))
		p.cfg.Log.Warn("publisher parked an event", "event", e.ID, "kind", e.Kind, "attempts", attempts, "retry_at", retryAt, "err", err)
		p.park.forget(e.ID)
		if err := p.cfg.Store.ParkEvent(ctx, e.ID, retryAt, attempts, err.Error()); err != nil {
			return time.Time{}, false, fmt.Errorf("park event %s: %w", e.ID, err)
		}
		return retryAt, true, nil
	}
	return time.Time{}, false, fmt.Errorf("publish event %s (%s): %w", e.ID, e.Kind, err)
}

// parkBehind parks e behind an earlier parked event of its subject: it is
// tried when that one is published or given up.
func (p *Publisher) parkBehind(ctx context.Context, e *forum.Event) error {
	if err := p.cfg.Store.ParkEvent(ctx, e.ID, p.cfg.Clock.Now(), 0, "after an earlier event of "+subjectOfEvent(e)); err != nil {
		return fmt.Errorf("park event %s: %w", e.ID, err)
	}
	return nil
}
