package report_test

import (
	"testing"

	"github.com/metropolis/agora/report"
)

// TestCorrectionRecorded: saving a draft records nothing; each save of a
// published report records a forumreport.corrected event of its own,
// naming the report, from which federation sends the Update{Article}.
func TestCorrectionRecorded(t *testing.T) {
	w := newWorld(t)
	r, err := w.reports.Create(w.ctx, w.cast.Moderator, w.cast.Forum.ID, w.input())
	if err != nil {
		t.Fatal(err)
	}
	corrections := func() int {
		t.Helper()
		events, err := w.rig.Service.Events(w.ctx, "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range events {
			if e.Kind == report.EventCorrected {
				if e.ReportID != r.ID || e.ID == r.ID || e.ForumID != w.cast.Forum.ID {
					t.Errorf("correction event %+v, want its own id, report %s, forum %s", e, r.ID, w.cast.Forum.ID)
				}
				n++
			}
		}
		return n
	}
	steps := []struct {
		name    string
		publish bool
		want    int
	}{{"draft saved", false, 0}, {"published, corrected", true, 1}, {"corrected again", false, 2}}
	for _, s := range steps {
		if s.publish {
			if _, err := w.reports.Publish(w.ctx, w.cast.Moderator, r.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.reports.Update(w.ctx, w.cast.Moderator, r.ID, w.input()); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := corrections(); got != s.want {
			t.Errorf("%s: %d correction events, want %d", s.name, got, s.want)
		}
	}
}
