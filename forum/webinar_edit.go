package forum

import (
	"context"
	"fmt"
	"strings"
)

// Editing and cancelling a forum's event. The event is published as its
// discussion thread's question (federation/webinars.go), so a change is
// also a new version of that question: its title, its description as the
// body, its times and place in the post's extras, and whether it is
// cancelled. The question's post.edited is recorded in the name of its
// author: the Update of the Event must come from the actor it is
// attributed to, or other nodes refuse it (ReceiveEdit).

// EditWebinar changes a webinar's texts, times, link, speakers and
// programme. It may not be past: what happened is not rewritten.
func (s *Service) EditWebinar(ctx context.Context, actor *Member, webinarID ID, in WebinarInput) (*Webinar, error) {
	return s.changeWebinar(ctx, actor, webinarID, func(ctx context.Context, tx Store, w *Webinar) (bool, error) {
		if w.Cancelled {
			return false, invalid("event", "error.event_cancelled", "the event is cancelled")
		}
		nw, err := s.cleanWebinar(ctx, tx, in)
		if err != nil {
			return false, err
		}
		w.Language, w.Texts, w.StartsAt, w.EndsAt, w.TimeZone = nw.Language, nw.Texts, nw.StartsAt, nw.EndsAt, nw.TimeZone
		w.OnlineURL, w.Speakers, w.Programme = nw.OnlineURL, nw.Speakers, nw.Programme
		return true, nil
	}, EventWebinarChanged)
}

// CancelWebinar cancels a webinar. It stays listed, marked cancelled;
// cancelling twice changes nothing.
func (s *Service) CancelWebinar(ctx context.Context, actor *Member, webinarID ID) (*Webinar, error) {
	return s.changeWebinar(ctx, actor, webinarID, func(_ context.Context, _ Store, w *Webinar) (bool, error) {
		if w.Cancelled {
			return false, nil
		}
		w.Cancelled = true
		return true, nil
	}, EventWebinarCancelled)
}

// changeWebinar applies change to a local forum's coming webinar, and
// when it changed something stores it with a new sequence, revises its
// question and records the events.
func (s *Service) changeWebinar(ctx context.Context, actor *Member, webinarID ID,
	change func(context.Context, Store, *Webinar) (bool, error), kind EventKind) (*Webinar, error) {
	if err := CanModerate(actor); err != nil {
		return nil, err
	}
	if !ValidID(webinarID) {
		return nil, ErrNotFound
	}
	var w *Webinar
	err := s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		var err error
		if w, err = tx.WebinarToChange(ctx, webinarID); err != nil {
			return err
		}
		f, err := tx.ForumByID(ctx, w.ForumID)
		if err != nil {
			return err
		}
		if !f.Local() {
			return ErrForbidden // a joined forum's events are its node's
		}
		if w.Past(s.clock.Now()) {
			return invalid("event", "error.event_over", "the event is over")
		}
		if changed, err := change(ctx, tx, w); err != nil || !changed {
			return err
		}
		w.Sequence++
		if err := tx.UpdateWebinar(ctx, w); err != nil {
			return fmt.Errorf("update event %s: %w", w.ID, err)
		}
		author, err := s.reviseEventQuestion(ctx, tx, actor, w)
		if err != nil {
			return err
		}
		if err := s.record(ctx, tx, Event{Kind: EventPostEdited, ActorID: author, ForumID: w.ForumID, ThreadID: w.ThreadID,
			PostID: w.ThreadID}); err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Kind: kind, ActorID: actor.ID, ForumID: w.ForumID, ThreadID: w.ThreadID, PostID: w.ThreadID})
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// reviseEventQuestion makes the webinar's discussion question say what
// the webinar now says, keeping its former version as a revision, and
// returns the question's author.
func (s *Service) reviseEventQuestion(ctx context.Context, tx Store, editor *Member, w *Webinar) (ID, error) {
	p, t, err := s.postAndThread(ctx, tx, w.ThreadID)
	if err != nil {
		return "", fmt.Errorf("the event's thread: %w", err)
	}
	text := w.Texts[w.Language]
	body := text.Description
	if strings.TrimSpace(body) == "" {
		body = text.Title
	}
	source, html, err := s.renderBody(body)
	if err != nil {
		return "", err
	}
	now := s.clock.Now()
	if source != p.Source || t.Title != text.Title || p.Language != w.Language {
		old := &Revision{ID: s.ids.New(), PostID: p.ID, EditorID: editor.ID, Source: p.Source, Language: p.Language,
			Title: t.Title, CreatedAt: now}
		if err := tx.CreateRevision(ctx, old); err != nil {
			return "", fmt.Errorf("store revision: %w", err)
		}
	}
	starts, ends := w.StartsAt, w.EndsAt
	p.Source, p.HTML, p.Language, p.EditedAt = source, html, w.Language, &now
	p.Extras.Kind, p.Extras.Starts, p.Extras.Ends, p.Extras.Place, p.Extras.Cancelled = KindEvent, &starts, &ends, w.OnlineURL, w.Cancelled
	if err := tx.UpdatePost(ctx, p); err != nil {
		return "", err
	}
	t.Title, t.Language = text.Title, w.Language
	if err := tx.UpdateThread(ctx, t); err != nil {
		return "", err
	}
	return p.AuthorID, nil
}
