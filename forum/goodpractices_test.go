package forum_test

import (
	"errors"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
)

// goodPracticeEvents lists the kinds of good-practice events recorded.
func goodPracticeEvents(t *testing.T, w *world) []forum.EventKind {
	t.Helper()
	events, err := w.rig.Service.Events(w.ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []forum.EventKind
	for _, e := range events {
		if e.Kind == forum.EventGoodPracticeMarked || e.Kind == forum.EventGoodPracticeUnmarked {
			out = append(out, e.Kind)
		}
	}
	return out
}

// TestGoodPracticeMarkIsAnEvent: marking and unmarking record one event
// each (federation publishes the forum's Add and Remove from them); asking
// again for the state the answer is in records nothing.
func TestGoodPracticeMarkIsAnEvent(t *testing.T) {
	w := newWorld(t)
	th := w.ask(t, w.cast.Barcelona, "Telecentres")
	a := w.reply(t, w.cast.BeloHz, th, "", "50 telecentres with refurbished computers")
	steps := []struct {
		on   bool
		want []forum.EventKind
	}{
		{true, []forum.EventKind{forum.EventGoodPracticeMarked}},
		{true, []forum.EventKind{forum.EventGoodPracticeMarked}},
		{false, []forum.EventKind{forum.EventGoodPracticeMarked, forum.EventGoodPracticeUnmarked}},
		{false, []forum.EventKind{forum.EventGoodPracticeMarked, forum.EventGoodPracticeUnmarked}},
	}
	for i, s := range steps {
		if _, err := w.rig.Service.SetGoodPractice(w.ctx, w.cast.Moderator, a.ID, s.on); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := goodPracticeEvents(t, w); !equalKinds(got, s.want) {
			t.Errorf("step %d (on=%v): events %v, want %v", i, s.on, got, s.want)
		}
	}
}

func equalKinds(a, b []forum.EventKind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestGoodPracticeOfAJoinedForum: a joined forum's marks are its node's.
// Our moderators cannot mark its answers; the forum's own word (received)
// marks them, and no other forum's.
func TestGoodPracticeOfAJoinedForum(t *testing.T) {
	w := newWorld(t)
	svc := w.rig.Service
	hubForum, err := svc.SaveRemoteForum(w.ctx, w.cast.Admin, forum.RemoteForumInfo{URI: "https://hub.example/f/digitalisation",
		Name: "digitalisation", Domain: "hub.example", Language: "en", Texts: map[string]forum.ForumText{"en": {Title: "Digitalisation"}}})
	if err != nil {
		t.Fatal(err)
	}
	otherForum, err := svc.SaveRemoteForum(w.ctx, w.cast.Admin, forum.RemoteForumInfo{URI: "https://other.example/f/mobility",
		Name: "mobility", Domain: "other.example", Language: "en", Texts: map[string]forum.ForumText{"en": {Title: "Mobility"}}})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := svc.SaveRemoteMember(w.ctx, forum.RemoteProfile{URI: "https://hub.example/u/secretariat", Username: "secretariat", Domain: "hub.example"})
	if err != nil {
		t.Fatal(err)
	}
	th, err := svc.ReceiveQuestion(w.ctx, hubForum, "", forum.RemotePost{URI: "https://hub.example/t/1", Author: sec,
		Title: "Covid-19 and internet access", HTML: "<p>Turning point?</p>", Language: "en", Published: w.rig.Clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	a := w.reply(t, w.cast.Barcelona, th, "", "Wifi in libraries")
	if _, err := svc.SetGoodPractice(w.ctx, w.cast.Moderator, a.ID, true); !forum.IsValidation(err) {
		t.Fatalf("our moderator marks a joined forum's answer: %v; want a validation error", err)
	}
	local := w.ask(t, w.cast.Toronto, "Ours")
	ours := w.reply(t, w.cast.BeloHz, local, "", "ours")
	at := time.Date(2026, 5, 17, 14, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		forum  *forum.Forum
		post   *forum.Post
		on     bool
		want   error
		marked bool
	}{
		{"another forum's word", otherForum, a, true, forum.ErrForbidden, false},
		{"the forum's own word", hubForum, a, true, nil, true},
		{"again", hubForum, a, true, nil, true},
		{"another forum unmarks", otherForum, a, false, forum.ErrForbidden, true},
		{"the forum unmarks", hubForum, a, false, nil, false},
		{"a remote forum marks our forum's answer", hubForum, ours, true, forum.ErrForbidden, false},
	} {
		err := svc.ReceiveGoodPractice(w.ctx, tc.forum, tc.post, tc.on, at)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.want)
		}
		p, err := svc.Post(w.ctx, tc.post.ID)
		if err != nil {
			t.Fatal(err)
		}
		if (p.GoodPracticeAt != nil) != tc.marked {
			t.Errorf("%s: marked = %v, want %v", tc.name, p.GoodPracticeAt != nil, tc.marked)
		}
		if tc.marked && !p.GoodPracticeAt.Equal(at) {
			t.Errorf("%s: marked at %v, want the forum's time %v", tc.name, p.GoodPracticeAt, at)
		}
	}
	if err := svc.ReceiveGoodPractice(w.ctx, w.cast.Forum, ours, true, at); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("our own forum's mark received: %v", err)
	}
}

// TestGoodPracticesPage: the page lists marked answers with their question,
// author and city, filtered by question, city, language and theme; the
// filter menus offer every value in scope.
func TestGoodPracticesPage(t *testing.T) {
	w := newWorld(t)
	svc := w.rig.Service
	covid := w.ask(t, w.cast.Admin, "Covid-19 and internet access")
	equity := w.ask(t, w.cast.Admin, "Digitisation for equity")
	answer := func(by *forum.Member, th *forum.Thread, body, lang string) *forum.Post {
		w.rig.Clock.Advance(time.Minute)
		p, err := svc.Reply(w.ctx, by, th.ID, "", forum.Answer{Body: body, Language: lang})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	bh := answer(w.cast.BeloHz, covid, "50 telecentres #inclusion", "pt")
	bcn := answer(w.cast.Barcelona, covid, "Wifi en bibliotecas", "es")
	tor := answer(w.cast.Toronto, equity, "Open data #Inclusion #opendata", "en")
	answer(w.cast.Toronto, equity, "not marked #inclusion", "en")
	for _, p := range []*forum.Post{bh, bcn, tor} {
		w.rig.Clock.Advance(time.Minute)
		if _, err := svc.SetGoodPractice(w.ctx, w.cast.Moderator, p.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	other, err := svc.CreateForum(w.ctx, w.cast.Admin, forum.ForumInput{Slug: "mobility", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Mobility"}}})
	if err != nil {
		t.Fatal(err)
	}
	bikes, err := svc.Ask(w.ctx, w.cast.Admin, other.ID, forum.Question{Title: "Bikes", Body: "?", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	bike := answer(w.cast.Barcelona, bikes, "Bicing", "ca")
	if _, err := svc.SetGoodPractice(w.ctx, w.cast.Moderator, bike.ID, true); err != nil {
		t.Fatal(err)
	}
	f := w.cast.Forum.ID
	for _, tc := range []struct {
		name   string
		filter forum.GoodPracticeFilter
		want   []forum.ID
	}{
		{"forum", forum.GoodPracticeFilter{ForumID: f}, []forum.ID{tor.ID, bcn.ID, bh.ID}},
		{"node", forum.GoodPracticeFilter{}, []forum.ID{bike.ID, tor.ID, bcn.ID, bh.ID}},
		{"question", forum.GoodPracticeFilter{ForumID: f, ThreadID: covid.ID}, []forum.ID{bcn.ID, bh.ID}},
		{"city", forum.GoodPracticeFilter{ForumID: f, City: "Belo Horizonte"}, []forum.ID{bh.ID}},
		{"city on the node", forum.GoodPracticeFilter{City: "Barcelona Metropolitan Area"}, []forum.ID{bike.ID, bcn.ID}},
		{"language", forum.GoodPracticeFilter{ForumID: f, Language: "es"}, []forum.ID{bcn.ID}},
		{"theme, any case, with #", forum.GoodPracticeFilter{ForumID: f, Tag: "#INCLUSION"}, []forum.ID{tor.ID, bh.ID}},
		{"theme and question", forum.GoodPracticeFilter{ForumID: f, Tag: "inclusion", ThreadID: equity.ID}, []forum.ID{tor.ID}},
		{"nothing matches", forum.GoodPracticeFilter{ForumID: f, Language: "ar"}, nil},
	} {
		got, err := svc.GoodPractices(w.ctx, tc.filter)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var ids []forum.ID
		for _, g := range got.Items {
			ids = append(ids, g.Post.ID)
			if g.Thread == nil || g.Forum == nil || g.Author == nil || g.Thread.ID != g.Post.ThreadID {
				t.Errorf("%s: item %s lacks its question, forum or author: %+v", tc.name, g.Post.ID, g)
			}
		}
		if !equalIDs(ids, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, ids, tc.want)
		}
	}
	page, err := svc.GoodPractices(w.ctx, forum.GoodPracticeFilter{ForumID: f, City: "Toronto"})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 3 || len(page.Threads) != 2 || !equalStrings(page.Cities, []string{"Barcelona Metropolitan Area", "Belo Horizonte", "Toronto"}) ||
		!equalStrings(page.Languages, []string{"en", "es", "pt"}) || !equalStrings(page.Tags, []string{"inclusion", "opendata"}) {
		t.Errorf("menus: total %d, %d threads, cities %v, languages %v, tags %v", page.Total, len(page.Threads), page.Cities, page.Languages, page.Tags)
	}
	counts, err := svc.GoodPracticeCounts(w.ctx, []forum.ID{covid.ID, equity.ID, bikes.ID})
	if err != nil {
		t.Fatal(err)
	}
	if counts[covid.ID] != 2 || counts[equity.ID] != 1 || counts[bikes.ID] != 1 {
		t.Errorf("counts %v", counts)
	}
}

func equalIDs(a, b []forum.ID) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalStrings(a, b []string) bool { return equalIDs(a, b) }
