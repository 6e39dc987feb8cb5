package storage_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/report"
	"github.com/metropolis/agora/storage"
)

// TestReceivedReports: a received report round-trips with its texts; a
// save with the same URI replaces it (a correction), texts included; a
// forum's list is newest published first and holds only its reports; a
// delete removes it and a second delete is ErrNotFound.
func TestReceivedReports(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		other := f.ids.New()
		mk := func(uri string, forumID forum.ID, published time.Time) *report.Received {
			return &report.Received{URI: uri, ForumID: forumID, URL: uri + "?page", Language: "en",
				Titles:      map[string]string{"en": "Report " + uri, "es": "Informe"},
				Summaries:   map[string]string{"en": "What we learnt", "ar": "ما تعلمناه"},
				PublishedAt: published, UpdatedAt: published, ReceivedAt: published.Add(time.Second)}
		}
		a := mk("https://hub.example/f/x/reports/a", f.forum.ID, t0)
		b := mk("https://hub.example/f/x/reports/b", f.forum.ID, t0.Add(time.Hour))
		c := mk("https://hub.example/f/y/reports/c", other, t0.Add(2*time.Hour))
		for _, r := range []*report.Received{a, b, c} {
			wantErr(t, "save", s.SaveReceivedReport(ctx(t), r), nil)
		}
		got, err := s.ReceivedReport(ctx(t), a.URI)
		wantErr(t, "read", err, nil)
		if !reflect.DeepEqual(got, a) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, a)
		}

		a.Titles = map[string]string{"en": "Corrected"}
		a.Summaries = map[string]string{"en": "Now right"}
		a.UpdatedAt = t0.Add(3 * time.Hour)
		wantErr(t, "replace", s.SaveReceivedReport(ctx(t), a), nil)
		got, err = s.ReceivedReport(ctx(t), a.URI)
		wantErr(t, "read", err, nil)
		if !reflect.DeepEqual(got, a) {
			t.Errorf("after correction:\n got %+v\nwant %+v", got, a)
		}

		list, err := s.ListReceivedReports(ctx(t), f.forum.ID, 10)
		wantErr(t, "list", err, nil)
		if len(list) != 2 || list[0].URI != b.URI || list[1].URI != a.URI {
			t.Errorf("list = %v, want b then a", receivedURIs(list))
		}

		wantErr(t, "delete", s.DeleteReceivedReport(ctx(t), a.URI), nil)
		wantErr(t, "delete again", s.DeleteReceivedReport(ctx(t), a.URI), forum.ErrNotFound)
		_, err = s.ReceivedReport(ctx(t), a.URI)
		wantErr(t, "read deleted", err, forum.ErrNotFound)
		list, err = s.ListReceivedReports(ctx(t), f.forum.ID, 10)
		wantErr(t, "list", err, nil)
		if len(list) != 1 || list[0].URI != b.URI {
			t.Errorf("list after delete = %v, want b", receivedURIs(list))
		}
	})
}

func receivedURIs(list []*report.Received) []string {
	var out []string
	for _, r := range list {
		out = append(out, r.URI)
	}
	return out
}
