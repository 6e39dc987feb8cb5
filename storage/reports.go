package storage

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
)

type reportRow struct {
	bun.BaseModel `bun:"table:reports"`
	ID            string     `bun:"id,pk"`
	URI           string     `bun:"uri,nullzero"` // NULL for local reports
	PostID        string     `bun:"post_id"`
	ThreadID      string     `bun:"thread_id"`
	ForumID       string     `bun:"forum_id"`
	ReporterID    string     `bun:"reporter_id"`
	Reason        string     `bun:"reason"`
	CreatedAt     time.Time  `bun:"created_at"`
	ResolvedAt    *time.Time `bun:"resolved_at"`
	ResolvedBy    string     `bun:"resolved_by"`
}

func reportToRow(r *forum.Report) *reportRow {
	return &reportRow{ID: r.ID, URI: r.URI, PostID: r.PostID, ThreadID: r.ThreadID, ForumID: r.ForumID,
		ReporterID: r.ReporterID, Reason: r.Reason, CreatedAt: utc(r.CreatedAt), ResolvedAt: utcPtr(r.ResolvedAt),
		ResolvedBy: r.ResolvedBy}
}

func (row *reportRow) report() *forum.Report {
	return &forum.Report{ID: row.ID, URI: row.URI, PostID: row.PostID, ThreadID: row.ThreadID, ForumID: row.ForumID,
		ReporterID: row.ReporterID, Reason: row.Reason, CreatedAt: row.CreatedAt.UTC(), ResolvedAt: utcPtr(row.ResolvedAt),
		ResolvedBy: row.ResolvedBy}
}

// CreateReport stores a report; ErrConflict if its URI is taken.
func (s *Store) CreateReport(ctx context.Context, r *forum.Report) error {
	_, err := s.db.NewInsert().Model(reportToRow(r)).Exec(ctx)
	return dbErr("create report", err)
}

// ReportByID finds a report.
func (s *Store) ReportByID(ctx context.Context, id forum.ID) (*forum.Report, error) {
	var row reportRow
	if err := s.db.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, dbErr("report", err)
	}
	return row.report(), nil
}

// UpdateReport stores every field of r.
func (s *Store) UpdateReport(ctx context.Context, r *forum.Report) error {
	res, err := s.db.NewUpdate().Model(reportToRow(r)).WherePK().Exec(ctx)
	if err != nil {
		return dbErr("update report", err)
	}
	return affected("update report", res)
}

// ListOpenReports lists unresolved reports newest first, before beforeID.
func (s *Store) ListOpenReports(ctx context.Context, beforeID forum.ID, limit int) ([]*forum.Report, error) {
	var rows []reportRow
	q := s.db.NewSelect().Model(&rows).Where("resolved_at IS NULL")
	if beforeID != "" {
		q = q.Where("id < ?", beforeID)
	}
	if err := q.OrderExpr("id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, dbErr("list reports", err)
	}
	out := make([]*forum.Report, len(rows))
	for i := range rows {
		out[i] = rows[i].report()
	}
	return out, nil
}
