package forum

import (
	"crypto/rand"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// ID identifies every stored thing. IDs are lowercase ULIDs: they sort by
// creation time, so they make stable cursors and stable federation URLs.
type ID = string

// IDs makes new identifiers.
type IDs interface {
	New() ID
	// NewAt makes an ID that sorts at time t: posts take their publication
	// time, so every node orders a thread's posts alike.
	NewAt(t time.Time) ID
}

// Clock tells the time; tests fix it.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current UTC time.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// ULIDs makes monotonic ULIDs from a clock and an entropy source.
type ULIDs struct {
	mu      sync.Mutex
	clock   Clock
	entropy *ulid.MonotonicEntropy
}

// NewULIDs returns a generator. A nil entropy source means crypto/rand;
// tests pass a fixed reader to get fixed IDs.
func NewULIDs(clock Clock, entropy io.Reader) *ULIDs {
	if entropy == nil {
		entropy = rand.Reader
	}
	return &ULIDs{clock: clock, entropy: ulid.Monotonic(entropy, 0)}
}

// New returns the next ID; IDs made in the same millisecond still increase.
func (g *ULIDs) New() ID { return g.NewAt(g.clock.Now()) }

// NewAt returns an ID for time t (to the millisecond). A time an ID cannot
// hold (before 1970, or past ULID's year 10889) takes the clock's time
// instead: t may come from another server, and no date it sends may stop
// the node.
func (g *ULIDs) NewAt(t time.Time) ID {
	if !Storable(t) {
		t = g.clock.Now()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	ts := ulid.Timestamp(t)
	id, err := ulid.New(ts, g.entropy)
	if err != nil {
		// The monotonic source ran out within one millisecond (after ~2^80
		// IDs): draw fresh randomness. t is storable and crypto/rand never
		// fails (Go 1.24+), so this cannot panic.
		id = ulid.MustNew(ts, rand.Reader)
	}
	return strings.ToLower(id.String())
}

// latestUnix is 9999-12-31T23:59:59Z: later times have no RFC 3339 form,
// which both databases and every peer read.
const latestUnix = 253402300799

// Storable reports whether t is a time the node can store and order by:
// not zero, not before 1970 (an ID holds no earlier time), not after 9999.
func Storable(t time.Time) bool {
	return !t.IsZero() && t.Unix() >= 0 && t.Unix() <= latestUnix
}

// ValidID reports whether s has the shape of an ID, so handlers can answer
// 404 without asking the database about garbage.
func ValidID(s string) bool {
	if len(s) != ulid.EncodedSize {
		return false
	}
	_, err := ulid.ParseStrict(strings.ToUpper(s))
	return err == nil && strings.ToLower(s) == s
}

// idAfter returns an ID for time t that sorts after floor. A reply must
// sort after the post it answers, even when its author's clock is behind
// the parent's (or a remote server says it was published earlier): the
// thread is listed by (branch, id), and a reply shown above its parent
// would make no sense to a reader.
func idAfter(ids IDs, t time.Time, floor ID) ID {
	id := ids.NewAt(t)
	if id > floor {
		return id
	}
	ft, err := ulid.ParseStrict(strings.ToUpper(floor))
	if err != nil {
		return id // floor isn't ours to read; keep the time we were given
	}
	return ids.NewAt(ulid.Time(ft.Time()).Add(time.Millisecond))
}
