package publish

import (
	"slices"
	"strings"
	"testing"
)

// TestPeopleInboxes: a thread's followers, as a hub lists them to a city,
// give the inboxes the city delivers its member's edits to. An entry that
// would send us to a third server, or to no web URL, is dropped.
func TestPeopleInboxes(t *testing.T) {
	local := func(id string) bool { return strings.HasPrefix(id, "https://city.example/") }
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"count only", `{"type":"OrderedCollection","totalItems":3}`, []string{}},
		{"shared inbox preferred", `{"orderedItems":[{"id":"https://gts.example/users/bob","inbox":"https://gts.example/users/bob/inbox","endpoints":{"sharedInbox":"https://gts.example/inbox"}}]}`,
			[]string{"https://gts.example/inbox"}},
		{"one per shared inbox", `{"orderedItems":[{"id":"https://m.example/users/a","inbox":"https://m.example/users/a/inbox","endpoints":{"sharedInbox":"https://m.example/inbox"}},{"id":"https://m.example/users/b","inbox":"https://m.example/users/b/inbox","endpoints":{"sharedInbox":"https://m.example/inbox"}}]}`,
			[]string{"https://m.example/inbox"}},
		{"inbox on another host", `{"orderedItems":[{"id":"https://gts.example/users/bob","inbox":"https://victim.example/inbox"}]}`, []string{}},
		{"shared inbox on another host: own inbox", `{"orderedItems":[{"id":"https://gts.example/users/bob","inbox":"https://gts.example/users/bob/inbox","endpoints":{"sharedInbox":"https://victim.example/inbox"}}]}`,
			[]string{"https://gts.example/users/bob/inbox"}},
		{"not a web URL", `{"orderedItems":[{"id":"ftp://gts.example/users/bob","inbox":"ftp://gts.example/users/bob/inbox"}]}`, []string{}},
		{"our own actor", `{"orderedItems":[{"id":"https://city.example/u/marta","inbox":"https://city.example/u/marta/inbox"}]}`, []string{}},
		{"ids alone are skipped", `{"orderedItems":["https://gts.example/users/bob"]}`, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := peopleInboxes([]byte(tt.body), local)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := peopleInboxes([]byte(`not json`), local); err == nil {
		t.Error("a collection that is not JSON is accepted")
	}
}

// TestNotOn: a boost of a post goes to every follower but those on the
// post's own server.
func TestNotOn(t *testing.T) {
	s := InboxSet{"https://gts.example/inbox": true, "https://m.example/inbox": true}
	got := s.NotOn("https://gts.example/users/bob/statuses/1").List()
	if !slices.Equal(got, []string{"https://m.example/inbox"}) {
		t.Errorf("got %v", got)
	}
}
