package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
)

// TestCityPages: /cities counts each city's members, answers and good
// practices; a city's page lists its members and good practices; the
// directory filters by city, language and role; a member picks a city in
// the profile or adds one, and a refused form keeps the new city typed.
func TestCityPages(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	svc, c := s.rig.Service, s.cast
	th, err := svc.Ask(ctx, c.Admin, c.Forum.ID, forum.Question{Title: "Covid-19 and internet access", Body: "?", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.Reply(ctx, c.BeloHz, th.ID, "", forum.Answer{Body: "Fifty telecentres", Language: "pt"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Reply(ctx, c.BeloHz, th.ID, "", forum.Answer{Body: "Refurbished computers", Language: "pt"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetGoodPractice(ctx, c.Moderator, a.ID, true); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	host := strings.TrimPrefix(s.srv.URL, "http://")
	for _, tc := range []struct {
		name, path string
		want       []string
		notWant    []string
	}{
		{"cities", "/cities", []string{`<a href="/cities/` + c.BeloHz.CityID + `">Belo Horizonte</a></th><td>1</td><td>2</td><td>1</td><td>` + host + `</td>`,
			`<caption>`, `<th scope="col">Good practices</th>`}, nil},
		{"city", "/cities/" + c.BeloHz.CityID, []string{"<h1>Belo Horizonte</h1>", "1 members · 2 answers · 1 good practices", "João Silva</a>, Digital Inclusion Lead", "Fifty telecentres"}, []string{"Refurbished"}},
		{"directory", "/members", []string{"5 members", "João Silva", "Nadia Ould", `<span lang="ar">`}, nil},
		{"directory by city", "/members?city=" + c.BeloHz.CityID, []string{"1 member", "João Silva"}, []string{"Nadia Ould"}},
		{"directory by language", "/members?language=ar", []string{"1 member", "Nadia Ould"}, []string{"João Silva"}},
		{"directory by role", "/members?role=admin", []string{"1 member", "Metropolis Secretariat"}, []string{"João Silva"}},
	} {
		p := b.get(tc.path)
		if p.status != http.StatusOK {
			t.Fatalf("%s: %d", tc.name, p.status)
		}
		mustContain(t, p, tc.want...)
		for _, no := range tc.notWant {
			if strings.Contains(p.body, no) {
				t.Errorf("%s: shows %q", tc.name, no)
			}
		}
		if len(p.body) > 20<<10 {
			t.Errorf("%s: %d bytes, over 20 KB", tc.name, len(p.body))
		}
	}
	if p := b.get("/cities/not-a-city"); p.status != http.StatusNotFound {
		t.Errorf("unknown city: %d", p.status)
	}

	// The profile form offers the known cities; a member adds a new one.
	marta := s.signedIn("marta")
	mustContain(t, marta.get("/u/marta/edit"), `<option selected>Barcelona Metropolitan Area</option>`, `<option>Belo Horizonte</option>`, `<label for="new_city">`)
	// Refused (no name): the new city typed comes back.
	p := marta.post("/u/marta/edit", url.Values{"display_name": {""}, "organisation": {"Belo Horizonte"}, "new_city": {"Área Metropolitana de Barcelona"}, "languages": {"es"}})
	if p.status != http.StatusBadRequest {
		t.Fatalf("refused profile: %d", p.status)
	}
	mustContain(t, p, `value="Área Metropolitana de Barcelona"`)
	if p := marta.post("/u/marta/edit", url.Values{"display_name": {"Marta Puig"}, "organisation": {"Belo Horizonte"}, "new_city": {"  área metropolitana de  barcelona "}, "languages": {"es"}}); p.status != http.StatusSeeOther {
		t.Fatalf("profile: %d", p.status)
	}
	m, err := svc.MemberByUsername(ctx, "marta")
	if err != nil || m.Organisation != "área metropolitana de barcelona" || m.CityID == "" {
		t.Fatalf("marta: %+v %v", m, err)
	}
	// Picking a listed city.
	if p := marta.post("/u/marta/edit", url.Values{"display_name": {"Marta Puig"}, "organisation": {"Toronto"}, "languages": {"es"}}); p.status != http.StatusSeeOther {
		t.Fatalf("profile: %d", p.status)
	}
	if m, _ := svc.MemberByUsername(ctx, "marta"); m.CityID != c.Toronto.CityID {
		t.Errorf("marta's city %s, want Toronto's %s", m.CityID, c.Toronto.CityID)
	}
}
