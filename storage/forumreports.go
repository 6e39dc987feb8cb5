package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/report"
)

// Forum reports (package report): a report row, and its texts, questions,
// highlights and boxed answers in join tables, replaced together on every
// save.

var _ report.Store = (*Store)(nil)

type forumReportRow struct {
	bun.BaseModel `bun:"table:forum_reports"`
	ID            string     `bun:"id,pk"`
	ForumID       string     `bun:"forum_id"`
	Language      string     `bun:"language"`
	Status        string     `bun:"status"`
	CreatedBy     string     `bun:"created_by"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
	PublishedAt   *time.Time `bun:"published_at"`
}

type forumReportTextRow struct {
	bun.BaseModel `bun:"table:forum_report_texts"`
	ReportID      string `bun:"report_id,pk"`
	Language      string `bun:"language,pk"`
	Title         string `bun:"title"`
	Introduction  string `bun:"introduction"`
	Conclusion    string `bun:"conclusion"`
}

type forumReportQuestionRow struct {
	bun.BaseModel `bun:"table:forum_report_questions"`
	ReportID      string `bun:"report_id,pk"`
	Position      int    `bun:"position,pk"`
	ThreadID      string `bun:"thread_id"`
}

type forumReportHighlightRow struct {
	bun.BaseModel `bun:"table:forum_report_highlights"`
	ReportID      string `bun:"report_id,pk"`
	ThreadID      string `bun:"thread_id,pk"`
	Language      string `bun:"language,pk"`
	Body          string `bun:"body"`
}

type forumReportBoxRow struct {
	bun.BaseModel `bun:"table:forum_report_boxes"`
	ReportID      string `bun:"report_id,pk"`
	ThreadID      string `bun:"thread_id,pk"`
	Position      int    `bun:"position,pk"`
	PostID        string `bun:"post_id"`
}

// AtomicReports runs fn in one transaction (report.Store's Atomic).
func (s *Store) AtomicReports(ctx context.Context, fn func(ctx context.Context, tx report.Store) error) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error { return fn(ctx, tx) })
}

func forumReportRowOf(r *report.Report) *forumReportRow {
	return &forumReportRow{ID: r.ID, ForumID: r.ForumID, Language: r.Language, Status: string(r.Status),
		CreatedBy: r.CreatedBy, CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), PublishedAt: utcPtr(r.PublishedAt)}
}

// CreateForumReport stores a report with its texts and questions.
func (s *Store) CreateForumReport(ctx context.Context, r *report.Report) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		if _, err := tx.db.NewInsert().Model(forumReportRowOf(r)).Exec(ctx); err != nil {
			return dbErr("create report", err)
		}
		return tx.insertReportParts(ctx, r)
	})
}

// UpdateForumReport stores every field of r, replacing its parts.
func (s *Store) UpdateForumReport(ctx context.Context, r *report.Report) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		res, err := tx.db.NewUpdate().Model(forumReportRowOf(r)).WherePK().Exec(ctx)
		if err != nil {
			return dbErr("update report", err)
		}
		if err := affected("update report", res); err != nil {
			return err
		}
		for _, m := range []any{(*forumReportTextRow)(nil), (*forumReportQuestionRow)(nil),
			(*forumReportHighlightRow)(nil), (*forumReportBoxRow)(nil)} {
			if _, err := tx.db.NewDelete().Model(m).Where("report_id = ?", r.ID).Exec(ctx); err != nil {
				return dbErr("update report parts", err)
			}
		}
		return tx.insertReportParts(ctx, r)
	})
}

// insertReportParts writes a report's texts, questions, highlights and
// boxes (in the caller's transaction).
func (s *Store) insertReportParts(ctx context.Context, r *report.Report) error {
	var texts []forumReportTextRow
	for lang, t := range r.Texts {
		texts = append(texts, forumReportTextRow{ReportID: r.ID, Language: lang, Title: t.Title,
			Introduction: t.Introduction, Conclusion: t.Conclusion})
	}
	var questions []forumReportQuestionRow
	var highlights []forumReportHighlightRow
	var boxes []forumReportBoxRow
	for i, q := range r.Questions {
		questions = append(questions, forumReportQuestionRow{ReportID: r.ID, Position: i, ThreadID: q.ThreadID})
		for lang, body := range q.Highlights {
			highlights = append(highlights, forumReportHighlightRow{ReportID: r.ID, ThreadID: q.ThreadID, Language: lang, Body: body})
		}
		for j, id := range q.Boxes {
			boxes = append(boxes, forumReportBoxRow{ReportID: r.ID, ThreadID: q.ThreadID, Position: j, PostID: id})
		}
	}
	for _, rows := range []struct {
		n     int
		model any
	}{{len(texts), &texts}, {len(questions), &questions}, {len(highlights), &highlights}, {len(boxes), &boxes}} {
		if rows.n == 0 {
			continue
		}
		if _, err := s.db.NewInsert().Model(rows.model).Exec(ctx); err != nil {
			return dbErr("write report parts", err)
		}
	}
	return nil
}

// ForumReportByID reads a report with its parts.
func (s *Store) ForumReportByID(ctx context.Context, id forum.ID) (*report.Report, error) {
	var row forumReportRow
	if err := s.db.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, dbErr("report "+id, err)
	}
	out, err := s.reportsWithParts(ctx, []forumReportRow{row})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// ListForumReports lists a forum's reports, newest first.
func (s *Store) ListForumReports(ctx context.Context, forumID forum.ID, limit int) ([]*report.Report, error) {
	var rows []forumReportRow
	err := s.db.NewSelect().Model(&rows).Where("forum_id = ?", forumID).OrderExpr("id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbErr("list reports", err)
	}
	return s.reportsWithParts(ctx, rows)
}

// reportsWithParts reads the parts of the reports rows name: one query per
// table for all of them.
func (s *Store) reportsWithParts(ctx context.Context, rows []forumReportRow) ([]*report.Report, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]string, len(rows))
	byID := map[string]*report.Report{}
	out := make([]*report.Report, len(rows))
	for i, row := range rows {
		ids[i] = row.ID
		r := &report.Report{ID: row.ID, ForumID: row.ForumID, Language: row.Language, Status: report.Status(row.Status),
			CreatedBy: row.CreatedBy, CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC(),
			PublishedAt: utcPtr(row.PublishedAt), Texts: map[string]report.Text{}}
		out[i], byID[row.ID] = r, r
	}
	var texts []forumReportTextRow
	if err := s.db.NewSelect().Model(&texts).Where("report_id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, dbErr("report texts", err)
	}
	for _, t := range texts {
		byID[t.ReportID].Texts[t.Language] = report.Text{Title: t.Title, Introduction: t.Introduction, Conclusion: t.Conclusion}
	}
	var questions []forumReportQuestionRow
	if err := s.db.NewSelect().Model(&questions).Where("report_id IN (?)", bun.List(ids)).
		OrderExpr("report_id, position").Scan(ctx); err != nil {
		return nil, dbErr("report questions", err)
	}
	type key struct{ report, thread string }
	index := map[key]int{}
	for _, q := range questions {
		r := byID[q.ReportID]
		index[key{q.ReportID, q.ThreadID}] = len(r.Questions)
		r.Questions = append(r.Questions, report.Question{ThreadID: q.ThreadID, Highlights: map[string]string{}})
	}
	var highlights []forumReportHighlightRow
	if err := s.db.NewSelect().Model(&highlights).Where("report_id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, dbErr("report highlights", err)
	}
	for _, h := range highlights {
		i, ok := index[key{h.ReportID, h.ThreadID}]
		if !ok {
			return nil, fmt.Errorf("report %s: highlights of %s, not one of its questions", h.ReportID, h.ThreadID)
		}
		byID[h.ReportID].Questions[i].Highlights[h.Language] = h.Body
	}
	var boxes []forumReportBoxRow
	if err := s.db.NewSelect().Model(&boxes).Where("report_id IN (?)", bun.List(ids)).
		OrderExpr("report_id, thread_id, position").Scan(ctx); err != nil {
		return nil, dbErr("report boxes", err)
	}
	for _, b := range boxes {
		i, ok := index[key{b.ReportID, b.ThreadID}]
		if !ok {
			return nil, fmt.Errorf("report %s: a box under %s, not one of its questions", b.ReportID, b.ThreadID)
		}
		q := &byID[b.ReportID].Questions[i]
		q.Boxes = append(q.Boxes, b.PostID)
	}
	return out, nil
}
