package storage_test

import (
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

func TestReports(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		th, q := f.newThread(t, s, "Reported question")
		a := f.reply(t, s, q)
		reporter := f.newMember(t, s, "rita")
		local := &forum.Report{ID: f.ids.New(), PostID: a.ID, ThreadID: th.ID, ForumID: th.ForumID,
			ReporterID: reporter.ID, Reason: "spam", CreatedAt: t0}
		remote := &forum.Report{ID: f.ids.New(), URI: "https://city.example/activities/flag-1", PostID: q.ID,
			ThreadID: th.ID, ForumID: th.ForumID, ReporterID: reporter.ID, Reason: "off topic", CreatedAt: t0}
		for _, r := range []*forum.Report{local, remote} {
			wantErr(t, "CreateReport", s.CreateReport(ctx(t), r), nil)
		}
		dup := *remote
		dup.ID = f.ids.New()
		wantErr(t, "CreateReport same URI", s.CreateReport(ctx(t), &dup), forum.ErrConflict)

		open, err := s.ListOpenReports(ctx(t), "", 10)
		wantErr(t, "ListOpenReports", err, nil)
		same(t, "open reports, newest first", open, []*forum.Report{remote, local})
		page, _ := s.ListOpenReports(ctx(t), remote.ID, 10)
		same(t, "after the cursor", page, []*forum.Report{local})

		local.ResolvedAt, local.ResolvedBy = ptr(t0), f.member.ID
		wantErr(t, "UpdateReport", s.UpdateReport(ctx(t), local), nil)
		got, err := s.ReportByID(ctx(t), local.ID)
		wantErr(t, "ReportByID", err, nil)
		same(t, "resolved report", got, local)
		open, _ = s.ListOpenReports(ctx(t), "", 10)
		same(t, "resolved reports leave the list", open, []*forum.Report{remote})
		_, err = s.ReportByID(ctx(t), f.ids.New())
		wantErr(t, "ReportByID unknown", err, forum.ErrNotFound)
	})
}
