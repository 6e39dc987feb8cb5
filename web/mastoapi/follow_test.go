package mastoapi_test

import (
	"fmt"
	"testing"

	"github.com/metropolis/agora/testrig"
)

// TestFollowNotification: a member followed from an app is told, once, as
// Mastodon's "follow" (an account, no status); following again tells
// nobody twice.
func TestFollowNotification(t *testing.T) {
	s := newSite(t)
	joao, marta := s.login("joao", "read write follow"), s.login("marta", "read")
	for range 2 {
		if r := s.call(joao, "POST", "/api/v1/accounts/"+s.marta.ID+"/follow", nil); r.status != 200 || r.obj(t)["following"] != true {
			t.Fatalf("follow: %d %s", r.status, r.body)
		}
	}
	follows := func() []map[string]any {
		var out []map[string]any
		for _, n := range s.call(marta, "GET", "/api/v1/notifications", nil).list(t) {
			if n["type"] == "follow" {
				out = append(out, n)
			}
		}
		return out
	}
	testrig.Eventually(t, "marta told of the follow", func() (bool, string) {
		got := follows()
		return len(got) > 0, fmt.Sprint(got)
	})
	got := follows()
	acct, _ := got[0]["account"].(map[string]any)
	if len(got) != 1 || acct["id"] != s.joao.ID || got[0]["status"] != nil {
		t.Fatalf("follow notifications: %v", got)
	}
	// The filter apps use for their "follows" tab.
	if r := s.call(marta, "GET", "/api/v1/notifications?types[]=follow", nil); len(r.list(t)) != 1 {
		t.Fatalf("types[]=follow: %s", r.body)
	}
	if r := s.call(marta, "GET", "/api/v1/notifications?exclude_types[]=follow", nil); len(r.list(t)) != 0 {
		t.Fatalf("exclude_types[]=follow: %s", r.body)
	}
	// Joao is not told of his own follow.
	if r := s.call(joao, "GET", "/api/v1/notifications", nil); len(r.list(t)) != 0 {
		t.Fatalf("joao's notifications: %s", r.body)
	}
}
