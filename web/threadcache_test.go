package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// TestMemberThreadPagesShareOnlyWhatIsShared: members' thread pages are
// built from one cached read of the thread and cached post fragments, yet
// each member sees their own helpful marks, their own controls and their
// own CSRF token, and every change at once.
func TestMemberThreadPagesShareOnlyWhatIsShared(t *testing.T) {
	ctx := context.Background()
	s := newSite(t)
	svc := s.rig.Service
	th, err := svc.Ask(ctx, s.cast.Barcelona, s.cast.Forum.ID, forum.Question{Title: "Open data portals: what worked?", Body: "Tell us.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.Reply(ctx, s.cast.BeloHz, th.ID, "", forum.Answer{Body: "Budgets first.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	path := uris.ThreadPath(th.ID)
	marta, joao, mod := s.signedIn("marta"), s.signedIn("joao"), s.signedIn("moderator")
	priya := s.signedIn("priya") // may do what marta may do
	edit := `href="` + uris.PostPath(a.ID) + `/edit"`
	goodPractice := uris.PostPath(a.ID) + `/good-practice`
	// Fill the caches with every member's view, then check each view again.
	for range 2 {
		mustContain(t, joao.get(path), "Budgets first.", edit)
		if p := marta.get(path); strings.Contains(p.body, edit) || strings.Contains(p.body, goodPractice) {
			t.Fatal("marta is offered to edit joão's answer or to mark it a good practice")
		}
		mustContain(t, mod.get(path), goodPractice)
		mustContain(t, priya.get(path), "Budgets first.")
	}

	// A helpful mark is marta's alone; its count is everyone's.
	if p := marta.post(uris.PostPath(a.ID)+"/helpful", url.Values{"on": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("helpful: %d", p.status)
	}
	mustContain(t, marta.get(path), "1 person found this helpful", `aria-pressed="true"`)
	for name, b := range map[string]*browser{"priya": priya, "moderator": mod} {
		if p := b.get(path); !strings.Contains(p.body, "1 person found this helpful") || strings.Contains(p.body, `aria-pressed="true"`) {
			t.Fatalf("%s's page lacks the count or shows marta's mark as theirs", name)
		}
	}

	// Each member's forms carry their own token.
	for name, b := range map[string]*browser{"marta": marta, "joao": joao, "moderator": mod, "priya": priya} {
		token := b.csrf()
		got := csrfInput.FindAllStringSubmatch(b.get(path).body, -1)
		if len(got) == 0 {
			t.Fatalf("%s: no CSRF field", name)
		}
		for _, m := range got {
			if m[1] != token {
				t.Fatalf("%s: form token %q, want their own %q", name, m[1], token)
			}
		}
	}

	// Changes show at once: an edit, a new answer, a renamed author.
	if _, err := svc.EditPost(ctx, s.cast.BeloHz, a.ID, forum.Edit{Body: "Budgets and transport first.", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, marta.get(path), "Budgets and transport first.")
	if _, err := svc.Reply(ctx, s.cast.Barcelona, th.ID, "", forum.Answer{Body: "Procurement rules.", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, joao.get(path), "Procurement rules.")
	if _, err := svc.UpdateProfile(ctx, s.cast.BeloHz, s.cast.BeloHz.ID, forum.Profile{DisplayName: "João P. Silva",
		Title: "Digital Inclusion Lead", Organisation: "Belo Horizonte", Languages: []string{"pt", "es"}}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, marta.get(path), "João P. Silva")
}
