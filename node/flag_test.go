package node_test

import (
	"context"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

// TestReportReachesTheForumsModerators: a city member reports a post in a
// hub forum; the hub's moderators find it in their queue (a Flag from the
// city's instance actor).
func TestReportReachesTheForumsModerators(t *testing.T) {
	ctx := context.Background()
	hub, city, f, asker, member := joinedCluster(t)
	mod := hub.member(t, "moderator", "Nadia Ould", "Nouakchott", forum.RoleModerator, "fr")
	q := hub.ask(t, asker, f, "Open source in city halls", "Experiences?")
	qURI := hub.URLs.Thread(q.ID)
	same(t, "question reaches the city", qURI, hub, city)
	tc, _ := city.threadOn(qURI)
	if _, err := city.Service.Report(ctx, member, tc.RootPostID, "Off topic & <b>not</b> a question"); err != nil {
		t.Fatal(err)
	}
	testrig.Eventually(t, "the hub's moderators see the report", func() (bool, string) {
		page, err := hub.Service.Reports(ctx, mod, "")
		if err != nil || len(page.Items) != 1 {
			return false, "no report yet"
		}
		r := page.Items[0]
		return r.PostID == q.RootPostID && r.Reason == "Off topic & <b>not</b> a question", "wrong report"
	})
}
