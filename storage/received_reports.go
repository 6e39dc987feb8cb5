package storage

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/report"
)

// Received reports (report.ReceivedStore): the reports of mirrored
// forums, a row and its texts per language, replaced together.

type receivedReportRow struct {
	bun.BaseModel `bun:"table:received_reports"`
	URI           string    `bun:"uri,pk"`
	ForumID       string    `bun:"forum_id"`
	URL           string    `bun:"url"`
	Language      string    `bun:"language"`
	PublishedAt   time.Time `bun:"published_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
	ReceivedAt    time.Time `bun:"received_at"`
}

type receivedReportTextRow struct {
	bun.BaseModel `bun:"table:received_report_texts"`
	URI           string `bun:"uri,pk"`
	Language      string `bun:"language,pk"`
	Title         string `bun:"title"`
	Summary       string `bun:"summary"`
}

// SaveReceivedReport inserts r or replaces the one with its URI, texts
// included.
func (s *Store) SaveReceivedReport(ctx context.Context, r *report.Received) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.deleteReceivedReport(ctx, r.URI); err != nil {
			return err
		}
		row := &receivedReportRow{URI: r.URI, ForumID: r.ForumID, URL: r.URL, Language: r.Language,
			PublishedAt: utc(r.PublishedAt), UpdatedAt: utc(r.UpdatedAt), ReceivedAt: utc(r.ReceivedAt)}
		if _, err := tx.db.NewInsert().Model(row).Exec(ctx); err != nil {
			return dbErr("save received report", err)
		}
		var texts []receivedReportTextRow
		for _, lang := range receivedLanguages(r) {
			texts = append(texts, receivedReportTextRow{URI: r.URI, Language: lang, Title: r.Titles[lang], Summary: r.Summaries[lang]})
		}
		if len(texts) > 0 {
			if _, err := tx.db.NewInsert().Model(&texts).Exec(ctx); err != nil {
				return dbErr("save received report texts", err)
			}
		}
		return nil
	})
}

// receivedLanguages is every language r has a title or a summary in.
func receivedLanguages(r *report.Received) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []map[string]string{r.Titles, r.Summaries} {
		for lang := range m {
			if !seen[lang] {
				seen[lang] = true
				out = append(out, lang)
			}
		}
	}
	return out
}

// deleteReceivedReport removes a report and its texts, if any.
func (s *Store) deleteReceivedReport(ctx context.Context, uri string) error {
	if _, err := s.db.NewDelete().Model((*receivedReportTextRow)(nil)).Where("uri = ?", uri).Exec(ctx); err != nil {
		return dbErr("delete received report texts", err)
	}
	if _, err := s.db.NewDelete().Model((*receivedReportRow)(nil)).Where("uri = ?", uri).Exec(ctx); err != nil {
		return dbErr("delete received report", err)
	}
	return nil
}

// ReceivedReport returns the received report with that URI.
func (s *Store) ReceivedReport(ctx context.Context, uri string) (*report.Received, error) {
	var row receivedReportRow
	if err := s.db.NewSelect().Model(&row).Where("uri = ?", uri).Scan(ctx); err != nil {
		return nil, dbErr("received report "+uri, err)
	}
	out, err := s.receivedWithTexts(ctx, []receivedReportRow{row})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// DeleteReceivedReport removes a received report; ErrNotFound if absent.
func (s *Store) DeleteReceivedReport(ctx context.Context, uri string) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		if _, err := tx.ReceivedReport(ctx, uri); err != nil {
			return err
		}
		return tx.deleteReceivedReport(ctx, uri)
	})
}

// ListReceivedReports lists a forum's received reports, newest published
// first.
func (s *Store) ListReceivedReports(ctx context.Context, forumID forum.ID, limit int) ([]*report.Received, error) {
	var rows []receivedReportRow
	err := s.db.NewSelect().Model(&rows).Where("forum_id = ?", forumID).
		OrderExpr("published_at DESC, uri DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbErr("list received reports", err)
	}
	return s.receivedWithTexts(ctx, rows)
}

// receivedWithTexts reads the texts of the reports rows name, in one query.
func (s *Store) receivedWithTexts(ctx context.Context, rows []receivedReportRow) ([]*report.Received, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	uris := make([]string, len(rows))
	byURI := map[string]*report.Received{}
	out := make([]*report.Received, len(rows))
	for i, row := range rows {
		uris[i] = row.URI
		r := &report.Received{URI: row.URI, ForumID: row.ForumID, URL: row.URL, Language: row.Language,
			PublishedAt: row.PublishedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC(), ReceivedAt: row.ReceivedAt.UTC(),
			Titles: map[string]string{}, Summaries: map[string]string{}}
		out[i], byURI[row.URI] = r, r
	}
	var texts []receivedReportTextRow
	if err := s.db.NewSelect().Model(&texts).Where("uri IN (?)", bun.List(uris)).Scan(ctx); err != nil {
		return nil, dbErr("received report texts", err)
	}
	for _, t := range texts {
		r := byURI[t.URI]
		if t.Title != "" {
			r.Titles[t.Language] = t.Title
		}
		if t.Summary != "" {
			r.Summaries[t.Language] = t.Summary
		}
	}
	return out, nil
}
