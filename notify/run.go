package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/markup"
	"github.com/metropolis/agora/uris"
)

// Deriver reads the event log and stores the notifications each event
// makes. It keeps its own place in the log (a cursor) and runs in one
// process at a time among those sharing the database (a lease), so it
// depends on nobody else's progress through the log.
//
// Event IDs are taken before their transaction commits, so an event may
// appear after a later one was read. The cursor alone would skip it:
// every Sweep the deriver reads the last Lookback of the log again and
// derives the events it has not seen. Deriving an event twice stores
// nothing twice (one notification per member and event, by a unique
// index), so a restart that forgets what was seen costs reads only.
type Deriver struct {
	// Events lists events after an ID, oldest first (forum.Service.Events).
	Events func(ctx context.Context, afterID forum.ID, limit int) ([]*forum.Event, error)
	Store  Store
	Forum  Forum
	URLs   *uris.Builder
	Markup *markup.Markup
	IDs    forum.IDs
	Logger *slog.Logger
	// Now tells the time; default time.Now.
	Now func() time.Time
	// Poll is how often the log is read (default 1 s), Sweep how often
	// its last Lookback is read again (defaults 10 s and 2 min).
	Poll, Sweep, Lookback time.Duration
	// Added, when set, hears of the notifications just stored (the mail
	// queue is woken by it).
	Added func(ctx context.Context, ns []*Notification)

	holder string
	seen   map[forum.ID]time.Time // events derived, kept for a Lookback
}

const (
	cursorName = "notify:events"
	leaseName  = "notify"
	leaseTTL   = 15 * time.Second
	batch      = 200
)

func (r *Deriver) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Deriver) defaults() {
	if r.Poll == 0 {
		r.Poll = time.Second
	}
	if r.Sweep == 0 {
		r.Sweep = 10 * time.Second
	}
	if r.Lookback == 0 {
		r.Lookback = 2 * time.Minute
	}
	if r.holder == "" {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		r.holder = hex.EncodeToString(b)
	}
	if r.seen == nil {
		r.seen = map[forum.ID]time.Time{}
	}
}

// Run derives until ctx ends.
func (r *Deriver) Run(ctx context.Context) {
	r.defaults()
	defer func() {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := r.Store.ReleaseLease(c, leaseName, r.holder); err != nil {
			r.Logger.Warn("notify: release lease", "err", err)
		}
	}()
	t := time.NewTicker(r.Poll)
	defer t.Stop()
	var lastSweep time.Time
	for {
		// Leases are about processes being alive: the wall clock.
		ok, err := r.Store.TryLease(ctx, leaseName, r.holder, time.Now(), leaseTTL)
		if err != nil && ctx.Err() == nil {
			r.Logger.Error("notify: lease", "err", err)
		}
		if ok {
			sweep := time.Since(lastSweep) >= r.Sweep
			if err := r.Pass(ctx, sweep); err != nil && ctx.Err() == nil {
				r.Logger.Error("notify: derive", "err", err)
			} else if sweep {
				lastSweep = time.Now()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Pass derives the events after the cursor and, when sweep is set, those
// of the last Lookback not derived yet. The first pass on a log it never
// read starts Lookback before the present: older history makes no
// notifications.
func (r *Deriver) Pass(ctx context.Context, sweep bool) error {
	r.defaults()
	cursor, err := r.Store.Cursor(ctx, cursorName)
	if err != nil {
		return err
	}
	now := r.now()
	if cursor == "" {
		cursor = idAt(now.Add(-r.Lookback))
		sweep = false
	}
	from := cursor
	if back := idAt(now.Add(-r.Lookback)); sweep && back < from {
		from = back
	}
	for {
		events, err := r.Events(ctx, from, batch)
		if err != nil {
			return fmt.Errorf("read events: %w", err)
		}
		for _, e := range events {
			from = e.ID
			if _, done := r.seen[e.ID]; done {
				continue
			}
			if err := r.handle(ctx, e); err != nil {
				return err // tried again from here on the next pass
			}
			r.seen[e.ID] = e.CreatedAt
			if e.ID > cursor {
				cursor = e.ID
				if err := r.Store.SetCursor(ctx, cursorName, cursor); err != nil {
					return err
				}
			}
		}
		if len(events) < batch {
			break
		}
	}
	old := now.Add(-2 * r.Lookback)
	for id, at := range r.seen {
		if at.Before(old) {
			delete(r.seen, id)
		}
	}
	return nil
}

func (r *Deriver) handle(ctx context.Context, e *forum.Event) error {
	ns, err := r.Derive(ctx, e)
	if err != nil || len(ns) == 0 {
		return err
	}
	added, err := r.Store.AddNotifications(ctx, ns)
	if err != nil {
		return fmt.Errorf("store notifications of %s: %w", e.ID, err)
	}
	if len(added) > 0 && r.Added != nil {
		r.Added(ctx, added)
	}
	return nil
}

// idAt is the smallest ID made at t.
func idAt(t time.Time) forum.ID {
	var id ulid.ULID
	_ = id.SetTime(ulid.Timestamp(t))
	return strings.ToLower(id.String())
}
