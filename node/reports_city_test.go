package node_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/report"
	"github.com/metropolis/agora/testrig"
	"github.com/metropolis/agora/uris"
)

// TestCityKeepsHubReports: a city that joined the hub's forum keeps the
// report the forum publishes (title and summary per language, its URL on
// the hub) and lists it on the mirror's reports page, linking to the hub;
// a correction on the hub reaches the city; an Article attributed to the
// forum but sent by another actor is refused.
func TestCityKeepsHubReports(t *testing.T) {
	ctx := context.Background()
	hub, city, f, asker, _ := joinedCluster(t)
	mod := hub.member(t, "moderator", "Nadia Ould", "Nouakchott", forum.RoleModerator, "fr")
	q := hub.ask(t, asker, f, "Has Covid-19 been the turning point?", "Debate question 3.")
	in := report.Input{Language: "en",
		Texts: map[string]report.Text{
			"en": {Title: "Digitalisation: the report", Introduction: "Launched on 17 May."},
			"es": {Title: "Digitalización: el informe", Introduction: "Lanzado el 17 de mayo."},
		},
		Questions: []report.Question{{ThreadID: q.ID}}}
	r, err := hub.Reports.Create(ctx, mod, f.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hub.Reports.Publish(ctx, mod, r.ID); err != nil {
		t.Fatal(err)
	}
	reportURL := hub.URLs.ForumReport(f.Slug, r.ID)
	mirror, err := city.Service.ForumByURI(ctx, hub.URLs.Forum(f.Slug))
	if err != nil {
		t.Fatal(err)
	}
	got := cityReport(t, city, mirror.ID, reportURL, "Digitalisation: the report")
	if es, lang := got.Title("es"); es != "Digitalización: el informe" || lang != "es" {
		t.Errorf("Spanish title = %q (%s)", es, lang)
	}
	if s, _ := got.Summary("es"); !strings.Contains(s, "Lanzado el 17 de mayo.") {
		t.Errorf("Spanish summary = %q", s)
	}
	if got.URL != reportURL {
		t.Errorf("URL = %q, want %q", got.URL, reportURL)
	}
	// The mirror's page links its reports, which list the hub's report
	// in the reader's language, linking to its page on the hub.
	_, forumPage := pageIn(t, city.URLs.Abs(uris.ForumPath(mirror.Slug)), "es")
	if !strings.Contains(forumPage, `href="`+uris.ForumReportsPath(mirror.Slug)+`"`) {
		t.Errorf("the mirror's page does not link its reports:\n%s", forumPage)
	}
	st, page := pageIn(t, city.URLs.Abs(uris.ForumReportsPath(mirror.Slug)), "es")
	if st != 200 || !containsAll(page, `<a href="`+reportURL+`" lang="es">Digitalización: el informe</a>`,
		`<span lang="es">Lanzado el 17 de mayo.`) {
		t.Errorf("the city's list of the forum's reports (%d) does not show the hub's report in Spanish:\n%s", st, page)
	}
	if _, page := pageIn(t, city.URLs.Abs(uris.ForumReportsPath(mirror.Slug)), "ar"); !strings.Contains(page,
		`<a href="`+reportURL+`" lang="en">Digitalisation: the report</a>`) {
		t.Errorf("a reader in a language the report lacks does not get its original:\n%s", page)
	}

	// The hub corrects the published report: the city shows the new title.
	in.Texts["en"] = report.Text{Title: "Digitalisation: the corrected report", Introduction: "Launched on 17 May 2021."}
	if _, err := hub.Reports.Update(ctx, mod, r.ID, in); err != nil {
		t.Fatal(err)
	}
	got = cityReport(t, city, mirror.ID, reportURL, "Digitalisation: the corrected report")
	if s, _ := got.Summary("en"); !strings.Contains(s, "17 May 2021") {
		t.Errorf("corrected summary = %q", s)
	}

	// Another server's actor claims the forum's report: refused, and the
	// city's copy is unchanged.
	rogue := startFakeServer(t, "mallory")
	eve := rogue.actor(fakeActor{Path: "/users/eve", Type: "Person", Username: "eve", Name: "Eve", KeyID: "#main-key"})
	forumURI := hub.URLs.Forum(f.Slug)
	id := rogue.url("/activities/create-report")
	body := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":%q,"type":"Create","actor":%q,
"to":["https://www.w3.org/ns/activitystreams#Public"],"object":{"id":%q,"type":"Article","attributedTo":%q,"audience":%q,
"name":"Forged report","content":"<p>Forged</p>","published":"2026-11-20T10:00:00Z","to":["https://www.w3.org/ns/activitystreams#Public"]}}`,
		id, eve, rogue.url("/reports/1"), forumURI, forumURI)
	if code := rogue.send(delivery{KeyID: eve + "#main-key", Inbox: city.URLs.Abs(uris.SharedInboxPath()), Body: body}); code != 202 {
		t.Fatalf("rogue Create answered %d", code)
	}
	testrig.Eventually(t, "the city refuses the forged report", func() (bool, string) {
		failed, reason, _ := inboxOutcome(t, city, id)
		return failed && strings.Contains(reason, "attributed to "+forumURI), reason
	})
	list, err := city.Reports.ListReceived(ctx, mirror.ID)
	if err != nil || len(list) != 1 || list[0].URI != reportURL {
		t.Errorf("after the forgery the city lists %v (%v), want only the hub's report", receivedURIList(list), err)
	}
}

// pageIn GETs a page as a reader whose browser asks for lang.
func pageIn(t *testing.T, u, lang string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept-Language", lang)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// cityReport waits until the city keeps the report at uri with the
// English title want, and returns it.
func cityReport(t *testing.T, city *peer, forumID forum.ID, uri, want string) *report.Received {
	t.Helper()
	var got *report.Received
	testrig.Eventually(t, "the city keeps "+want, func() (bool, string) {
		list, err := city.Reports.ListReceived(context.Background(), forumID)
		if err != nil || len(list) != 1 {
			return false, fmt.Sprint(receivedURIList(list), err)
		}
		got = list[0]
		title, _ := got.Title("en")
		return got.URI == uri && title == want, title
	})
	return got
}

func receivedURIList(list []*report.Received) []string {
	var out []string
	for _, r := range list {
		out = append(out, r.URI)
	}
	return out
}
