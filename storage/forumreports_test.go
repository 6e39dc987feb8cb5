package storage_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/report"
	"github.com/metropolis/agora/storage"
)

// TestForumReports: a report round-trips with its texts, questions in
// order, highlights and boxes in order; an update replaces every part;
// a forum's reports list newest first; a failed transaction leaves the
// report as it was.
func TestForumReports(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		_, q1 := f.newThread(t, s, "one")
		_, q2 := f.newThread(t, s, "two")
		a, b := f.reply(t, s, q1), f.reply(t, s, q1)
		c := f.reply(t, s, q2)
		pub := t0.Add(time.Hour)
		r := &report.Report{ID: f.ids.New(), ForumID: f.forum.ID, Language: "en", Status: report.StatusDraft,
			CreatedBy: f.member.ID, CreatedAt: t0, UpdatedAt: t0,
			Texts: map[string]report.Text{
				"en": {Title: "Report", Introduction: "Intro", Conclusion: "End"},
				"es": {Title: "Informe", Introduction: "Introducción con acentos: á é í ó ú ñ"},
			},
			Questions: []report.Question{
				{ThreadID: q2.ThreadID, Highlights: map[string]string{"en": "two", "ar": "نص عربي"}, Boxes: []forum.ID{c.ID}},
				{ThreadID: q1.ThreadID, Highlights: map[string]string{}, Boxes: []forum.ID{b.ID, a.ID}},
			}}
		wantErr(t, "create", s.CreateForumReport(ctx(t), r), nil)
		got, err := s.ForumReportByID(ctx(t), r.ID)
		wantErr(t, "read", err, nil)
		if !reflect.DeepEqual(got, r) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, r)
		}

		r.Texts = map[string]report.Text{"fr": {Title: "Rapport"}}
		r.Language = "fr"
		r.Questions = []report.Question{{ThreadID: q1.ThreadID, Highlights: map[string]string{"fr": "un"}, Boxes: []forum.ID{a.ID}}}
		r.Status, r.PublishedAt, r.UpdatedAt = report.StatusPublished, &pub, pub
		wantErr(t, "update", s.UpdateForumReport(ctx(t), r), nil)
		got, err = s.ForumReportByID(ctx(t), r.ID)
		wantErr(t, "read", err, nil)
		if !reflect.DeepEqual(got, r) {
			t.Errorf("after update:\n got %+v\nwant %+v", got, r)
		}

		// A transaction that fails after the update leaves the report.
		boom := errors.New("boom")
		err = s.AtomicReports(ctx(t), func(ctx context.Context, tx report.Store) error {
			changed := *r
			changed.Texts = map[string]report.Text{"fr": {Title: "Changé"}}
			if err := tx.UpdateForumReport(ctx, &changed); err != nil {
				return err
			}
			return boom
		})
		wantErr(t, "failed transaction", err, boom)
		got, err = s.ForumReportByID(ctx(t), r.ID)
		wantErr(t, "read", err, nil)
		if got.Texts["fr"].Title != "Rapport" {
			t.Errorf("a rolled back update stuck: %+v", got.Texts)
		}

		second := &report.Report{ID: f.ids.New(), ForumID: f.forum.ID, Language: "en", Status: report.StatusDraft,
			CreatedAt: t0, UpdatedAt: t0, Texts: map[string]report.Text{"en": {Title: "Second"}}}
		wantErr(t, "create second", s.CreateForumReport(ctx(t), second), nil)
		list, err := s.ListForumReports(ctx(t), f.forum.ID, 10)
		wantErr(t, "list", err, nil)
		if len(list) != 2 || list[0].ID != second.ID || list[1].ID != r.ID || len(list[1].Questions) != 1 {
			t.Errorf("list: %+v", list)
		}
		_, err = s.ForumReportByID(ctx(t), "01NOSUCHREPORT")
		wantErr(t, "unknown", err, forum.ErrNotFound)
		wantErr(t, "update unknown", s.UpdateForumReport(ctx(t), &report.Report{ID: "01NOSUCHREPORT", Texts: map[string]report.Text{}}), forum.ErrNotFound)
	})
}
