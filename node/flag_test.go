package node_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/metropolis/agora/federation/apply"
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

// TestFlagNamingAGonePost: a Mastodon Flag names the account, a question
// since deleted and a live answer; the answer is still reported (the
// deleted one is skipped, not a reason to drop the whole Flag). A Flag
// naming more objects than are looked up counts only the first ones.
func TestFlagNamingAGonePost(t *testing.T) {
	ctx := context.Background()
	hub, _, f, asker, _ := joinedCluster(t)
	mod := hub.member(t, "moderator", "Nadia Ould", "Nouakchott", forum.RoleModerator, "fr")
	gone := hub.ask(t, asker, f, "A question deleted later", "Soon gone.")
	kept := hub.ask(t, asker, f, "Open source in city halls", "Experiences?")
	a := hub.reply(t, asker, kept.ID, "We moved every office to free software.")
	if _, err := hub.Service.DeleteThread(ctx, mod, gone.ID); err != nil {
		t.Fatal(err)
	}
	masto := startFakeServer(t, "mastodon")
	eve := masto.actor(fakeActor{Path: "/users/eve", Type: "Person", Username: "eve", Name: "Eve", KeyID: "#main-key"})
	flag := func(id string, objects []string) {
		t.Helper()
		list, _ := json.Marshal(objects)
		body := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":%q,"type":"Flag","actor":%q,"content":"spam","object":%s}`,
			id, eve, list)
		if code := masto.send(delivery{KeyID: eve + "#main-key", Inbox: hub.URLs.SharedInbox(), Body: body}); code != 202 {
			t.Fatalf("Flag answered %d", code)
		}
	}
	flag(eve+"#flags/1", []string{hub.URLs.Member(asker.Username), hub.URLs.Thread(gone.ID), hub.URLs.Post(a.ID)})
	testrig.Eventually(t, "the live answer is reported", func() (bool, string) {
		page, err := hub.Service.Reports(ctx, mod, "")
		if err != nil || len(page.Items) != 1 {
			return false, fmt.Sprint(len(page.Items), " reports, ", err)
		}
		return page.Items[0].PostID == a.ID, "another post reported"
	})

	many := make([]string, 0, apply.MaxFlagObjects+1)
	for i := 0; i < apply.MaxFlagObjects; i++ {
		many = append(many, fmt.Sprintf("%s/nothing/%d", masto.url(""), i))
	}
	many = append(many, hub.URLs.Thread(kept.ID)) // past the bound: not looked up
	flag(eve+"#flags/2", many)
	testrig.Eventually(t, "the long Flag is refused", func() (bool, string) {
		failed, reason, _ := inboxOutcome(t, hub, eve+"#flags/2")
		return failed && strings.Contains(reason, "names no post"), reason
	})
}
