package forum

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"
)

// A city node that joined a hub forum keeps a record of each of the
// forum's events as the hub publishes them (the `Event` that is the
// question of its discussion thread), so the city lists them, gives each
// a page and an .ics, and lets its members say they come. The hub's copy
// is the original: the city's record changes only with the hub's Create
// and Update of the Event, from the forum's own node.

// MirroredEvent is an event of a joined forum as its node published it.
type MirroredEvent struct {
	Language  string
	Texts     map[string]WebinarText
	StartsAt  time.Time
	EndsAt    *time.Time
	TimeZone  string
	OnlineURL string
	Cancelled bool
}

// KeepMirroredWebinar creates or updates the record of the event a joined
// forum's thread is the discussion of. by is who sent the Event: it must
// be of the forum's own node (a fediverse person or another city cannot
// make or change a hub's event). Each update counts in Sequence, so a
// calendar that has the city's .ics replaces its copy.
func (s *Service) KeepMirroredWebinar(ctx context.Context, t *Thread, by *Member, ev MirroredEvent) (*Webinar, error) {
	if t == nil || by == nil || by.Local() {
		return nil, ErrForbidden
	}
	var w *Webinar
	err := s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		f, err := tx.ForumByID(ctx, t.ForumID)
		if err != nil {
			return err
		}
		if f.Local() {
			return ErrForbidden // a local forum's events are made here
		}
		if !strings.EqualFold(by.Domain, f.Domain) || t.AuthorID != by.ID {
			return fmt.Errorf("event of %s sent by %s@%s: %w", f.Slug, by.Username, by.Domain, ErrForbidden)
		}
		clean, err := cleanMirrored(ev)
		if err != nil {
			return err
		}
		cur, err := tx.WebinarByThread(ctx, t.ID)
		if errors.Is(err, ErrNotFound) {
			clean.ID, clean.ForumID, clean.ThreadID, clean.CreatedBy, clean.CreatedAt = s.ids.New(), f.ID, t.ID, by.ID, s.clock.Now()
			w = clean
			return tx.CreateWebinar(ctx, w)
		} else if err != nil {
			return err
		}
		if mirroredSame(cur, clean) {
			w = cur // a repeated Update (or a backfill of what we have) changes nothing
			return nil
		}
		clean.ID, clean.ForumID, clean.ThreadID, clean.CreatedBy, clean.CreatedAt = cur.ID, cur.ForumID, cur.ThreadID, cur.CreatedBy, cur.CreatedAt
		clean.Sequence = cur.Sequence + 1
		w = clean
		return tx.UpdateWebinar(ctx, w)
	})
	if err != nil {
		return nil, fmt.Errorf("keep the event of thread %s: %w", t.ID, err)
	}
	return w, nil
}

// cleanMirrored bounds what another node sent: a start is required, an end
// before it (or missing) becomes the start, texts are clipped, an unknown
// zone is UTC and a link that is not a web address is dropped.
func cleanMirrored(ev MirroredEvent) (*Webinar, error) {
	lang, err := CanonicalLanguage("language", ev.Language)
	if err != nil {
		lang = ""
	}
	if !Storable(ev.StartsAt) {
		return nil, invalid("starts", "error.datetime", "is not a date and time")
	}
	w := &Webinar{Texts: map[string]WebinarText{}, StartsAt: ev.StartsAt.UTC(), EndsAt: ev.StartsAt.UTC(), TimeZone: "UTC",
		Cancelled: ev.Cancelled}
	if ev.EndsAt != nil && Storable(*ev.EndsAt) && ev.EndsAt.After(ev.StartsAt) && ev.EndsAt.Sub(ev.StartsAt) <= maxWebinarDuration {
		w.EndsAt = ev.EndsAt.UTC()
	}
	if loc, err := LoadTimeZone("time_zone", ev.TimeZone); err == nil {
		w.TimeZone = loc.String()
	}
	if u, err := url.Parse(strings.TrimSpace(ev.OnlineURL)); err == nil && (u.Scheme == "https" || u.Scheme == "http") &&
		u.Host != "" && len(ev.OnlineURL) <= MaxWebinarURLLen {
		w.OnlineURL = u.String()
	}
	// In tag order, so that a resend of the same Event keeps the same
	// languages when it has more than are kept (map order would differ).
	for _, tag := range slices.Sorted(maps.Keys(ev.Texts)) {
		t := ev.Texts[tag]
		c, err := CanonicalLanguage("language", tag)
		if err != nil || len(w.Texts) >= maxMirroredLanguages {
			continue
		}
		title := clip(t.Title, MaxTitleLen)
		if title == "" {
			continue
		}
		w.Texts[c] = WebinarText{Title: title, Description: clip(t.Description, MaxBodyLen)}
	}
	if _, ok := w.Texts[lang]; !ok {
		// The stated language has no title: take any that has one, so
		// the record always has its original text.
		lang = ""
		for l := range w.Texts {
			if lang == "" || l < lang {
				lang = l
			}
		}
	}
	if lang == "" {
		return nil, invalid("title", "error.required", "is required in the event's language")
	}
	w.Language = lang
	return w, nil
}

// maxMirroredLanguages bounds the texts kept of a received event.
const maxMirroredLanguages = 20

// mirroredSame reports whether a received version says what is stored.
func mirroredSame(cur, w *Webinar) bool {
	if cur.Language != w.Language || !cur.StartsAt.Equal(w.StartsAt) || !cur.EndsAt.Equal(w.EndsAt) ||
		cur.TimeZone != w.TimeZone || cur.OnlineURL != w.OnlineURL || cur.Cancelled != w.Cancelled || len(cur.Texts) != len(w.Texts) {
		return false
	}
	for l, t := range w.Texts {
		if cur.Texts[l] != t {
			return false
		}
	}
	return true
}
