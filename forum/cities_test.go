package forum_test

import (
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/markup"
	"github.com/metropolis/agora/forum/password"
)

// TestMembersPickCities: a member's city is one of the known cities, found
// whatever the case and spacing typed, added when new; a member who names
// none belongs to the node's default city; a remote member's city joins
// the list.
func TestMembersPickCities(t *testing.T) {
	w := newWorld(t)
	svc, err := forum.NewService(forum.Deps{Store: w.rig.DB.Store(), Clock: w.rig.Clock, IDs: forum.NewULIDs(w.rig.Clock, nil),
		Hasher: password.NewFast(), Renderer: markup.New(), DefaultCity: "Barcelona Metropolitan Area"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		username, org, want string
	}{
		{"ana", "  belo   HORIZONTE ", "Belo Horizonte"},
		{"omar", "Nouakchott", "Nouakchott"},
		{"nuria", "", "Barcelona Metropolitan Area"},
		{"sami", "nouakchott", "Nouakchott"},
	} {
		m, err := svc.CreateMember(w.ctx, forum.SystemActor(), forum.NewAccount{Username: tc.username,
			Profile: forum.Profile{DisplayName: tc.username, Organisation: tc.org}}, forum.RoleMember)
		if err != nil {
			t.Fatalf("%s: %v", tc.username, err)
		}
		if m.Organisation != tc.want || m.CityID == "" {
			t.Errorf("%s (typed %q): city %q (%s), want %q", tc.username, tc.org, m.Organisation, m.CityID, tc.want)
		}
	}
	known, err := svc.KnownCities(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range known {
		names = append(names, c.Name)
	}
	// The seeded cast brought Metropolis, Nouakchott, Barcelona, Belo
	// Horizonte and Toronto; the members above added none twice.
	want := []string{"Barcelona Metropolitan Area", "Belo Horizonte", "Metropolis", "Nouakchott", "Toronto"}
	if !equalStrings(names, want) {
		t.Errorf("cities %v, want %v", names, want)
	}
	// A member changes city in their profile.
	m, err := svc.MemberByUsername(w.ctx, "omar")
	if err != nil {
		t.Fatal(err)
	}
	m, err = svc.UpdateProfile(w.ctx, m, m.ID, forum.Profile{DisplayName: "Omar", Organisation: "Harare"})
	if err != nil || m.Organisation != "Harare" {
		t.Fatalf("update: %+v %v", m, err)
	}
	remote, err := svc.SaveRemoteMember(w.ctx, forum.RemoteProfile{URI: "https://seoul.example/u/jin", Username: "jin",
		Domain: "seoul.example", Organisation: "Seoul"})
	if err != nil || remote.Organisation != "Seoul" || remote.CityID == "" {
		t.Fatalf("remote member: %+v %v", remote, err)
	}
}

// TestCitiesListWhatTheyContributed: /cities' numbers are the discussion's:
// members per city, answers that stand, good practices, the nodes its
// members write from; a city without members is not listed.
func TestCitiesListWhatTheyContributed(t *testing.T) {
	w := newWorld(t)
	svc := w.rig.Service
	th := w.ask(t, w.cast.Admin, "Covid-19 and internet access")
	a1 := w.reply(t, w.cast.BeloHz, th, "", "Telecentres")
	w.reply(t, w.cast.BeloHz, th, "", "Refurbished computers")
	gone := w.reply(t, w.cast.BeloHz, th, "", "deleted")
	w.reply(t, w.cast.Toronto, th, "", "Open data")
	if _, err := svc.DeletePost(w.ctx, w.cast.BeloHz, gone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetGoodPractice(w.ctx, w.cast.Moderator, a1.ID, true); err != nil {
		t.Fatal(err)
	}
	remote, err := svc.SaveRemoteMember(w.ctx, forum.RemoteProfile{URI: "https://bh.example/u/lia", Username: "lia",
		Domain: "bh.example", Organisation: "Belo Horizonte"})
	if err != nil {
		t.Fatal(err)
	}
	w.rig.Clock.Advance(time.Minute)
	if _, err := svc.ReceiveAnswer(w.ctx, th, mustPost(t, w, th.RootPostID), forum.RemotePost{URI: "https://bh.example/p/1",
		Author: remote, HTML: "<p>From the city node</p>", Language: "pt", Published: w.rig.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	// A city nobody belongs to any more.
	if _, err := svc.UpdateProfile(w.ctx, w.cast.Toronto, w.cast.Toronto.ID, forum.Profile{DisplayName: "Priya", Organisation: "Toronto Region"}); err != nil {
		t.Fatal(err)
	}
	cities, err := svc.Cities(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]forum.CityStats{}
	for _, c := range cities {
		got[c.Name] = c.CityStats
	}
	for _, tc := range []struct {
		city                   string
		members, answers, good int
		nodes                  []string
	}{
		{"Belo Horizonte", 2, 3, 1, []string{"", "bh.example"}},
		{"Toronto Region", 1, 1, 0, []string{""}},
		{"Barcelona Metropolitan Area", 1, 0, 0, []string{""}},
		{"Metropolis", 1, 0, 0, []string{""}},
		{"Nouakchott", 1, 0, 0, []string{""}},
	} {
		st, ok := got[tc.city]
		if !ok {
			t.Errorf("%s not listed", tc.city)
			continue
		}
		if st.Members != tc.members || st.Answers != tc.answers || st.GoodPractices != tc.good || !equalStrings(st.Nodes, tc.nodes) {
			t.Errorf("%s: %+v, want %d members, %d answers, %d good practices, nodes %q", tc.city, st, tc.members, tc.answers, tc.good, tc.nodes)
		}
	}
	if _, ok := got["Toronto"]; ok || len(got) != 5 {
		t.Errorf("cities listed: %v", got)
	}
	page, err := svc.CityPage(w.ctx, w.cast.BeloHz.CityID)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Members) != 2 || len(page.GoodPractices) != 1 || page.GoodPractices[0].Post.ID != a1.ID {
		t.Errorf("city page: %d members, good practices %+v", len(page.Members), page.GoodPractices)
	}
	// The directory: local members and the remote author, filtered.
	for _, tc := range []struct {
		name   string
		filter forum.DirectoryFilter
		want   []string
	}{
		{"all", forum.DirectoryFilter{}, []string{"João Silva", "lia", "Marta Puig", "Metropolis Secretariat", "Nadia Ould", "Priya"}},
		{"city", forum.DirectoryFilter{CityID: w.cast.BeloHz.CityID}, []string{"João Silva", "lia"}},
		{"language", forum.DirectoryFilter{Language: "ar"}, []string{"Nadia Ould"}},
		{"role", forum.DirectoryFilter{Role: forum.RoleModerator}, []string{"Nadia Ould"}},
	} {
		d, err := svc.Directory(w.ctx, tc.filter)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, m := range d.Members {
			names = append(names, m.DisplayName)
		}
		if !equalStrings(names, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, names, tc.want)
		}
	}
}

func mustPost(t *testing.T, w *world, id forum.ID) *forum.Post {
	t.Helper()
	p, err := w.rig.Service.Post(w.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
