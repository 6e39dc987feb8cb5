package forum

import (
	"testing"
	"time"
)

// TestOriginVersion: the version time of a received post is its updated,
// else (a first version) its published; times a database cannot hold are
// no version at all.
func TestOriginVersion(t *testing.T) {
	jan := time.Date(2026, 1, 10, 10, 0, 0, 0, time.UTC)
	feb := time.Date(2026, 2, 10, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	old := time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC)
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		p     RemotePost
		first bool
		want  *time.Time
	}{
		{"a first version: published", RemotePost{Published: jan}, true, &jan},
		{"a first version that was edited: updated", RemotePost{Published: jan, Updated: &feb}, true, &feb},
		{"an edit: updated", RemotePost{Published: jan, Updated: &feb}, false, &feb},
		{"an edit without updated: none", RemotePost{Published: jan}, false, nil},
		{"no published: none", RemotePost{}, true, nil},
		{"before 1970: none", RemotePost{Published: old}, true, nil},
		{"after 9999: none", RemotePost{Published: jan, Updated: &far}, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := originVersion(tc.p, tc.first)
			switch {
			case tc.want == nil && got != nil:
				t.Errorf("got %v, want none", got)
			case tc.want != nil && (got == nil || !got.Equal(*tc.want) || got.Location() != time.UTC):
				t.Errorf("got %v, want %v in UTC", got, tc.want)
			}
		})
	}
}
