package federation

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/markup"
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

// errResolving: the event needs a lookup that has not ended yet.
var errResolving = errors.New("waiting for a recipient to be resolved")

// unreachableError: a recipient the event needs could not be resolved.
type unreachableError struct {
	key string
	err error
}

func (e *unreachableError) Error() string { return fmt.Sprintf("%s unreachable: %v", e.key, e.err) }
func (e *unreachableError) Unwrap() error { return e.err }

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
func (f *Federation) lookupMemory() time.Duration {
	return max(f.cfg.Delivery.BaseBackoff/4, time.Second)
}

// need starts, or reports on, the lookup key: nil once it succeeded (the
// caller reads the store again), errResolving while it runs (started now
// if need be), an *unreachableError when it failed lately.
func (f *Federation) need(ctx context.Context, key string, run func(context.Context) error) error {
	p := f.park
	p.mu.Lock()
	defer p.mu.Unlock()
	if l := p.lookups[key]; l != nil {
		switch {
		case !l.done:
			return errResolving
		case time.Since(l.at) >= f.lookupMemory():
			// Forgotten: ask again.
		case l.err != nil:
			return &unreachableError{key: key, err: l.err}
		default:
			return nil
		}
	}
	l := &lookup{}
	p.lookups[key] = l
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		var err error
		select {
		case p.sem <- struct{}{}:
			lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
			err = run(lctx)
			cancel()
			<-p.sem
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err != nil {
			f.log.Info("publisher: recipient not resolved", "lookup", key, "err", err)
		}
		p.mu.Lock()
		l.done, l.err, l.at = true, err, time.Now()
		p.kicked = true
		p.mu.Unlock()
		f.wakePublisher()
	}()
	return errResolving
}

// await is need for a lookup the event being built waits for.
func (f *Federation) await(ctx context.Context, key string, run func(context.Context) error) error {
	err := f.need(ctx, key, run)
	if b := buildOf(ctx); b != nil && errors.Is(err, errResolving) {
		b.keys = append(b.keys, key)
	}
	return err
}

// recipient is a remote actor the publisher delivers to. In the publisher
// it is read from the store (a stale copy will do: an inbox rarely moves,
// and a refresh is started), never fetched while the publisher waits.
func (f *Federation) recipient(ctx context.Context, uri string) (*RemoteActor, error) {
	if buildOf(ctx) == nil {
		return f.actors.actor(ctx, uri, false)
	}
	a, err := f.store.RemoteActor(ctx, uri)
	if err == nil {
		if f.cfg.Clock.Now().Sub(a.FetchedAt) >= actorTTL {
			f.refresh(ctx, "actor "+uri, f.fetchRecipient(uri))
		}
		return a, nil
	} else if !errors.Is(err, forum.ErrNotFound) {
		return nil, err
	}
	if err := f.await(ctx, "actor "+uri, f.fetchRecipient(uri)); err != nil {
		return nil, err
	}
	a, err = f.store.RemoteActor(ctx, uri)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, &unreachableError{key: "actor " + uri, err: errors.New("fetched, but not stored under that id")}
	}
	return a, err
}

// refresh starts a lookup nobody waits for (its failure is logged when
// it ends).
func (f *Federation) refresh(ctx context.Context, key string, run func(context.Context) error) {
	if err := f.need(ctx, key, run); err != nil && !errors.Is(err, errResolving) {
		f.log.Debug("publisher: not refreshed", "lookup", key, "err", err)
	}
}

func (f *Federation) fetchRecipient(uri string) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := f.actors.actor(ctx, uri, false)
		return err
	}
}

// learnHandleLater is learnMentions in the publisher: an unknown handle is
// resolved in the background and the event waits for it (errResolving); a
// stale one (known) is refreshed without waiting; one that failed lately
// stays plain text.
func (f *Federation) learnHandleLater(ctx context.Context, h markup.Handle, known bool) error {
	run := func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, mentionBudget)
		defer cancel()
		return f.learnHandle(ctx, h)
	}
	if known {
		f.refresh(ctx, "handle "+h.Key(), run)
		return nil
	}
	var ue *unreachableError
	if err := f.await(ctx, "handle "+h.Key(), run); err != nil && !errors.As(err, &ue) {
		return err
	}
	return nil
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
func (f *Federation) publishParked(ctx context.Context) bool {
	p := f.park
	now := f.cfg.Clock.Now()
	held := map[string]bool{}
	nextDue := time.Time{}
	after := forum.ID("")
	for {
		page, err := f.store.ParkedEvents(ctx, after, parkedPage)
		if err != nil {
			f.log.Error("read parked events", "err", err)
			return false
		}
		for _, pe := range page {
			e, subject := pe.Event, subjectOfEvent(pe.Event)
			after = e.ID
			if subject != "" && held[subject] {
				continue // behind an earlier event of its subject
			}
			if pe.RetryAt.After(now) && !p.lookupsEnded(e.ID) {
				if subject != "" {
					held[subject] = true
				}
				if nextDue.IsZero() || pe.RetryAt.Before(nextDue) {
					nextDue = pe.RetryAt
				}
				continue
			}
			retryAt, parked, err := f.publishOrPark(ctx, e, pe.Attempts)
			if err != nil {
				f.log.Error("publish parked event", "event", e.ID, "kind", e.Kind, "err", err)
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
	p.held, p.nextDue, p.loaded = held, nextDue, true
	return true
}

// publishOrPark tries to publish e (attempts failures so far). It reports
// whether e is (still) parked, and until when; an error is a database
// error, and nothing was decided.
func (f *Federation) publishOrPark(ctx context.Context, e *forum.Event, attempts int) (time.Time, bool, error) {
	bctx, b := withBuild(ctx)
	acts, err := f.activitiesFor(bctx, e)
	var ue *unreachableError
	now := f.cfg.Clock.Now()
	switch {
	case err == nil:
		done := func(ctx context.Context, tx Store) error {
			return tx.MarkEventPublished(ctx, e.ID, now)
		}
		if err := f.queue(ctx, acts, done); err != nil {
			return time.Time{}, false, fmt.Errorf("queue activities of event %s: %w", e.ID, err)
		}
		f.park.forget(e.ID)
		return time.Time{}, false, nil
	case errors.Is(err, errResolving):
		retryAt := now.Add(resolveWait)
		f.park.wait(e.ID, b.keys)
		if err := f.store.ParkEvent(ctx, e.ID, retryAt, attempts, err.Error()); err != nil {
			return time.Time{}, false, fmt.Errorf("park event %s: %w", e.ID, err)
		}
		return retryAt, true, nil
	case errors.As(err, &ue):
		attempts++
		if now.Sub(e.CreatedAt) >= f.cfg.Delivery.MaxAge {
			reason := fmt.Sprintf("gave up after %d attempts: %v", attempts, err)
			f.log.Error("publisher gave up an event", "event", e.ID, "kind", e.Kind, "attempts", attempts, "err", err)
			if err := f.store.GiveUpEvent(ctx, e.ID, now, reason); err != nil {
				return time.Time{}, false, fmt.Errorf("give up event %s: %w", e.ID, err)
			}
			f.park.forget(e.ID)
			return time.Time{}, false, nil
		}
		retryAt := now.Add(min(f.backoff(attempts), publishBackoffCap))
		f.log.Warn("publisher parked an event", "event", e.ID, "kind", e.Kind, "attempts", attempts, "retry_at", retryAt, "err", err)
		f.park.forget(e.ID)
		if err := f.store.ParkEvent(ctx, e.ID, retryAt, attempts, err.Error()); err != nil {
			return time.Time{}, false, fmt.Errorf("park event %s: %w", e.ID, err)
		}
		return retryAt, true, nil
	}
	return time.Time{}, false, fmt.Errorf("publish event %s (%s): %w", e.ID, e.Kind, err)
}

// parkBehind parks e behind an earlier parked event of its subject: it is
// tried when that one is published or given up.
func (f *Federation) parkBehind(ctx context.Context, e *forum.Event) error {
	if err := f.store.ParkEvent(ctx, e.ID, f.cfg.Clock.Now(), 0, "after an earlier event of "+subjectOfEvent(e)); err != nil {
		return fmt.Errorf("park event %s: %w", e.ID, err)
	}
	return nil
}
