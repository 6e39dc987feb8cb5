package forum_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
)

func TestReports(t *testing.T) {
	w := newWorld(t)
	svc := w.rig.Service
	th := w.ask(t, w.cast.Barcelona, "Civic tech partnerships")
	a := w.reply(t, w.cast.BeloHz, th, "", "Buy my product!")
	tests := []struct {
		name   string
		by     *forum.Member
		post   string
		reason string
		want   error
	}{
		{"visitor", nil, a.ID, "spam", forum.ErrForbidden},
		{"own post", w.cast.BeloHz, a.ID, "spam", forum.ErrForbidden},
		{"empty reason", w.cast.Toronto, a.ID, "  ", nil}, // validation, checked below
		{"too long", w.cast.Toronto, a.ID, strings.Repeat("x", forum.MaxReasonLen+1), nil},
	}
	for _, tt := range tests {
		_, err := svc.Report(w.ctx, tt.by, tt.post, tt.reason)
		if tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
		if tt.want == nil && !forum.IsValidation(err) {
			t.Errorf("%s: %v, want a validation error", tt.name, err)
		}
	}
	r, err := svc.Report(w.ctx, w.cast.Toronto, a.ID, "advertising")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Reports(w.ctx, w.cast.Toronto, ""); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("member reads reports: %v", err)
	}
	open, err := svc.Reports(w.ctx, w.cast.Moderator, "")
	if err != nil || len(open.Items) != 1 || open.Items[0].Reason != "advertising" || open.Items[0].ThreadID != th.ID {
		t.Fatalf("reports = %+v, %v", open.Items, err)
	}
	// The event that tells federation carries the report's ID.
	events, _ := svc.Events(w.ctx, "", 100)
	last := events[len(events)-1]
	if got, err := svc.ReportOf(w.ctx, last); last.Kind != forum.EventPostReported || err != nil || got.ID != r.ID {
		t.Errorf("report event %+v → %v, %v", last, got, err)
	}
	if err := svc.ResolveReport(w.ctx, w.cast.Toronto, r.ID); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("member resolves: %v", err)
	}
	if err := svc.ResolveReport(w.ctx, w.cast.Moderator, r.ID); err != nil {
		t.Fatal(err)
	}
	if open, _ := svc.Reports(w.ctx, w.cast.Moderator, ""); len(open.Items) != 0 {
		t.Errorf("resolved report still open")
	}
	// The same Flag received twice is one report.
	for i := 0; i < 2; i++ {
		if _, err := svc.ReceiveReport(w.ctx, a, w.cast.Toronto, "from elsewhere", "https://city.example/flags/1#0"); err != nil {
			t.Fatal(err)
		}
	}
	if open, _ := svc.Reports(w.ctx, w.cast.Moderator, ""); len(open.Items) != 1 {
		t.Errorf("received flag stored %d times", len(open.Items))
	}
}
