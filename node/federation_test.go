package node_test

import (
	"context"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

// TestHubAndCities walks the federation of a hub and two cities: join,
// ask, answer from each city, reply to a reply, edit, helpful, delete,
// moderator delete, leave. After each step every node shows the same
// thread.
func TestHubAndCities(t *testing.T) {
	ctx := context.Background()
	hub := startPeer(t, "hub", 1)
	bcn := startPeer(t, "barcelona", 2)
	bh := startPeer(t, "belo-horizonte", 3)

	sec := hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
	mod := hub.member(t, "moderator", "Nadia Ould", "Nouakchott", forum.RoleModerator, "fr")
	marta := bcn.member(t, "marta", "Marta Puig", "Barcelona Metropolitan Area", forum.RoleMember, "es")
	joao := bh.member(t, "joao", "João Silva", "Belo Horizonte", forum.RoleMember, "pt")

	f, err := hub.Service.CreateForum(ctx, forum.SystemActor(), forum.ForumInput{Slug: "digitalisation", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Learning forum on digitalisation"}, "es": {Title: "Foro de digitalización"}}})
	if err != nil {
		t.Fatal(err)
	}
	// A question asked before anyone joins reaches cities by backfill.
	early, err := hub.Service.Ask(ctx, sec, f.ID, forum.Question{Title: "How can local governments leverage digitisation for equity?",
		Body: "Share what worked.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	earlyURI := hub.URLs.Thread(early.ID)

	// Join: Barcelona by URL, Belo Horizonte by handle.
	if _, err := bcn.Federation.Join(ctx, forum.SystemActor(), hub.URLs.Forum("digitalisation")); err != nil {
		t.Fatalf("barcelona joins: %v", err)
	}
	if _, err := bh.Federation.Join(ctx, forum.SystemActor(), "@digitalisation@"+hub.URLs.Host()); err != nil {
		t.Fatalf("belo horizonte joins: %v", err)
	}
	same(t, "backfilled question", earlyURI, hub, bcn, bh)
	testrig.Eventually(t, "follows accepted", func() (bool, string) {
		for _, p := range []*peer{bcn, bh} {
			joined, err := p.Federation.Joined(ctx)
			if err != nil || len(joined) != 1 || joined[0].State != "accepted" {
				return false, p.name + " not accepted yet"
			}
		}
		return true, ""
	})

	// The hub asks; both cities see it.
	q, err := hub.Service.Ask(ctx, sec, f.ID, forum.Question{Title: "Has Covid-19 been a turning point for internet access?",
		Body: "In our city, *connectivity* became essential.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	qURI := hub.URLs.Thread(q.ID)
	same(t, "question on every node", qURI, hub, bcn, bh)

	// Each city answers from its own node.
	tb, _ := bcn.threadOn(qURI)
	a1, err := bcn.Service.Reply(ctx, marta, tb.ID, "", forum.Answer{Body: "Sí: abrimos puntos wifi en bibliotecas.", Language: "es"})
	if err != nil {
		t.Fatal(err)
	}
	tbh, _ := bh.threadOn(qURI)
	if _, err := bh.Service.Reply(ctx, joao, tbh.ID, "", forum.Answer{Body: "Sim: escolas conectadas.", Language: "pt"}); err != nil {
		t.Fatal(err)
	}
	got := same(t, "answers from both cities", qURI, hub, bcn, bh)
	for _, want := range []string{"marta@" + bcn.URLs.Host(), "joao@" + bh.URLs.Host(), "[es]", "[pt]"} {
		if !strings.Contains(got, want) {
			t.Errorf("thread lacks %q:\n%s", want, got)
		}
	}

	// Belo Horizonte replies to Barcelona's answer: nested everywhere.
	a1OnBH, err := bh.Service.PostByURI(ctx, bcn.URLs.Post(a1.ID))
	if err != nil {
		t.Fatalf("barcelona's answer on belo horizonte: %v", err)
	}
	r1, err := bh.Service.Reply(ctx, joao, tbh.ID, a1OnBH.ID, forum.Answer{Body: "Como financiaram?", Language: "pt"})
	if err != nil {
		t.Fatal(err)
	}
	got = same(t, "reply to a reply", qURI, hub, bcn, bh)
	if !strings.Contains(got, "  joao@"+bh.URLs.Host()+" <p>Como financiaram?</p>") {
		t.Errorf("reply not nested under the answer:\n%s", got)
	}

	// Edit.
	if _, err := bcn.Service.EditPost(ctx, marta, a1.ID, forum.Edit{Body: "Sí: wifi en bibliotecas y centros cívicos.", Language: "es"}); err != nil {
		t.Fatal(err)
	}
	got = same(t, "edit", qURI, hub, bcn, bh)
	if !strings.Contains(got, "centros cívicos") {
		t.Errorf("edit missing:\n%s", got)
	}

	// Helpful: João marks Marta's answer.
	if _, err := bh.Service.SetHelpful(ctx, joao, a1OnBH.ID, true); err != nil {
		t.Fatal(err)
	}
	got = same(t, "helpful", qURI, hub, bcn, bh)
	if !strings.Contains(got, "centros cívicos.</p> [es] helpful=1") {
		t.Errorf("helpful mark missing:\n%s", got)
	}

	// A hub moderator locks the thread: locked everywhere; then reopens.
	if _, err := hub.Service.SetLocked(ctx, mod, q.ID, true); err != nil {
		t.Fatal(err)
	}
	if got = same(t, "lock", qURI, hub, bcn, bh); !strings.Contains(hub.mustView(t, q.ID), "locked=true") {
		t.Errorf("not locked:\n%s", got)
	}
	testrig.Eventually(t, "lock reaches the cities", func() (bool, string) {
		th, err := bcn.threadOn(qURI)
		return err == nil && th.Locked, "barcelona's copy not locked"
	})
	if _, err := bh.Service.Reply(ctx, joao, tbh.ID, "", forum.Answer{Body: "late", Language: "pt"}); err != forum.ErrLocked {
		t.Errorf("answer to a locked thread on a city: %v", err)
	}
	if _, err := hub.Service.SetLocked(ctx, mod, q.ID, false); err != nil {
		t.Fatal(err)
	}
	testrig.Eventually(t, "unlock reaches the cities", func() (bool, string) {
		th, err := bh.threadOn(qURI)
		return err == nil && !th.Locked, "belo horizonte's copy still locked"
	})

	// João deletes his reply.
	if _, err := bh.Service.DeletePost(ctx, joao, r1.ID); err != nil {
		t.Fatal(err)
	}
	got = same(t, "delete", qURI, hub, bcn, bh)
	if !strings.Contains(got, "joao@"+bh.URLs.Host()+" [deleted]") {
		t.Errorf("deleted reply not a tombstone:\n%s", got)
	}

	// A hub moderator deletes Barcelona's answer.
	a1OnHub, err := hub.Service.PostByURI(ctx, bcn.URLs.Post(a1.ID))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hub.Service.DeletePost(ctx, mod, a1OnHub.ID); err != nil {
		t.Fatal(err)
	}
	got = same(t, "moderator delete", qURI, hub, bcn, bh)
	if !strings.Contains(got, "marta@"+bcn.URLs.Host()+" [deleted]") {
		t.Errorf("moderated answer not deleted:\n%s", got)
	}

	// Barcelona leaves: the hub forgets the follower, Barcelona keeps its
	// members' posts.
	if err := bcn.Federation.Leave(ctx, forum.SystemActor(), hub.URLs.Forum("digitalisation")); err != nil {
		t.Fatal(err)
	}
	testrig.Eventually(t, "hub drops the follower", func() (bool, string) {
		n, err := hub.DB.Store().CountFollowers(ctx, hub.URLs.Forum("digitalisation"))
		return err == nil && n == 1, "followers still counted"
	})
	if _, err := bcn.Service.Post(ctx, a1.ID); err != nil {
		t.Errorf("barcelona lost its own post: %v", err)
	}
}
