package live

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/metropolis/agora/forum"
)

// Feed turns the node's event log into live messages: each new answer is
// published on its thread's topic. Every process may run a Feed; with a
// shared broker that drops repeated message IDs (Redis), each event is
// published once.
type Feed struct {
	// Events lists events after an ID, oldest first (forum.Service.Events).
	Events func(ctx context.Context, afterID forum.ID, limit int) ([]*forum.Event, error)
	// EventIDs lists the IDs of the events after an ID, in order
	// (forum.Service.EventIDs).
	EventIDs func(ctx context.Context, afterID forum.ID, limit int) ([]forum.ID, error)
	// Statuses lists the ids of followed remote people's statuses kept
	// after an ID, oldest first (personal.People.StatusesSince): each is
	// published on PostsTopic too, so open home streams show it. nil:
	// none.
	Statuses func(ctx context.Context, afterID forum.ID, limit int) ([]forum.ID, error)
	Broker   Broker
	Logger   *slog.Logger
	// Poll is how often the log is read; default 500 ms.
	Poll time.Duration
	// Lookback is how far back each read starts: event IDs are taken before
	// their transaction commits, so one may become visible after a later
	// one. Default 10 s.
	Lookback time.Duration
	// Now tells the time; default time.Now.
	Now func() time.Time
}

// AnswerData is the payload of a new answer's message.
type AnswerData struct {
	Post   string `json:"post"`
	Thread string `json:"thread"`
}

// Run publishes until ctx ends. It starts at the time it is called: older
// events are history, shown by the pages themselves.
func (f *Feed) Run(ctx context.Context) {
	poll, lookback, now := f.Poll, f.Lookback, f.Now
	if poll == 0 {
		poll = 500 * time.Millisecond
	}
	if lookback == 0 {
		lookback = 10 * time.Second
	}
	if now == nil {
		now = time.Now
	}
	start := now()
	seen := map[forum.ID]time.Time{} // events published, until they leave the lookback
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		from := now().Add(-lookback)
		if from.Before(start) {
			from = start
		}
		f.publishSince(ctx, idAt(from), seen)
		f.publishStatusesSince(ctx, idAt(from), seen)
		for id, at := range seen {
			if at.Before(from.Add(-lookback)) {
				delete(seen, id)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// idPage is how many event IDs publishSince reads at a time.
const idPage = 1000

// publishSince publishes the new answers among the events after an ID. It
// reads the IDs of the lookback window first and the events themselves
// only from the first one not seen yet: the window is re-read at every
// poll for the late commits, and during a burst of replies it holds
// thousands of events already published, whose whole rows cost the node
// 5% of its CPU to read again (bench/README.md section 3).
func (f *Feed) publishSince(ctx context.Context, after forum.ID, seen map[forum.ID]time.Time) {
	for {
		ids, err := f.EventIDs(ctx, after, idPage)
		if err != nil {
			if ctx.Err() == nil {
				f.Logger.Warn("live feed: read event ids", "err", err)
			}
			return
		}
		for _, id := range ids {
			if _, ok := seen[id]; !ok {
				f.publishEvents(ctx, after, seen)
				return
			}
			after = id
		}
		if len(ids) < idPage {
			return
		}
	}
}

// publishEvents publishes the new answers among the events after an ID,
// once each, and marks every event it reads seen.
func (f *Feed) publishEvents(ctx context.Context, after forum.ID, seen map[forum.ID]time.Time) {
	for {
		events, err := f.Events(ctx, after, 200)
		if err != nil {
			if ctx.Err() == nil {
				f.Logger.Warn("live feed: read events", "err", err)
			}
			return
		}
		for _, e := range events {
			after = e.ID
			if _, ok := seen[e.ID]; ok {
				continue
			}
			if newPost(e) {
				data, _ := json.Marshal(AnswerData{Post: e.PostID, Thread: e.ThreadID})
				msgs := []Message{{Topic: PostsTopic, ID: "post:" + e.ID, Data: data}}
				if newAnswer(e) {
					msgs = append(msgs, Message{Topic: ThreadTopic(e.ThreadID), ID: e.ID, Data: data})
				}
				for _, m := range msgs {
					if err := f.Broker.Publish(ctx, m); err != nil {
						// Live updates are a convenience: the page shows the
						// answer on its next load. Try again on the next poll
						// (a shared broker drops the one already sent).
						f.Logger.Warn("live feed: publish", "event", e.ID, "err", err)
						return
					}
				}
			}
			seen[e.ID] = e.CreatedAt
		}
		if len(events) < 200 {
			return
		}
	}
}

// publishStatusesSince publishes the statuses kept after an id, once
// each: a home stream reads what is new in its member's timeline.
func (f *Feed) publishStatusesSince(ctx context.Context, after forum.ID, seen map[forum.ID]time.Time) {
	if f.Statuses == nil {
		return
	}
	ids, err := f.Statuses(ctx, after, 200)
	if err != nil {
		if ctx.Err() == nil {
			f.Logger.Warn("live feed: read statuses", "err", err)
		}
		return
	}
	for _, id := range ids {
		if _, ok := seen[id]; ok {
			continue
		}
		data, _ := json.Marshal(AnswerData{Post: id})
		if err := f.Broker.Publish(ctx, Message{Topic: PostsTopic, ID: "status:" + id, Data: data}); err != nil {
			f.Logger.Warn("live feed: publish", "status", id, "err", err)
			return
		}
		seen[id] = idTime(id)
	}
}

// idTime is when an id was made.
func idTime(id forum.ID) time.Time {
	u, err := ulid.ParseStrict(strings.ToUpper(id))
	if err != nil {
		return time.Time{}
	}
	return ulid.Time(u.Time())
}

// newAnswer reports whether an event is a new answer, written here or
// received from another node (a received question has its thread's ID).
func newAnswer(e *forum.Event) bool {
	switch e.Kind {
	case forum.EventPostCreated:
		return e.ThreadID != ""
	case forum.EventPostReceived:
		return e.ThreadID != "" && e.PostID != e.ThreadID
	}
	return false
}

// newPost reports whether an event is a new question or answer, written
// here or received.
func newPost(e *forum.Event) bool {
	switch e.Kind {
	case forum.EventThreadCreated, forum.EventPostCreated, forum.EventPostReceived:
		return e.ThreadID != "" && e.PostID != ""
	}
	return false
}

// idAt is the smallest ID made at t: events after it were made at t or
// later.
func idAt(t time.Time) forum.ID {
	var id ulid.ULID
	_ = id.SetTime(ulid.Timestamp(t))
	return strings.ToLower(id.String())
}
