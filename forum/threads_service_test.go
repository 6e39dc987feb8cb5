package forum_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

type world struct {
	rig  *testrig.Rig
	cast *testrig.Cast
	ctx  context.Context
}

func newWorld(t *testing.T) *world {
	rig := testrig.New(t)
	return &world{rig: rig, cast: rig.Seed(t), ctx: context.Background()}
}

func (w *world) ask(t *testing.T, by *forum.Member, title string) *forum.Thread {
	t.Helper()
	th, err := w.rig.Service.Ask(w.ctx, by, w.cast.Forum.ID, forum.Question{Title: title, Body: "Context: *our* city.", Language: "en"})
	if err != nil {
		t.Fatalf("ask: %v", err)
	}
	return th
}

func (w *world) reply(t *testing.T, by *forum.Member, th *forum.Thread, parent, body string) *forum.Post {
	t.Helper()
	w.rig.Clock.Advance(time.Minute)
	p, err := w.rig.Service.Reply(w.ctx, by, th.ID, parent, forum.Answer{Body: body, Language: "es"})
	if err != nil {
		t.Fatalf("reply %q: %v", body, err)
	}
	return p
}

func TestAskValidation(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name  string
		q     forum.Question
		field string
	}{
		{"short title", forum.Question{Title: "Hi", Body: "b", Language: "en"}, "title"},
		{"long title", forum.Question{Title: strings.Repeat("a", 201), Body: "b", Language: "en"}, "title"},
		{"empty body", forum.Question{Title: "A real question", Body: "  ", Language: "en"}, "body"},
		{"long body", forum.Question{Title: "A real question", Body: strings.Repeat("a", 20001), Language: "en"}, "body"},
		{"bad language", forum.Question{Title: "A real question", Body: "b", Language: "english!"}, "language"},
	}
	for _, tt := range tests {
		_, err := w.rig.Service.Ask(w.ctx, w.cast.Barcelona, w.cast.Forum.ID, tt.q)
		var ve *forum.ValidationError
		if !errors.As(err, &ve) || ve.Field != tt.field {
			t.Errorf("%s: got %v, want a validation error on %s", tt.name, err, tt.field)
		}
	}
	if _, err := w.rig.Service.Ask(w.ctx, nil, w.cast.Forum.ID, forum.Question{Title: "Visitor question", Body: "b", Language: "en"}); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("visitor asks: %v", err)
	}
	list, err := w.rig.Service.ListThreads(w.ctx, w.cast.Forum.ID, "")
	if err != nil || len(list.Threads.Items) != 0 {
		t.Errorf("refused questions were stored: %d, %v", len(list.Threads.Items), err)
	}
}

func TestReadingOrderWithOneLevelOfNesting(t *testing.T) {
	w := newWorld(t)
	th := w.ask(t, w.cast.Barcelona, "Has Covid-19 been a turning point for internet access?")
	a1 := w.reply(t, w.cast.BeloHz, th, "", "a1")
	a2 := w.reply(t, w.cast.Toronto, th, th.ID, "a2")
	r1 := w.reply(t, w.cast.Barcelona, th, a1.ID, "r1 to a1")
	r2 := w.reply(t, w.cast.Toronto, th, r1.ID, "r2 to r1, drawn under a1")
	r3 := w.reply(t, w.cast.BeloHz, th, a2.ID, "r3 to a2")

	v, err := w.rig.Service.ReadThread(w.ctx, w.cast.Toronto, th.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range v.Posts.Items {
		got = append(got, p.ID)
	}
	want := []string{th.ID, a1.ID, r1.ID, r2.ID, a2.ID, r3.ID}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("order = %v, want %v", got, want)
	}
	if r2.ParentID != r1.ID || r2.BranchID != a1.ID || !r2.Nested() || a1.Nested() {
		t.Errorf("r2 parent=%s branch=%s", r2.ParentID, r2.BranchID)
	}
	if v.Thread.ReplyCount != 5 || v.Thread.LastPostID != r3.ID {
		t.Errorf("thread counters = %d, %s", v.Thread.ReplyCount, v.Thread.LastPostID)
	}
	if v.Authors[a1.AuthorID].Username != "joao" {
		t.Errorf("authors not loaded")
	}

	other := w.ask(t, w.cast.Toronto, "Another question entirely")
	if _, err := w.rig.Service.Reply(w.ctx, w.cast.Toronto, other.ID, a1.ID, forum.Answer{Body: "x", Language: "en"}); !forum.IsValidation(err) {
		t.Errorf("reply with a parent from another thread: %v", err)
	}
}

func TestEditKeepsHistory(t *testing.T) {
	w := newWorld(t)
	th := w.ask(t, w.cast.Barcelona, "Digital equity budgets")
	a := w.reply(t, w.cast.BeloHz, th, "", "first version")
	if _, err := w.rig.Service.EditPost(w.ctx, w.cast.Toronto, a.ID, forum.Edit{Body: "vandalised", Language: "en"}); !errors.Is(err, forum.ErrForbidden) {
		t.Fatalf("other member edits: %v", err)
	}
	if _, err := w.rig.Service.EditPost(w.ctx, w.cast.BeloHz, a.ID, forum.Edit{Body: "", Language: "pt"}); !forum.IsValidation(err) {
		t.Fatalf("empty edit: %v", err)
	}
	p, err := w.rig.Service.EditPost(w.ctx, w.cast.BeloHz, a.ID, forum.Edit{Body: "second **version**", Language: "pt"})
	if err != nil || p.EditedAt == nil || p.Language != "pt" || !strings.Contains(p.HTML, "<strong>version</strong>") {
		t.Fatalf("edit = %+v, %v", p, err)
	}
	q, err := w.rig.Service.EditPost(w.ctx, w.cast.Barcelona, th.ID, forum.Edit{Title: "Budgets for digital equity", Body: "new context", Language: "en"})
	if err != nil || q.Source != "new context" {
		t.Fatal(err)
	}
	if th2, _ := w.rig.Service.Thread(w.ctx, th.ID); th2.Title != "Budgets for digital equity" {
		t.Errorf("title not updated: %q", th2.Title)
	}
	_, revs, err := w.rig.Service.History(w.ctx, nil, a.ID)
	if err != nil || len(revs) != 1 || revs[0].Source != "first version" || revs[0].Language != "es" || revs[0].EditorID != w.cast.BeloHz.ID {
		t.Fatalf("history = %+v, %v", revs, err)
	}
	_, qrevs, _ := w.rig.Service.History(w.ctx, nil, th.ID)
	if len(qrevs) != 1 || qrevs[0].Title != "Digital equity budgets" {
		t.Errorf("question history = %+v", qrevs)
	}
}

func TestDeleteLeavesTombstone(t *testing.T) {
	w := newWorld(t)
	th := w.ask(t, w.cast.Barcelona, "Open data portals")
	a := w.reply(t, w.cast.BeloHz, th, "", "secret plan")
	w.reply(t, w.cast.Toronto, th, a.ID, "reply under it")
	if _, err := w.rig.Service.DeletePost(w.ctx, w.cast.Toronto, a.ID); !errors.Is(err, forum.ErrForbidden) {
		t.Fatalf("other deletes: %v", err)
	}
	p, err := w.rig.Service.DeletePost(w.ctx, w.cast.BeloHz, a.ID)
	if err != nil || !p.Deleted() || p.Source != "" || p.HTML != "" {
		t.Fatalf("delete = %+v, %v", p, err)
	}
	v, _ := w.rig.Service.ReadThread(w.ctx, nil, th.ID, "")
	if len(v.Posts.Items) != 3 || !v.Posts.Items[1].Deleted() || v.Thread.ReplyCount != 1 {
		t.Fatalf("thread after delete: %d posts, reply count %d", len(v.Posts.Items), v.Thread.ReplyCount)
	}
	if _, _, err := w.rig.Service.History(w.ctx, nil, a.ID); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("visitor reads a deleted post's history: %v", err)
	}
	if _, revs, err := w.rig.Service.History(w.ctx, w.cast.Moderator, a.ID); err != nil || revs[0].Source != "secret plan" {
		t.Errorf("moderator history = %v, %v", revs, err)
	}
	if _, err := w.rig.Service.DeletePost(w.ctx, w.cast.BeloHz, a.ID); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("deleting twice: %v", err)
	}
	if _, err := w.rig.Service.Reply(w.ctx, w.cast.Toronto, th.ID, a.ID, forum.Answer{Body: "x", Language: "en"}); !forum.IsValidation(err) {
		t.Errorf("reply to a tombstone: %v", err)
	}
}

func TestHelpfulOncePerMember(t *testing.T) {
	w := newWorld(t)
	th := w.ask(t, w.cast.Barcelona, "Community Wi-Fi")
	a := w.reply(t, w.cast.BeloHz, th, "", "We used libraries as hubs")
	svc := w.rig.Service
	steps := []struct {
		by    *forum.Member
		on    bool
		count int
		err   error
	}{
		{w.cast.Toronto, true, 1, nil},
		{w.cast.Toronto, true, 1, nil}, // twice counts once
		{w.cast.Barcelona, true, 2, nil},
		{w.cast.BeloHz, true, 2, forum.ErrForbidden}, // own answer
		{w.cast.Toronto, false, 1, nil},
		{w.cast.Toronto, false, 1, nil},
	}
	for i, s := range steps {
		p, err := svc.SetHelpful(w.ctx, s.by, a.ID, s.on)
		if !errors.Is(err, s.err) || (s.err == nil && err != nil) {
			t.Fatalf("step %d: %v, want %v", i, err, s.err)
		}
		if err == nil && p.HelpfulCount != s.count {
			t.Fatalf("step %d: count %d, want %d", i, p.HelpfulCount, s.count)
		}
	}
	v, _ := svc.ReadThread(w.ctx, w.cast.Barcelona, th.ID, "")
	if !v.Helpful[a.ID] || v.Posts.Items[1].HelpfulCount != 1 {
		t.Errorf("viewer's mark not shown: %v", v.Helpful)
	}
	if _, err := svc.SetHelpful(w.ctx, w.cast.Toronto, th.ID, true); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("question marked helpful: %v", err)
	}
}

func TestModeration(t *testing.T) {
	w := newWorld(t)
	svc, mod, member := w.rig.Service, w.cast.Moderator, w.cast.Toronto
	th := w.ask(t, w.cast.Barcelona, "Digital literacy for older residents")
	a := w.reply(t, w.cast.BeloHz, th, "", "Intergenerational workshops")

	if _, err := svc.SetGoodPractice(w.ctx, member, a.ID, true); !errors.Is(err, forum.ErrForbidden) {
		t.Fatalf("member marks good practice: %v", err)
	}
	if _, err := svc.SetGoodPractice(w.ctx, mod, th.ID, true); !forum.IsValidation(err) {
		t.Fatalf("question as good practice: %v", err)
	}
	if p, err := svc.SetGoodPractice(w.ctx, mod, a.ID, true); err != nil || p.GoodPracticeAt == nil || p.GoodPracticeBy != mod.ID {
		t.Fatalf("good practice = %+v, %v", p, err)
	}
	if p, err := svc.SetGoodPractice(w.ctx, mod, a.ID, false); err != nil || p.GoodPracticeAt != nil {
		t.Fatalf("unmark = %+v, %v", p, err)
	}

	if _, err := svc.SetLocked(w.ctx, member, th.ID, true); !errors.Is(err, forum.ErrForbidden) {
		t.Fatalf("member locks: %v", err)
	}
	if _, err := svc.SetLocked(w.ctx, mod, th.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Reply(w.ctx, member, th.ID, "", forum.Answer{Body: "late", Language: "en"}); !errors.Is(err, forum.ErrLocked) {
		t.Fatalf("answer in locked thread: %v", err)
	}
	if _, err := svc.EditPost(w.ctx, w.cast.BeloHz, a.ID, forum.Edit{Body: "edit", Language: "en"}); !errors.Is(err, forum.ErrLocked) {
		t.Fatalf("author edits in locked thread: %v", err)
	}
	if _, err := svc.Reply(w.ctx, mod, th.ID, "", forum.Answer{Body: "Closing note", Language: "fr"}); err != nil {
		t.Fatalf("moderator answers locked thread: %v", err)
	}
	if _, err := svc.SetLocked(w.ctx, mod, th.ID, false); err != nil {
		t.Fatal(err)
	}

	other, err := svc.CreateForum(w.ctx, w.cast.Admin, forum.ForumInput{Slug: "mobility", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Mobility"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.MoveThread(w.ctx, mod, th.ID, "not-an-id"); !forum.IsValidation(err) {
		t.Fatalf("move to garbage: %v", err)
	}
	if moved, err := svc.MoveThread(w.ctx, mod, th.ID, other.ID); err != nil || moved.ForumID != other.ID {
		t.Fatalf("move = %v, %v", moved, err)
	}
	if _, err := svc.DeleteThread(w.ctx, w.cast.Barcelona, th.ID); !errors.Is(err, forum.ErrForbidden) {
		t.Fatalf("asker deletes an answered thread: %v", err)
	}
	if _, err := svc.DeleteThread(w.ctx, mod, th.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ReadThread(w.ctx, nil, th.ID, ""); !errors.Is(err, forum.ErrGone) {
		t.Fatalf("deleted thread reads: %v", err)
	}
	if list, _ := svc.ListThreads(w.ctx, other.ID, ""); len(list.Threads.Items) != 0 {
		t.Errorf("deleted thread still listed")
	}
	if _, err := svc.SetPinned(w.ctx, mod, th.ID, true); !errors.Is(err, forum.ErrGone) {
		t.Errorf("pin a deleted thread: %v", err)
	}
}

func TestThreadListPagingPinnedFirst(t *testing.T) {
	w := newWorld(t)
	svc := w.rig.Service
	var ids []string
	for i := 0; i < forum.ThreadPageSize+5; i++ {
		w.rig.Clock.Advance(time.Second)
		ids = append(ids, w.ask(t, w.cast.Toronto, "Question number "+strings.Repeat("x", i%5+1)).ID)
	}
	// Activity in the oldest thread brings it to the top; a pinned one
	// stays above everything.
	first := &forum.Thread{ID: ids[0]}
	w.reply(t, w.cast.BeloHz, first, "", "bump")
	if _, err := svc.SetPinned(w.ctx, w.cast.Moderator, ids[3], true); err != nil {
		t.Fatal(err)
	}
	p1, err := svc.ListThreads(w.ctx, w.cast.Forum.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(p1.Threads.Items) != forum.ThreadPageSize || p1.Threads.Next == "" {
		t.Fatalf("page 1: %d items, next %q", len(p1.Threads.Items), p1.Threads.Next)
	}
	if p1.Threads.Items[0].ID != ids[3] || p1.Threads.Items[1].ID != ids[0] || p1.Threads.Items[2].ID != ids[len(ids)-1] {
		t.Errorf("page 1 starts %s %s %s", p1.Threads.Items[0].ID, p1.Threads.Items[1].ID, p1.Threads.Items[2].ID)
	}
	p2, err := svc.ListThreads(w.ctx, w.cast.Forum.ID, p1.Threads.Next)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, th := range append(p1.Threads.Items, p2.Threads.Items...) {
		if seen[th.ID] {
			t.Errorf("thread %s on two pages", th.ID)
		}
		seen[th.ID] = true
	}
	if len(seen) != len(ids) || p2.Threads.Next != "" {
		t.Errorf("paging saw %d of %d threads, next %q", len(seen), len(ids), p2.Threads.Next)
	}
	if _, err := svc.ListThreads(w.ctx, w.cast.Forum.ID, "garbage"); !forum.IsValidation(err) {
		t.Errorf("bad cursor: %v", err)
	}
}

func TestForumValidation(t *testing.T) {
	w := newWorld(t)
	svc := w.rig.Service
	tests := []struct {
		name  string
		in    forum.ForumInput
		field string
	}{
		{"reserved thread prefix", forum.ForumInput{Slug: "t-abc", Language: "en", Texts: map[string]forum.ForumText{"en": {Title: "T"}}}, "slug"},
		{"uppercase is lowered, double hyphen refused", forum.ForumInput{Slug: "Smart--Cities", Language: "en", Texts: map[string]forum.ForumText{"en": {Title: "T"}}}, "slug"},
		{"slug taken", forum.ForumInput{Slug: "digitalisation", Language: "en", Texts: map[string]forum.ForumText{"en": {Title: "T"}}}, "slug"},
		{"member handle", forum.ForumInput{Slug: "marta", Language: "en", Texts: map[string]forum.ForumText{"en": {Title: "T"}}}, "slug"},
		{"no title in own language", forum.ForumInput{Slug: "housing", Language: "fr", Texts: map[string]forum.ForumText{"en": {Title: "Housing"}}}, "title"},
		{"negative position", forum.ForumInput{Slug: "housing", Position: -1, Language: "en", Texts: map[string]forum.ForumText{"en": {Title: "Housing"}}}, "position"},
	}
	for _, tt := range tests {
		_, err := svc.CreateForum(w.ctx, w.cast.Admin, tt.in)
		var ve *forum.ValidationError
		if !errors.As(err, &ve) || ve.Field != tt.field {
			t.Errorf("%s: got %v, want validation error on %s", tt.name, err, tt.field)
		}
	}
	if _, err := svc.CreateForum(w.ctx, w.cast.Moderator, forum.ForumInput{Slug: "housing", Language: "en", Texts: map[string]forum.ForumText{"en": {Title: "Housing"}}}); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("moderator creates forum: %v", err)
	}
	f, err := svc.UpdateForum(w.ctx, w.cast.Admin, w.cast.Forum.ID, forum.ForumInput{Slug: "ignored", Position: 2, Language: "es",
		Texts: map[string]forum.ForumText{"es": {Title: "Digitalización"}, "fr": {Title: ""}}})
	if err != nil || f.Slug != "digitalisation" || len(f.Texts) != 1 || f.Position != 2 {
		t.Fatalf("update = %+v, %v", f, err)
	}
	if text, lang := f.Text("de", "fr"); lang != "es" || text.Title != "Digitalización" {
		t.Errorf("fallback text = %v %s", text, lang)
	}
}
