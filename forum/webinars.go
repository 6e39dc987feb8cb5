package forum

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

// A webinar is a forum's event (FEP-8a8e `Event`): a live session with a
// start and an end, an online link, speakers and a programme, and its own
// discussion thread, created with it.

// WebinarText is a webinar's title and description in one language.
type WebinarText struct {
	Title       string
	Description string
}

// Speaker is who speaks at a webinar: a member of this node, or a name as
// the organiser typed it.
type Speaker struct {
	MemberID ID
	Name     string
}

// Webinar is a forum's event.
type Webinar struct {
	ID       ID
	ForumID  ID
	ThreadID ID // its discussion thread
	// Language is the original language: Texts has it at least.
	Language string
	Texts    map[string]WebinarText
	// StartsAt and EndsAt are instants (UTC); TimeZone is the IANA zone
	// the organiser gave them in.
	StartsAt, EndsAt time.Time
	TimeZone         string
	OnlineURL        string
	Speakers         []Speaker
	// Programme is plain text, one item a line.
	Programme string
	// Sequence counts the changes made since it was created (a calendar's
	// SEQUENCE: a calendar app replaces its copy when it grows).
	Sequence int
	// Cancelled is set when a moderator cancelled it: it stays listed,
	// marked so, and takes no more RSVPs.
	Cancelled bool
	CreatedBy ID
	CreatedAt time.Time
}

// Text returns the webinar's text in the first of langs it has, else in
// its original language, and the language picked.
func (w *Webinar) Text(langs ...string) (WebinarText, string) {
	for _, l := range langs {
		if t, ok := w.Texts[l]; ok {
			return t, l
		}
	}
	return w.Texts[w.Language], w.Language
}

// Past reports whether the webinar ended before now.
func (w *Webinar) Past(now time.Time) bool { return !w.EndsAt.After(now) }

// ProgrammeItems are the programme's non-empty lines.
func (w *Webinar) ProgrammeItems() []string {
	var out []string
	for _, l := range strings.Split(w.Programme, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// WebinarInput is a webinar as a moderator types it. Starts and Ends are
// wall-clock times in TimeZone as an HTML datetime-local field sends them
// ("2026-05-17T15:00"). Speakers has one per line: "@username" for a
// member of this node, anything else as written.
type WebinarInput struct {
	Language  string
	Texts     map[string]WebinarText
	Starts    string
	Ends      string
	TimeZone  string
	OnlineURL string
	Speakers  string
	Programme string
}

// Bounds of a webinar's fields.
const (
	MaxWebinarSpeakers  = 30
	MaxProgrammeLen     = 5000
	MaxWebinarURLLen    = 500
	maxWebinarDuration  = 14 * 24 * time.Hour
	WebinarTimeLayout   = "2006-01-02T15:04"
	webinarTimeLayoutSS = "2006-01-02T15:04:05"
)

// LoadTimeZone checks an IANA zone name ("Europe/Madrid"); "UTC" is one.
func LoadTimeZone(field, name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if name == "" || name == "Local" {
		return nil, invalid(field, "error.time_zone", "is not a time zone such as Europe/Madrid")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, invalid(field, "error.time_zone", "is not a time zone such as Europe/Madrid")
	}
	return loc, nil
}

func wallTime(field, v string, loc *time.Location) (time.Time, error) {
	v = strings.TrimSpace(v)
	t, err := time.ParseInLocation(WebinarTimeLayout, v, loc)
	if err != nil {
		if t, err = time.ParseInLocation(webinarTimeLayoutSS, v, loc); err != nil {
			return time.Time{}, invalid(field, "error.datetime", "is not a date and time")
		}
	}
	if !Storable(t) {
		return time.Time{}, invalid(field, "error.datetime", "is not a date and time")
	}
	return t.UTC(), nil
}

// cleanWebinar validates what a moderator typed, resolving "@username"
// speakers through tx.
func (s *Service) cleanWebinar(ctx context.Context, tx Store, in WebinarInput) (*Webinar, error) {
	lang, err := CanonicalLanguage("language", in.Language)
	if err != nil {
		return nil, err
	}
	texts := map[string]WebinarText{}
	for tag, t := range in.Texts {
		if strings.TrimSpace(t.Title) == "" && strings.TrimSpace(t.Description) == "" {
			continue
		}
		c, err := CanonicalLanguage("language", tag)
		if err != nil {
			return nil, err
		}
		if t.Title, err = text("title", t.Title, MinTitleLen, MaxTitleLen); err != nil {
			return nil, err
		}
		if t.Description, err = text("description", t.Description, 0, MaxBodyLen); err != nil {
			return nil, err
		}
		texts[c] = t
	}
	if _, ok := texts[lang]; !ok {
		return nil, invalid("title", "error.required", "is required in the event's language")
	}
	loc, err := LoadTimeZone("time_zone", in.TimeZone)
	if err != nil {
		return nil, err
	}
	w := &Webinar{Language: lang, Texts: texts, TimeZone: loc.String()}
	if w.StartsAt, err = wallTime("starts", in.Starts, loc); err != nil {
		return nil, err
	}
	if w.EndsAt, err = wallTime("ends", in.Ends, loc); err != nil {
		return nil, err
	}
	if !w.EndsAt.After(w.StartsAt) {
		return nil, invalid("ends", "error.event_ends_before_start", "is not after the start")
	}
	if w.EndsAt.Sub(w.StartsAt) > maxWebinarDuration {
		return nil, invalid("ends", "error.event_too_long", "is more than 14 days after the start")
	}
	if w.OnlineURL = strings.TrimSpace(in.OnlineURL); w.OnlineURL != "" {
		u, err := url.Parse(w.OnlineURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(w.OnlineURL) > MaxWebinarURLLen {
			return nil, invalid("online_url", "error.url", "is not a web address (https://…)")
		}
	}
	if w.Programme, err = text("programme", in.Programme, 0, MaxProgrammeLen); err != nil {
		return nil, err
	}
	for _, line := range strings.Split(in.Speakers, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if len(w.Speakers) == MaxWebinarSpeakers {
			return nil, invalid("speakers", "error.too_many", "lists too many speakers")
		}
		if name, ok := strings.CutPrefix(line, "@"); ok {
			m, err := tx.LocalMemberByUsername(ctx, NormalizeUsername(name))
			if errors.Is(err, ErrNotFound) {
				return nil, invalid("speakers", "error.speaker_unknown", "names a member who is not on this node")
			} else if err != nil {
				return nil, err
			}
			w.Speakers = append(w.Speakers, Speaker{MemberID: m.ID, Name: m.DisplayName})
			continue
		}
		if line, err = text("speakers", line, 1, MaxNameLen); err != nil {
			return nil, err
		}
		w.Speakers = append(w.Speakers, Speaker{Name: line})
	}
	return w, nil
}

// CreateWebinar creates a forum's event and its discussion thread (asked
// by the moderator, titled like the event, its description as the
// question), with their events, in one transaction: the publisher sends
// the thread's Page and the Event to the forum's followers.
func (s *Service) CreateWebinar(ctx context.Context, actor *Member, forumID ID, in WebinarInput) (*Webinar, error) {
	if err := CanModerate(actor); err != nil {
		return nil, err
	}
	if err := CanAsk(actor); err != nil {
		return nil, err
	}
	var w *Webinar
	err := s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		f, err := tx.ForumByID(ctx, forumID)
		if err != nil {
			return err
		}
		if !f.Local() {
			return ErrForbidden // a joined forum's events are its node's
		}
		if w, err = s.cleanWebinar(ctx, tx, in); err != nil {
			return err
		}
		text := w.Texts[w.Language]
		body := text.Description
		if strings.TrimSpace(body) == "" {
			body = text.Title
		}
		source, html, err := s.renderBody(body)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		id := s.ids.NewAt(now)
		t := &Thread{ID: id, ForumID: forumID, AuthorID: actor.ID, RootPostID: id, Title: text.Title,
			Language: w.Language, LastPostID: id, LastPostAt: now, CreatedAt: now}
		// The question carries the event's times: the thread shows them,
		// and federation publishes it as the Event.
		starts, ends := w.StartsAt, w.EndsAt
		p := &Post{ID: id, ThreadID: id, AuthorID: actor.ID, BranchID: id, Language: w.Language,
			Source: source, HTML: html, CreatedAt: now,
			Extras: Extras{Kind: KindEvent, Starts: &starts, Ends: &ends, Place: w.OnlineURL}}
		if err := tx.CreateThread(ctx, t, p); err != nil {
			return fmt.Errorf("create the event's thread: %w", err)
		}
		if err := s.record(ctx, tx, Event{Kind: EventThreadCreated, ActorID: actor.ID, ForumID: forumID, ThreadID: t.ID, PostID: p.ID}); err != nil {
			return err
		}
		w.ID, w.ForumID, w.ThreadID, w.CreatedBy, w.CreatedAt = s.ids.New(), forumID, t.ID, actor.ID, now
		if err := tx.CreateWebinar(ctx, w); err != nil {
			return fmt.Errorf("create event: %w", err)
		}
		// The event names the webinar by its thread (one each).
		return s.record(ctx, tx, Event{Kind: EventWebinarCreated, ActorID: actor.ID, ForumID: forumID, ThreadID: t.ID})
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// Now is the service's clock: pages split upcoming and past events by it.
func (s *Service) Now() time.Time { return s.clock.Now() }

// Webinar returns one webinar.
func (s *Service) Webinar(ctx context.Context, id ID) (*Webinar, error) {
	if !ValidID(id) {
		return nil, ErrNotFound
	}
	return s.store.WebinarByID(ctx, id)
}

// WebinarOfThread returns the webinar a thread discusses, ErrNotFound if none.
func (s *Service) WebinarOfThread(ctx context.Context, threadID ID) (*Webinar, error) {
	return s.store.WebinarByThread(ctx, threadID)
}

// WebinarList is a forum's (or the node's) webinars, split at now.
type WebinarList struct {
	Upcoming []*Webinar // soonest first
	Past     []*Webinar // latest first
}

// maxWebinarsListed bounds a list (a forum holds a few a year).
const maxWebinarsListed = 500

// ListWebinars lists a forum's webinars ("" for every forum's).
func (s *Service) ListWebinars(ctx context.Context, forumID ID) (WebinarList, error) {
	all, err := s.store.ListWebinars(ctx, forumID, maxWebinarsListed)
	if err != nil {
		return WebinarList{}, err
	}
	now := s.clock.Now()
	var l WebinarList
	for _, w := range all {
		if w.Past(now) {
			l.Past = append(l.Past, w)
		} else {
			l.Upcoming = append(l.Upcoming, w)
		}
	}
	sort.SliceStable(l.Past, func(i, j int) bool { return l.Past[i].StartsAt.After(l.Past[j].StartsAt) })
	return l, nil
}

// RSVP records that a member comes to a webinar (going) or no longer
// does. Members of this node answer on its page; people elsewhere send a
// Join or Leave (ReceiveRSVP). Saying it twice changes nothing.
func (s *Service) RSVP(ctx context.Context, actor *Member, webinarID ID, going bool) (*Webinar, error) {
	if !signedIn(actor) || !actor.Local() {
		return nil, ErrForbidden
	}
	return s.setRSVP(ctx, actor, webinarID, going)
}

// ReceiveRSVP is a remote person's Join (going) or Leave of a webinar.
func (s *Service) ReceiveRSVP(ctx context.Context, by *Member, webinarID ID, going bool) (*Webinar, error) {
	if by == nil || by.Local() {
		return nil, ErrForbidden
	}
	return s.setRSVP(ctx, by, webinarID, going)
}

func (s *Service) setRSVP(ctx context.Context, m *Member, webinarID ID, going bool) (*Webinar, error) {
	w, err := s.Webinar(ctx, webinarID)
	if err != nil {
		return nil, err
	}
	if going && w.Cancelled {
		return nil, invalid("rsvp", "error.event_cancelled", "the event is cancelled")
	}
	if going && w.Past(s.clock.Now()) {
		return nil, invalid("rsvp", "error.event_over", "the event is over")
	}
	if m.Local() {
		return w, s.mirroredRSVP(ctx, m, w, going)
	}
	if going {
		return w, s.store.AddRSVP(ctx, w.ID, m.ID, s.clock.Now())
	}
	return w, s.store.RemoveRSVP(ctx, w.ID, m.ID)
}

// mirroredRSVP records a member's answer and, when the event is a joined
// forum's and the answer changed, the event that sends it to the forum's
// node (its organiser counts who comes), in one transaction.
func (s *Service) mirroredRSVP(ctx context.Context, m *Member, w *Webinar, going bool) error {
	return s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		ids, err := tx.ListRSVPs(ctx, w.ID)
		if err != nil {
			return err
		}
		if slices.Contains(ids, m.ID) == going {
			return nil // already so: nothing to tell
		}
		kind := EventRSVPWithdrawn
		if going {
			kind = EventRSVPSent
			err = tx.AddRSVP(ctx, w.ID, m.ID, s.clock.Now())
		} else {
			err = tx.RemoveRSVP(ctx, w.ID, m.ID)
		}
		if err != nil {
			return err
		}
		f, err := tx.ForumByID(ctx, w.ForumID)
		if err != nil {
			return err
		}
		if f.Local() {
			return nil // the organiser is here
		}
		t, err := tx.ThreadByID(ctx, w.ThreadID)
		if err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Kind: kind, ActorID: m.ID, MemberID: m.ID, ForumID: f.ID, ThreadID: t.ID, PostID: t.RootPostID})
	})
}

// Attendees lists who said they come, in the order they said it, and
// whether viewer is among them.
func (s *Service) Attendees(ctx context.Context, webinarID ID, viewer *Member) ([]*Member, bool, error) {
	ids, err := s.store.ListRSVPs(ctx, webinarID)
	if err != nil {
		return nil, false, err
	}
	ms, err := s.store.MembersByIDs(ctx, ids)
	if err != nil {
		return nil, false, err
	}
	out := make([]*Member, 0, len(ids))
	going := false
	for _, id := range ids {
		if m := ms[id]; m != nil {
			out = append(out, m)
			going = going || (viewer != nil && viewer.ID == id)
		}
	}
	return out, going, nil
}

// WebinarStore keeps webinars and who comes.
type WebinarStore interface {
	// CreateWebinar stores a webinar with its texts and speakers.
	CreateWebinar(ctx context.Context, w *Webinar) error
	WebinarByID(ctx context.Context, id ID) (*Webinar, error)
	// WebinarToChange is WebinarByID for a transaction that writes the
	// webinar back whole, locked as MemberToChange (two edits at once
	// would otherwise both raise its sequence from the same number).
	WebinarToChange(ctx context.Context, id ID) (*Webinar, error)
	WebinarByThread(ctx context.Context, threadID ID) (*Webinar, error)
	// ListWebinars lists a forum's webinars ("" for all) by start time,
	// soonest first.
	ListWebinars(ctx context.Context, forumID ID, limit int) ([]*Webinar, error)
	// UpdateWebinar stores a webinar's new fields, texts and speakers
	// (everything but its forum, thread, author and creation time).
	UpdateWebinar(ctx context.Context, w *Webinar) error
	// AddRSVP and RemoveRSVP change nothing when already so.
	AddRSVP(ctx context.Context, webinarID, memberID ID, at time.Time) error
	RemoveRSVP(ctx context.Context, webinarID, memberID ID) error
	// ListRSVPs lists who comes, in the order they said so.
	ListRSVPs(ctx context.Context, webinarID ID) ([]ID, error)
}
