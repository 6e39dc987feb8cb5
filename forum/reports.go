package forum

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Report is a member's (or another node's) report of a post to the
// moderators of its forum.
type Report struct {
	ID ID
	// URI is the Flag activity's id for reports from other nodes.
	URI        string
	PostID     ID
	ThreadID   ID
	ForumID    ID
	ReporterID ID
	Reason     string
	CreatedAt  time.Time
	ResolvedAt *time.Time
	ResolvedBy ID
}

// MaxReasonLen bounds a report's reason.
const MaxReasonLen = 1000

// CanReport: any member of this node, about a post that still stands and
// isn't theirs.
func CanReport(actor *Member, p *Post) error {
	return allow(signedIn(actor) && actor.Local() && !p.Deleted() && actor.ID != p.AuthorID)
}

// Report records a member's report of a post and tells federation, which
// passes it to the forum's node when the forum is another node's.
func (s *Service) Report(ctx context.Context, actor *Member, postID ID, reason string) (*Report, error) {
	reason, err := text("reason", reason, 1, MaxReasonLen)
	if err != nil {
		return nil, err
	}
	var r *Report
	err = s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		p, t, err := s.postAndThread(ctx, tx, postID)
		if err != nil {
			return err
		}
		if err := CanReport(actor, p); err != nil {
			return err
		}
		r = &Report{ID: s.ids.New(), PostID: p.ID, ThreadID: t.ID, ForumID: t.ForumID, ReporterID: actor.ID,
			Reason: reason, CreatedAt: s.clock.Now()}
		if err := tx.CreateReport(ctx, r); err != nil {
			return fmt.Errorf("store report: %w", err)
		}
		// The event carries the report's ID, so federation finds the reason.
		return s.record(ctx, tx, Event{ID: r.ID, Kind: EventPostReported, ActorID: actor.ID, ForumID: t.ForumID, ThreadID: t.ID, PostID: p.ID})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// ReceiveReport records a report that came from another node (a Flag).
// The same Flag twice is one report.
func (s *Service) ReceiveReport(ctx context.Context, post *Post, by *Member, reason, uri string) (*Report, error) {
	p, t, err := s.PostInThread(ctx, post.ID)
	if err != nil {
		return nil, err
	}
	r := &Report{ID: s.ids.New(), URI: uri, PostID: p.ID, ThreadID: t.ID, ForumID: t.ForumID, ReporterID: by.ID,
		Reason: clip(reason, MaxReasonLen), CreatedAt: s.clock.Now()}
	// The report and its event commit together, so moderators hear of
	// every report once; the same Flag again adds neither.
	err = s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		if err := tx.CreateReport(ctx, r); err != nil {
			return err
		}
		return s.record(ctx, tx, Event{ID: r.ID, Kind: EventReportReceived, ActorID: by.ID, ForumID: t.ForumID, ThreadID: t.ID, PostID: p.ID})
	})
	if errors.Is(err, ErrConflict) {
		return r, nil
	} else if err != nil {
		return nil, fmt.Errorf("store report: %w", err)
	}
	return r, nil
}

// Reports lists the open reports, newest first, for moderators.
func (s *Service) Reports(ctx context.Context, actor *Member, cursor string) (Page[*Report], error) {
	if err := CanModerate(actor); err != nil {
		return Page[*Report]{}, err
	}
	before, err := decodeIDCursor(cursor)
	if err != nil {
		return Page[*Report]{}, err
	}
	items, err := s.store.ListOpenReports(ctx, before, AdminPageSize+1)
	return pageOf(items, err, AdminPageSize, func(r *Report) string { return r.ID })
}

// ResolveReport closes a report.
func (s *Service) ResolveReport(ctx context.Context, actor *Member, id ID) error {
	if err := CanModerate(actor); err != nil {
		return err
	}
	if !ValidID(id) {
		return ErrNotFound
	}
	return s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		r, err := tx.ReportByID(ctx, id)
		if err != nil {
			return err
		}
		if r.ResolvedAt != nil {
			return nil
		}
		now := s.clock.Now()
		r.ResolvedAt, r.ResolvedBy = &now, actor.ID
		return tx.UpdateReport(ctx, r)
	})
}

// ReportOf returns the report an EventPostReported event records.
func (s *Service) ReportOf(ctx context.Context, e *Event) (*Report, error) {
	if e.Kind != EventPostReported {
		return nil, ErrNotFound
	}
	return s.store.ReportByID(ctx, e.ID)
}
