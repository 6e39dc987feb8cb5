// Package inbox runs the received side's pipeline around the apply code:
// the group commit that stores each received activity before its 202
// (Committer), and the worker that claims stored activities, leases them,
// orders them by what they are about and hands them, in batches or alone,
// to the code that applies them (Worker). What an activity does to the
// forum is the Applier's business, given by the federation package; this
// package knows only items, order keys, lanes, leases and transactions.
package inbox

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
)

// Item is a received activity, as stored.
type Item = stored.InboxItem

// Settings are the worker's sizes; zero values take the defaults.
type Settings struct {
	// Workers is how many received activities one process holds at once
	// (claimed, being applied or waiting their turn); default
	// DefaultWorkers.
	Workers int
	// Lanes is how many batches one process applies at once, each in its
	// own transaction; items go to a lane by their order key. Default
	// DefaultLanes.
	Lanes int
	// Lease is how long a claimed activity stays this process's without
	// renewal; the worker renews what it holds every third of it, so a
	// process that dies gives its activities back within a lease. Default
	// DefaultLease.
	Lease time.Duration
}

// Defaults of Settings.
const (
	DefaultWorkers = 64
	DefaultLanes   = 2
	DefaultLease   = time.Minute
)

// Defaults of Settings on a database that takes concurrent writers
// (PostgreSQL). There a lane's batch spends most of its time waiting on
// sequential round trips, not holding a lock the others need (SQLite's one
// writer): more lanes, each its own transaction on its own connection,
// apply more at once. Order keys still go to one lane each, so activities
// about one object stay in order.
const (
	DefaultWorkersConcurrent = 256
	DefaultLanesConcurrent   = 8
)

// ForConcurrentWriters fills the zero Workers and Lanes with the defaults
// for a database with concurrent writers; fields set stay as they are.
func (c Settings) ForConcurrentWriters() Settings {
	if c.Workers <= 0 {
		c.Workers = DefaultWorkersConcurrent
	}
	if c.Lanes <= 0 {
		c.Lanes = DefaultLanesConcurrent
	}
	return c
}

// WithDefaults fills the zero fields.
func (c Settings) WithDefaults() Settings {
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	if c.Lanes <= 0 {
		c.Lanes = DefaultLanes
	}
	if c.Lease <= 0 {
		c.Lease = DefaultLease
	}
	return c
}

// Store is what the worker reads and writes outside the apply code: the
// claims and their leases.
type Store interface {
	// ClaimInboxItems leases up to limit unprocessed items due at now.
	ClaimInboxItems(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*Item, error)
	// RenewInboxLeases extends the leases of items a worker still holds.
	RenewInboxLeases(ctx context.Context, ids []forum.ID, until time.Time) error
	// ReleaseInboxItems gives held items back without counting an attempt.
	ReleaseInboxItems(ctx context.Context, ids []forum.ID) error
}

// Queued is a claimed item on its way through a lane: its order key and
// its parsed activity are read once, however many batches it waits
// through. The Applier parses it (Parse) outside any transaction.
type Queued struct {
	Item *Item
	Key  string
	// Act is the parsed activity, nil when its body does not parse (Err
	// says why); both unset until Parse.
	Act    *ap.Activity
	Err    error
	parsed bool
}

// NewQueued reads an item's order key.
func NewQueued(it *Item) *Queued { return &Queued{Item: it, Key: OrderKey(it)} }

// Parse parses the item's activity once.
func (q *Queued) Parse(ctx context.Context) {
	if !q.parsed {
		q.Act, q.Err = ap.Parse(ctx, q.Item.Body)
		q.parsed = true
	}
}

// Outcome says what became of each item of a batch.
type Outcome struct {
	// Recorded are the items whose outcome (applied, or refused for good)
	// was committed with the batch.
	Recorded []*Item
	// Alone are the items to apply one by one, outside any batch, in this
	// order: those that need a fetch, failed in a way a retry may mend, or
	// follow one of those with the same order key.
	Alone []*Queued
	// Rest are the items the batch did not reach within its time; they go
	// back to the head of their lane.
	Rest []*Queued
}

// Applier applies received activities: the federation package.
type Applier interface {
	// ApplyBatch applies items in one transaction.
	ApplyBatch(ctx context.Context, items []*Queued) Outcome
	// ApplyAlone applies one item in transactions of its own, fetching as
	// it needs, and records its outcome; false when none was recorded
	// (the worker is stopping, or the database failed).
	ApplyAlone(ctx context.Context, it *Item) (recorded bool)
}

// Config is what the worker is given.
type Config struct {
	Settings
	Store Store
	Apply Applier
	// Poll is how often the worker looks for due items when not woken.
	Poll  time.Duration
	Clock forum.Clock
	Log   *slog.Logger
	// Wake tells the worker that items were stored.
	Wake <-chan struct{}
}

// OrderKey names what an activity's order matters for. Activities about
// one object (its Create, Updates, Delete, Likes and their Undo, and a
// forum's Announces of them) share the object's id; a Follow, its Accept
// or Reject and its Undo share the pair of actors. An item whose body
// can't be read is alone with its own key: applying it will say why.
func OrderKey(it *Item) string {
	if k := orderKeyOf(it.Body, 3); k != "" {
		return k
	}
	return "item " + it.ID
}

// orderKeyOf reads the key of an activity, looking into the activity an
// Undo, Accept, Reject or Announce carries (depth levels at most).
func orderKeyOf(raw json.RawMessage, depth int) string {
	var env struct {
		Type   json.RawMessage `json:"type"`
		Actor  json.RawMessage `json:"actor"`
		Object json.RawMessage `json:"object"`
	}
	if depth == 0 || json.Unmarshal(raw, &env) != nil {
		return ""
	}
	switch TypeOf(env.Type) {
	case "Follow":
		return "follow " + IRIOf(env.Actor) + " " + IRIOf(env.Object)
	case "Accept", "Reject", "Undo", "Announce":
		if k := orderKeyOf(env.Object, depth-1); k != "" {
			return k
		}
	}
	if id := IRIOf(env.Object); id != "" {
		return "object " + id
	}
	return ""
}

// TypeOf reads an activity's type (a string, or the first of a list).
func TypeOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
		return list[0]
	}
	return ""
}

// IRIOf reads an actor or object reference: a string, or an object's id.
func IRIOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return o.ID
	}
	return ""
}
