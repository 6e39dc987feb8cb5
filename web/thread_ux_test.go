package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
)

// people signs in each seeded member once (sign-ins are rate limited).
func people(s *site) map[string]*browser {
	m := map[string]*browser{"": s.browser()}
	for _, name := range []string{"marta", "joao", "priya", "moderator"} {
		m[name] = s.signedIn(name)
	}
	return m
}

// threadWithAnswers has marta ask, joão answer and the moderator answer;
// it returns the thread's path and the two answers' ids.
func threadWithAnswers(t *testing.T, who map[string]*browser) (threadPath, joaoAnswer, modAnswer string) {
	t.Helper()
	p := who["marta"].post("/f/digitalisation/ask", url.Values{"title": {"Which open data portal do you use?"},
		"body": {"We compare CKAN and others."}, "language": {"en"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("ask: %d", p.status)
	}
	threadPath = location(p)
	answer := func(b *browser, body string) string {
		p := b.post(threadPath+"/reply", url.Values{"body": {body}, "language": {"en"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("answer: %d", p.status)
		}
		return location(p)[strings.Index(location(p), "#p-")+3:]
	}
	return threadPath, answer(who["joao"], "We run CKAN since 2019."), answer(who["moderator"], "Nouakchott uses a spreadsheet.")
}

// Deleting takes a confirmation page that quotes the post, and only its
// form (confirm=1) deletes: a bare POST, as pages before this change sent,
// shows the confirmation page and deletes nothing.
func TestDeleteNeedsConfirmation(t *testing.T) {
	s := newSite(t)
	who := people(s)
	threadPath, joaoAnswer, _ := threadWithAnswers(t, who)
	lone := who["priya"].post("/f/digitalisation/ask", url.Values{"title": {"Anyone on digital ID wallets?"},
		"body": {"Toronto is looking at wallets."}, "language": {"en"}})
	lonePath := location(lone)
	for _, tt := range []struct {
		name, who, confirmPage, post string
		form                         url.Values
		quoted                       string
		// gone reports whether the post is deleted, as anyone sees it.
		gone     func() bool
		redirect string
	}{
		{name: "own answer", who: "joao", confirmPage: "/p/" + joaoAnswer + "/delete", post: "/p/" + joaoAnswer + "/delete",
			quoted: "We run CKAN since 2019.",
			gone: func() bool {
				return strings.Contains(s.browser().get(threadPath).body, "This answer was deleted.")
			}},
		{name: "own question without answers", who: "priya", confirmPage: lonePath + "/delete", post: lonePath + "/moderate",
			form: url.Values{"action": {"delete"}}, quoted: "Toronto is looking at wallets.",
			gone:     func() bool { return s.browser().get(lonePath).status == http.StatusGone },
			redirect: "/f/digitalisation"},
		{name: "moderator deletes a thread", who: "moderator", confirmPage: threadPath + "/delete", post: threadPath + "/moderate",
			form: url.Values{"action": {"delete"}}, quoted: "We compare CKAN and others.",
			gone:     func() bool { return s.browser().get(threadPath).status == http.StatusGone },
			redirect: "/f/digitalisation"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := who[tt.who]
			confirmation := []string{tt.quoted, `<button type="submit" class="danger">Delete</button>`,
				`<input type="hidden" name="confirm" value="1">`, ">Cancel</a>"}
			p := b.get(tt.confirmPage)
			if p.status != http.StatusOK {
				t.Fatalf("GET %s: %d", tt.confirmPage, p.status)
			}
			mustContain(t, p, confirmation...)
			if !strings.Contains(p.body, `action="`+tt.post+`"`) {
				t.Errorf("confirmation page does not post to %s", tt.post)
			}
			if tt.gone() {
				t.Fatal("deleted by showing the confirmation page")
			}

			form := url.Values{}
			for k, v := range tt.form {
				form[k] = v
			}
			p = b.post(tt.post, form)
			if p.status != http.StatusOK {
				t.Errorf("POST without confirm: %d, want the confirmation page", p.status)
			}
			mustContain(t, p, confirmation...)
			if tt.gone() {
				t.Fatal("deleted without confirmation")
			}

			form.Set("confirm", "1")
			p = b.post(tt.post, form)
			if p.status != http.StatusSeeOther {
				t.Fatalf("POST confirmed: %d", p.status)
			}
			if tt.redirect != "" && location(p) != tt.redirect {
				t.Errorf("redirect to %s, want %s", location(p), tt.redirect)
			}
			if !tt.gone() {
				t.Error("not deleted after confirmation")
			}
		})
	}
}

// Only those who may delete see the confirmation page.
func TestDeleteConfirmationRefusesOthers(t *testing.T) {
	s := newSite(t)
	who := people(s)
	threadPath, joaoAnswer, _ := threadWithAnswers(t, who)
	for _, path := range []string{"/p/" + joaoAnswer + "/delete", threadPath + "/delete"} {
		if p := who["priya"].get(path); p.status != http.StatusForbidden {
			t.Errorf("another member GET %s: %d", path, p.status)
		}
	}
}

// Each role sees the delete controls it has, once, with its own label;
// moderation sits in a disclosure, not in filled buttons.
func TestThreadLabelsPerRole(t *testing.T) {
	s := newSite(t)
	who := people(s)
	threadPath, joaoAnswer, modAnswer := threadWithAnswers(t, who)
	const (
		myQuestion  = "Delete my question"
		myAnswer    = "Delete my answer"
		modQuestion = "Delete this question (moderation)"
		modAnswer_  = "Delete this answer (moderation)"
		modMenu     = `<details class="modmenu`
	)
	for _, tt := range []struct {
		who   string // "" is a visitor
		count map[string]int
	}{
		{"", map[string]int{myQuestion: 0, myAnswer: 0, modQuestion: 0, modAnswer_: 0, modMenu: 0}},
		// marta cannot delete her question once answered.
		{"marta", map[string]int{myQuestion: 0, myAnswer: 0, modQuestion: 0, modAnswer_: 0, modMenu: 0,
			"/p/" + joaoAnswer + "/delete": 0}},
		{"joao", map[string]int{myQuestion: 0, myAnswer: 1, modQuestion: 0, modAnswer_: 0, modMenu: 0,
			`href="/p/` + joaoAnswer + `/delete"`: 1}},
		{"moderator", map[string]int{myQuestion: 0, myAnswer: 1, modQuestion: 1, modAnswer_: 1,
			`href="/p/` + joaoAnswer + `/delete"`: 1, `href="/p/` + modAnswer + `/delete"`: 1,
			`href="` + threadPath + `/delete"`: 1, modMenu: 3}},
	} {
		t.Run("viewer "+tt.who, func(t *testing.T) {
			page := who[tt.who].get(threadPath)
			for text, want := range tt.count {
				if got := strings.Count(page.body, text); got != want {
					t.Errorf("%q appears %d times, want %d", text, got, want)
				}
			}
			if strings.Contains(page.body, `value="delete"`) {
				t.Error("a one-click delete button is still on the page")
			}
		})
	}

	// On a question without answers, the asker deletes their own; the
	// moderator deletes it as moderation, and on their own question as
	// its author, once.
	lone := location(who["marta"].post("/f/digitalisation/ask", url.Values{"title": {"Who runs a civic tech lab?"},
		"body": {"Looking for peers."}, "language": {"en"}}))
	own := location(who["moderator"].post("/f/digitalisation/ask", url.Values{"title": {"Moderators: share your rules"},
		"body": {"Ours are short."}, "language": {"en"}}))
	for _, tt := range []struct {
		who, path string
		mine, mod int
	}{{"marta", lone, 1, 0}, {"moderator", lone, 0, 1}, {"moderator", own, 1, 0}, {"joao", lone, 0, 0}} {
		page := who[tt.who].get(tt.path)
		if got := strings.Count(page.body, myQuestion); got != tt.mine {
			t.Errorf("%s on %s: %q %d times, want %d", tt.who, tt.path, myQuestion, got, tt.mine)
		}
		if got := strings.Count(page.body, modQuestion); got != tt.mod {
			t.Errorf("%s on %s: %q %d times, want %d", tt.who, tt.path, modQuestion, got, tt.mod)
		}
	}
}

// A locked thread shows no Reply links to members (they led to an error),
// even when its answers were rendered, and cached, before the lock;
// moderators, who may still answer, keep them.
func TestLockedThreadHidesReplyLinks(t *testing.T) {
	s := newSite(t)
	who := people(s)
	threadPath, _, modAnswer := threadWithAnswers(t, who)
	joao, mod := who["joao"], who["moderator"]
	mustContain(t, joao.get(threadPath), "?reply_to=")
	if p := mod.post(threadPath+"/moderate", url.Values{"action": {"lock"}}); p.status != http.StatusSeeOther {
		t.Fatalf("lock: %d", p.status)
	}
	if p := joao.get(threadPath); strings.Contains(p.body, "?reply_to=") {
		t.Error("a member sees Reply links in a locked thread")
	}
	// The address a link had before the lock gives no form either.
	if p := joao.get(threadPath + "?reply_to=" + modAnswer); strings.Contains(p.body, `name="parent"`) || strings.Contains(p.body, `class="quote"`) {
		t.Error("a member is given a reply form in a locked thread")
	}
	mustContain(t, mod.get(threadPath), "?reply_to=")
}

// Reply links lead to the answer form with a quote of the answer replied
// to (the page reply.js opens inline, and the page without scripts); an
// address naming no answer of the thread gives the plain answer form; a
// refused reply keeps its quote and its answer.
func TestReplyToQuotesTheAnswer(t *testing.T) {
	s := newSite(t)
	who := people(s)
	threadPath, joaoAnswer, _ := threadWithAnswers(t, who)
	other, _, _ := threadWithAnswers(t, who)
	otherAnswer := func() string {
		p := who["priya"].post(other+"/reply", url.Values{"body": {"Elsewhere."}, "language": {"en"}})
		return location(p)[strings.Index(location(p), "#p-")+3:]
	}()
	quoted := []string{`<blockquote class="quote" cite="` + threadPath + `#p-` + joaoAnswer + `" lang="en"><p>We run CKAN since 2019.</p></blockquote>`,
		`<input type="hidden" name="parent" value="` + joaoAnswer + `">`, "Reply to João Silva"}
	tests := []struct {
		name, query string
		quote       bool
	}{
		{"an answer of the thread", "?reply_to=" + joaoAnswer, true},
		{"an answer of another thread", "?reply_to=" + otherAnswer, false},
		{"no such post", "?reply_to=01JUNKJUNKJUNKJUNKJUNKJUNK", false},
		{"garbage", "?reply_to=%3Cscript%3E", false},
		{"no reply_to", "", false},
	}
	priya := who["priya"]
	for _, tt := range tests {
		p := priya.get(threadPath + tt.query)
		if p.status != http.StatusOK {
			t.Fatalf("%s: %d", tt.name, p.status)
		}
		for _, w := range quoted {
			if got := strings.Contains(p.body, w); got != tt.quote {
				t.Errorf("%s: has %q: %v, want %v", tt.name, w, got, tt.quote)
			}
		}
		mustContain(t, p, `<script src="/static/reply.js" defer></script>`, `<form method="post" action="`+threadPath+`/reply"`)
	}
	// An empty reply is refused with the quote and the parent kept.
	p := priya.post(threadPath+"/reply", url.Values{"body": {""}, "language": {"en"}, "parent": {joaoAnswer}})
	if p.status != http.StatusBadRequest {
		t.Fatalf("empty reply: %d", p.status)
	}
	mustContain(t, p, quoted...)
	if js := priya.get("/static/reply.js"); js.status != http.StatusOK || !strings.Contains(js.body, "reply_to=") {
		t.Fatalf("reply.js: %d", js.status)
	}
	// A visitor, who may not answer, gets no form and no quote.
	if p := who[""].get(threadPath + "?reply_to=" + joaoAnswer); strings.Contains(p.body, `class="quote"`) {
		t.Error("a visitor is shown the reply form's quote")
	}
}

// The heading's answer count follows live answers: live.js takes it from
// the page it fetches for the new answer, so that page (cached for
// visitors) must count it, under the heading's id.
func TestAnswerCountFollowsNewAnswers(t *testing.T) {
	s := newSite(t)
	who := people(s)
	threadPath, _, _ := threadWithAnswers(t, who)
	for _, b := range []*browser{who[""], who["priya"]} {
		mustContain(t, b.get(threadPath), `<h2 id="answers-h">2 answers</h2>`)
	}
	who["priya"].post(threadPath+"/reply", url.Values{"body": {"Toronto uses CKAN too."}, "language": {"en"}})
	for _, b := range []*browser{who[""], who["priya"]} {
		mustContain(t, b.get(threadPath), `<h2 id="answers-h">3 answers</h2>`)
	}
	if js := who[""].get("/static/live.js"); !strings.Contains(js.body, `getElementById("answers-h")`) {
		t.Error("live.js does not update the heading's count")
	}
}

// Answers can be read most helpful first (?sort=helpful): good practices,
// then by helpful marks; the next page's link keeps the order, and the
// pages together hold each answer once.
func TestSortAnswersByHelpful(t *testing.T) {
	s := newSite(t)
	who := people(s)
	threadPath, joaoAnswer, modAnswer := threadWithAnswers(t, who)
	ctx := context.Background()
	priya, err := s.rig.Service.MemberByUsername(ctx, "priya")
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimPrefix(threadPath, "/t/")
	var late []string
	for i := range 50 {
		p, err := s.rig.Service.Reply(ctx, priya, id, "", forum.Answer{Body: fmt.Sprintf("Answer number %d.", i), Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		late = append(late, p.ID)
	}
	// The last answer gets two marks, the moderator's one; joão's is a
	// good practice.
	for _, name := range []string{"marta", "joao"} {
		if p := who[name].post("/p/"+late[49]+"/helpful", url.Values{"on": {"1"}}); p.status != http.StatusSeeOther {
			t.Fatalf("helpful: %d", p.status)
		}
	}
	who["marta"].post("/p/"+modAnswer+"/helpful", url.Values{"on": {"1"}})
	if p := who["moderator"].post("/p/"+joaoAnswer+"/good-practice", url.Values{"on": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("good practice: %d", p.status)
	}
	order := func(body string) []string {
		var ids []string
		for _, part := range strings.Split(body, `<article id="p-`)[1:] {
			ids = append(ids, part[:strings.Index(part, `"`)])
		}
		return ids
	}
	for _, b := range []*browser{who[""], who["priya"]} {
		first := b.get(threadPath + "?sort=helpful")
		mustContain(t, first, `?sort=helpful#answers-h" aria-current="true">most helpful first</a>`, `class="post good"`)
		got := order(first.body)
		if len(got) < 4 || got[1] != joaoAnswer || got[2] != late[49] || got[3] != modAnswer {
			t.Fatalf("helpful order starts %v, want question, %s, %s, %s", got[:min(4, len(got))], joaoAnswer, late[49], modAnswer)
		}
		next := first.body[strings.Index(first.body, `rel="next" href="`)+len(`rel="next" href="`):]
		next = strings.ReplaceAll(next[:strings.Index(next, `"`)], "&amp;", "&")
		if !strings.Contains(next, "sort=helpful&after=h.") {
			t.Fatalf("next page link %q loses the order", next)
		}
		rest := b.get(next)
		if rest.status != http.StatusOK {
			t.Fatalf("next page: %d", rest.status)
		}
		seen := map[string]int{}
		for _, id := range append(got, order(rest.body)...) {
			seen[id]++
		}
		for _, id := range append([]string{joaoAnswer, modAnswer}, late...) {
			if seen[id] != 1 {
				t.Errorf("answer %s appears %d times over the two pages", id, seen[id])
			}
		}
		// Oldest first stays the default.
		if got := order(b.get(threadPath).body); got[1] != joaoAnswer || got[2] != modAnswer || got[3] != late[0] {
			t.Errorf("time order starts %v", got[:4])
		}
	}
	if p := who[""].get(threadPath + "?sort=helpful&after=01JUNK"); p.status != http.StatusBadRequest {
		t.Errorf("a broken cursor: %d, want 400", p.status)
	}
}
