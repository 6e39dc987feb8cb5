package report

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/metropolis/agora/forum"
)

// Store keeps reports. Implementations map driver errors onto
// forum.ErrNotFound and forum.ErrConflict.
type Store interface {
	// AtomicReports runs fn in one transaction.
	AtomicReports(ctx context.Context, fn func(ctx context.Context, tx Store) error) error
	// CreateForumReport stores a report with its texts and questions.
	CreateForumReport(ctx context.Context, r *Report) error
	// UpdateForumReport stores every field of r, replacing its texts and
	// questions.
	UpdateForumReport(ctx context.Context, r *Report) error
	ForumReportByID(ctx context.Context, id forum.ID) (*Report, error)
	// ListForumReports lists a forum's reports, newest first.
	ListForumReports(ctx context.Context, forumID forum.ID, limit int) ([]*Report, error)
	// AppendEvent adds to the node's event log, in the caller's
	// transaction.
	AppendEvent(ctx context.Context, e *forum.Event) error
	ReceivedStore
}

// Discussion is what a report reads of the forum: the reads of
// forum.Store it needs, and nothing that writes.
type Discussion interface {
	ForumByID(ctx context.Context, id forum.ID) (*forum.Forum, error)
	ThreadByID(ctx context.Context, id forum.ID) (*forum.Thread, error)
	PostByID(ctx context.Context, id forum.ID) (*forum.Post, error)
	// ListPosts lists a thread's posts, tombstones included, by
	// (BranchID, ID).
	ListPosts(ctx context.Context, threadID forum.ID, after forum.PostCursor, limit int) ([]*forum.Post, error)
	MembersByIDs(ctx context.Context, ids []forum.ID) (map[forum.ID]*forum.Member, error)
	// ListThreads lists a forum's threads that are not deleted.
	ListThreads(ctx context.Context, forumID forum.ID, after forum.ThreadCursor, limit int) ([]*forum.Thread, error)
}

// Deps are what a Service is built from.
type Deps struct {
	Store      Store
	Discussion Discussion
	Clock      forum.Clock
	IDs        forum.IDs
	// Renderer turns the moderators' markdown into safe HTML (the forum's
	// own renderer, so a report's text is cleaned like a post's).
	Renderer forum.Renderer
}

// Service composes, publishes and builds reports.
type Service struct {
	store  Store
	disc   Discussion
	clock  forum.Clock
	ids    forum.IDs
	render forum.Renderer
}

// NewService checks deps and returns a Service.
func NewService(d Deps) (*Service, error) {
	if d.Store == nil || d.Discussion == nil || d.Clock == nil || d.IDs == nil || d.Renderer == nil {
		return nil, errors.New("report: incomplete dependencies")
	}
	return &Service{store: d.Store, disc: d.Discussion, clock: d.Clock, ids: d.IDs, render: d.Renderer}, nil
}

// Input is what moderators compose: the same fields as a Report's.
type Input struct {
	Language  string
	Texts     map[string]Text
	Questions []Question
}

// invalid is a validation error web shows in the member's language.
func invalid(field, code, message string) error {
	return &forum.ValidationError{Field: field, Code: code, Message: message}
}

// Create stores a new draft report for a forum of this node.
func (s *Service) Create(ctx context.Context, actor *forum.Member, forumID forum.ID, in Input) (*Report, error) {
	if err := forum.CanModerate(actor); err != nil {
		return nil, err
	}
	f, err := s.disc.ForumByID(ctx, forumID)
	if err != nil {
		return nil, err
	}
	if !f.Local() {
		return nil, invalid("forum", "error.forumreport_remote_forum", "reports are composed on the forum's own node")
	}
	r := &Report{ID: s.ids.New(), ForumID: f.ID, Status: StatusDraft, CreatedBy: actor.ID}
	if err := s.apply(ctx, r, in); err != nil {
		return nil, err
	}
	r.CreatedAt = s.clock.Now().UTC()
	r.UpdatedAt = r.CreatedAt
	if err := s.store.CreateForumReport(ctx, r); err != nil {
		return nil, fmt.Errorf("create report: %w", err)
	}
	return r, nil
}

// Update replaces a report's composition. A published report can be
// corrected too; its URL stays.
func (s *Service) Update(ctx context.Context, actor *forum.Member, id forum.ID, in Input) (*Report, error) {
	if err := forum.CanModerate(actor); err != nil {
		return nil, err
	}
	var r *Report
	err := s.store.AtomicReports(ctx, func(ctx context.Context, tx Store) error {
		var err error
		if r, err = tx.ForumReportByID(ctx, id); err != nil {
			return err
		}
		if err := s.apply(ctx, r, in); err != nil {
			return err
		}
		r.UpdatedAt = s.clock.Now().UTC()
		if err := tx.UpdateForumReport(ctx, r); err != nil {
			return err
		}
		if !r.Published() {
			return nil
		}
		return tx.AppendEvent(ctx, &forum.Event{ID: s.ids.New(), Kind: EventCorrected, ActorID: actor.ID,
			ForumID: r.ForumID, ReportID: r.ID, CreatedAt: r.UpdatedAt})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Publish gives a draft its public URL and records the event from which
// federation announces it. Publishing a published report changes nothing.
// A report whose boxed answer was deleted since it was saved is refused,
// and stays a draft as it was.
func (s *Service) Publish(ctx context.Context, actor *forum.Member, id forum.ID) (*Report, error) {
	if err := forum.CanModerate(actor); err != nil {
		return nil, err
	}
	var r *Report
	err := s.store.AtomicReports(ctx, func(ctx context.Context, tx Store) error {
		var err error
		if r, err = tx.ForumReportByID(ctx, id); err != nil {
			return err
		}
		if r.Published() {
			return nil
		}
		if len(r.Questions) == 0 {
			return invalid("questions", "error.forumreport_no_questions", "pick at least one debate question before publishing")
		}
		if err := s.checkQuestions(ctx, r.ForumID, r.Questions); err != nil {
			return err
		}
		now := s.clock.Now().UTC()
		r.Status, r.PublishedAt, r.UpdatedAt = StatusPublished, &now, now
		if err := tx.UpdateForumReport(ctx, r); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, &forum.Event{ID: r.ID, Kind: EventPublished, ActorID: actor.ID,
			ForumID: r.ForumID, CreatedAt: now})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Get returns a report as viewer may see it: a draft only to moderators
// (anyone else gets ErrNotFound: a draft's existence is not public).
func (s *Service) Get(ctx context.Context, viewer *forum.Member, id forum.ID) (*Report, error) {
	r, err := s.store.ForumReportByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !r.Published() && forum.CanModerate(viewer) != nil {
		return nil, fmt.Errorf("report %s is a draft: %w", id, forum.ErrNotFound)
	}
	return r, nil
}

// ListLimit bounds the reports one forum lists.
const ListLimit = 200

// List lists a forum's reports viewer may see, newest first.
func (s *Service) List(ctx context.Context, viewer *forum.Member, forumID forum.ID) ([]*Report, error) {
	all, err := s.store.ListForumReports(ctx, forumID, ListLimit)
	if err != nil {
		return nil, err
	}
	mod := forum.CanModerate(viewer) == nil
	out := all[:0]
	for _, r := range all {
		if r.Published() || mod {
			out = append(out, r)
		}
	}
	return out, nil
}

// apply validates in and sets it on r. Nothing is stored here.
func (s *Service) apply(ctx context.Context, r *Report, in Input) error {
	lang, err := forum.CanonicalLanguage("language", in.Language)
	if err != nil {
		return err
	}
	texts := map[string]Text{}
	for l, t := range in.Texts {
		cl, err := forum.CanonicalLanguage("language", l)
		if err != nil {
			return err
		}
		if t.Title, err = checkText("title", t.Title, MaxTitleLen); err != nil {
			return err
		}
		if t.Introduction, err = checkText("introduction", t.Introduction, MaxTextLen); err != nil {
			return err
		}
		if t.Conclusion, err = checkText("conclusion", t.Conclusion, MaxTextLen); err != nil {
			return err
		}
		if t != (Text{}) {
			texts[cl] = t
		}
	}
	if texts[lang].Title == "" {
		return invalid("title", "error.forumreport_title_required", "the report needs a title in its original language")
	}
	if len(in.Questions) > MaxQuestions {
		return invalid("questions", "error.forumreport_too_many_questions", "a report holds at most 20 questions")
	}
	questions := make([]Question, 0, len(in.Questions))
	langs := map[string]bool{}
	for l := range texts {
		langs[l] = true
	}
	for _, q := range in.Questions {
		hl := map[string]string{}
		for l, md := range q.Highlights {
			cl, err := forum.CanonicalLanguage("language", l)
			if err != nil {
				return err
			}
			if md, err = checkText("highlights", md, MaxTextLen); err != nil {
				return err
			}
			if md != "" {
				hl[cl] = md
				langs[cl] = true
			}
		}
		if len(q.Boxes) > MaxBoxes {
			return invalid("boxes", "error.forumreport_too_many_boxes", "box at most 40 answers under one question")
		}
		questions = append(questions, Question{ThreadID: q.ThreadID, Highlights: hl, Boxes: dedupe(q.Boxes)})
	}
	if len(langs) > MaxLanguages {
		return invalid("language", "error.forumreport_too_many_languages", "a report's texts exist in at most 10 languages")
	}
	if err := s.checkQuestions(ctx, r.ForumID, questions); err != nil {
		return err
	}
	r.Language, r.Texts, r.Questions = lang, texts, questions
	return nil
}

// checkQuestions checks that each question is a thread of the forum that
// still stands, once, and that each boxed answer is an answer of that
// thread that still stands.
func (s *Service) checkQuestions(ctx context.Context, forumID forum.ID, qs []Question) error {
	seen := map[forum.ID]bool{}
	for _, q := range qs {
		if seen[q.ThreadID] {
			return invalid("questions", "error.forumreport_question_twice", "each question appears once")
		}
		seen[q.ThreadID] = true
		t, err := s.disc.ThreadByID(ctx, q.ThreadID)
		if errors.Is(err, forum.ErrNotFound) || (err == nil && (t.ForumID != forumID || t.DeletedAt != nil)) {
			return invalid("questions", "error.forumreport_question_gone", "a question is no longer in this forum")
		} else if err != nil {
			return err
		}
		for _, id := range q.Boxes {
			p, err := s.disc.PostByID(ctx, id)
			if errors.Is(err, forum.ErrNotFound) || (err == nil && (p.ThreadID != t.ID || p.Deleted())) {
				return invalid("boxes", "error.forumreport_answer_gone", "a boxed answer was deleted")
			} else if err != nil {
				return err
			}
			if p.IsQuestion() {
				return invalid("boxes", "error.not_an_answer", "only answers can be good practices")
			}
		}
	}
	return nil
}

// checkText trims s and checks it is UTF-8 and at most max characters.
func checkText(field, s string, max int) (string, error) {
	if !utf8.ValidString(s) {
		return "", invalid(field, "error.text_encoding", "is not valid UTF-8")
	}
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if utf8.RuneCountInString(s) > max {
		return "", invalid(field, "error.forumreport_text_too_long", "is too long")
	}
	return s, nil
}

func dedupe(ids []forum.ID) []forum.ID {
	out := make([]forum.ID, 0, len(ids))
	seen := map[forum.ID]bool{}
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
