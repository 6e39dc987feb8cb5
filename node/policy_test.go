package node_test

import (
	"context"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

// TestForumPolicies: a members-only forum holds follows from unlisted
// instances for an admin, accepts listed ones at once, and takes answers
// from listed instances only.
func TestForumPolicies(t *testing.T) {
	ctx := context.Background()
	hub := startPeer(t, "hub", 1)
	member := startPeer(t, "member-city", 2)
	outsider := startPeer(t, "outsider-city", 3)
	sec := hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
	ana := member.member(t, "ana", "Ana", "Member city", forum.RoleMember, "en")
	olu := outsider.member(t, "olu", "Olu", "Outsider city", forum.RoleMember, "en")

	f := hub.forum(t, "members-only", "Member cities only")
	if _, err := hub.Service.SetPolicy(ctx, forum.SystemActor(), f.ID, forum.ForumPolicy{ApproveFollows: true, ListedOnly: true,
		Instances: []string{member.URLs.Host()}}); err != nil {
		t.Fatal(err)
	}
	forumURL := hub.URLs.Forum(f.Slug)
	for _, p := range []*peer{member, outsider} {
		if _, err := p.Federation.Join(ctx, forum.SystemActor(), forumURL); err != nil {
			t.Fatalf("%s joins: %v", p.name, err)
		}
	}
	state := func(p *peer) string {
		j, err := p.Federation.Joined(ctx)
		if err != nil || len(j) != 1 {
			return "none"
		}
		return string(j[0].State)
	}
	testrig.Eventually(t, "listed city accepted at once", func() (bool, string) {
		return state(member) == "accepted", state(member)
	})
	testrig.Eventually(t, "outsider's follow reaches the hub", func() (bool, string) {
		pending, err := hub.DB.Store().ListPendingFollowers(ctx, forumURL, 10)
		return err == nil && len(pending) == 1, "no pending follower"
	})
	if state(outsider) != "pending" {
		t.Fatalf("outsider's follow is %s, want pending", state(outsider))
	}
	if err := hub.Federation.ApproveFollower(ctx, sec, f.Slug, outsider.Federation.InstanceActorURI(), true); err != nil {
		t.Fatal(err)
	}
	testrig.Eventually(t, "outsider accepted after approval", func() (bool, string) {
		return state(outsider) == "accepted", state(outsider)
	})

	q := hub.ask(t, sec, f, "Budget cycles for digital projects", "How long?")
	qURI := hub.URLs.Thread(q.ID)
	same(t, "question on every node", qURI, hub, member, outsider)
	tm, _ := member.threadOn(qURI)
	if _, err := member.Service.Reply(ctx, ana, tm.ID, "", forum.Answer{Body: "Two years.", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	to, _ := outsider.threadOn(qURI)
	if _, err := outsider.Service.Reply(ctx, olu, to.ID, "", forum.Answer{Body: "One year.", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	testrig.Eventually(t, "the listed city's answer is on the hub", func() (bool, string) {
		th, err := hub.Service.Thread(ctx, q.ID)
		return err == nil && th.ReplyCount >= 1, "no answer yet"
	})
	// The outsider's answer was delivered and refused: the hub records it
	// as failed, and never shows it.
	testrig.Eventually(t, "the outsider's answer is refused", func() (bool, string) {
		_, failed, err := hub.DB.Store().CountInbox(ctx)
		return err == nil && failed >= 1, "not processed yet"
	})
	if th, _ := hub.Service.Thread(ctx, q.ID); th.ReplyCount != 1 {
		t.Fatalf("hub shows %d answers, want only the listed city's", th.ReplyCount)
	}
}
