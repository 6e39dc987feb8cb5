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

// TestCityRefusesHostileReportArticles: a forum on another server that a
// city joined sends report Articles; one too big or missing what the list
// needs is refused with its reason recorded (nothing panics, nothing is
// kept); a good one is kept, a stale Update is ignored, a Delete by
// another actor is refused and the forum's own Delete removes it.
func TestCityRefusesHostileReportArticles(t *testing.T) {
	ctx := context.Background()
	city := startPeer(t, "city", 2)
	srv := startFakeServer(t, "lemmy")
	group := srv.actor(fakeActor{Path: "/c/cities", Type: "Group", Username: "cities", Name: "Cities", KeyID: "#main-key"})
	eve := srv.actor(fakeActor{Path: "/u/eve", Type: "Person", Username: "eve", Name: "Eve", KeyID: "#main-key"})
	srv.put("/c/cities/outbox", `{"@context":"https://www.w3.org/ns/activitystreams","type":"OrderedCollection","id":"`+group+`/outbox","totalItems":0,"orderedItems":[]}`)
	mirror := joinGroup(t, city, srv, group, `{"@context":"https://www.w3.org/ns/activitystreams","id":"{group}/accept/1","type":"Accept",
"actor":"{group}","to":["{instance}"],"object":{"id":"{follow}","type":"Follow","actor":"{instance}","object":"{group}"}}`)

	n := 0
	send := func(actor, typ, object string) string {
		t.Helper()
		n++
		id := srv.url(fmt.Sprintf("/activities/%d", n))
		body := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":%q,"type":%q,"actor":%q,
"to":["https://www.w3.org/ns/activitystreams#Public"],"object":%s}`, id, typ, actor, object)
		if code := srv.send(delivery{KeyID: actor + "#main-key", Inbox: city.URLs.SharedInbox(), Body: body}); code != 202 {
			t.Fatalf("%s answered %d", typ, code)
		}
		return id
	}
	article := func(path, name, content, published, updated string) string {
		doc := fmt.Sprintf(`{"id":%q,"type":"Article","attributedTo":%q,"audience":%q,"url":%q,
"to":["https://www.w3.org/ns/activitystreams#Public"],"content":%q,"contentMap":{"en":%q}`,
			srv.url(path), group, group, srv.url(path), content, content)
		if name != "" {
			doc += fmt.Sprintf(`,"name":%q,"nameMap":{"en":%q}`, name, name)
		}
		if published != "" {
			doc += fmt.Sprintf(`,"published":%q`, published)
		}
		if updated != "" {
			doc += fmt.Sprintf(`,"updated":%q`, updated)
		}
		return doc + "}"
	}
	huge := "<p>" + strings.Repeat("a", report.MaxReceivedContent) + "</p>"
	for _, tc := range []struct{ name, object, reason string }{
		{"huge content", article("/reports/huge", "Huge", huge, "2026-11-20T10:00:00Z", ""), "content in en of"},
		{"no title", article("/reports/untitled", "", "<p>x</p>", "2026-11-20T10:00:00Z", ""), "has no title"},
		{"blank title", article("/reports/blank", "   ", "<p>x</p>", "2026-11-20T10:00:00Z", ""), "has no title"},
		{"no published date", article("/reports/undated", "Undated", "<p>x</p>", "", ""), "has no published date"},
		{"title too long", article("/reports/long", strings.Repeat("t", report.MaxTitleLen+1), "<p>x</p>", "2026-11-20T10:00:00Z", ""), "title in en longer than"},
	} {
		id := send(group, "Create", tc.object)
		testrig.Eventually(t, "the city refuses the report with "+tc.name, func() (bool, string) {
			failed, reason, _ := inboxOutcome(t, city, id)
			return failed && strings.Contains(reason, tc.reason), reason
		})
	}
	if list, err := city.Reports.ListReceived(ctx, mirror.ID); err != nil || len(list) != 0 {
		t.Fatalf("refused reports kept: %v %v", receivedURIList(list), err)
	}

	good := srv.url("/reports/good")
	send(group, "Create", article("/reports/good", "Good report", "<p>What cities did.</p>", "2026-11-20T10:00:00Z", ""))
	cityReport(t, city, mirror.ID, good, "Good report")
	// An Update older than what is kept changes nothing.
	stale := send(group, "Update", article("/reports/good", "Stale title", "<p>x</p>", "2026-11-19T10:00:00Z", ""))
	testrig.Eventually(t, "the stale update is handled", func() (bool, string) {
		failed, reason, _ := inboxOutcome(t, city, stale)
		return !failed && inboxDone(t, city, stale), reason
	})
	cityReport(t, city, mirror.ID, good, "Good report")
	// Eve, on the forum's server, may not delete the forum's report.
	del := send(eve, "Delete", fmt.Sprintf("%q", good))
	testrig.Eventually(t, "the city refuses eve's Delete", func() (bool, string) {
		failed, reason, _ := inboxOutcome(t, city, del)
		return failed && strings.Contains(reason, "cannot delete the report"), reason
	})
	cityReport(t, city, mirror.ID, good, "Good report")
	send(group, "Delete", fmt.Sprintf("%q", good))
	testrig.Eventually(t, "the forum's Delete removes the report", func() (bool, string) {
		list, err := city.Reports.ListReceived(ctx, mirror.ID)
		return err == nil && len(list) == 0, fmt.Sprint(receivedURIList(list), err)
	})
	// A Create redelivered after the Delete does not bring it back.
	late := send(group, "Create", article("/reports/good", "Good report", "<p>What cities did.</p>", "2026-11-20T10:00:00Z", ""))
	testrig.Eventually(t, "the late Create is handled", func() (bool, string) {
		failed, reason, _ := inboxOutcome(t, city, late)
		return !failed && inboxDone(t, city, late), reason
	})
	if list, err := city.Reports.ListReceived(ctx, mirror.ID); err != nil || len(list) != 0 {
		t.Errorf("a deleted report came back: %v %v", receivedURIList(list), err)
	}
}

// inboxDone reports whether the inbox item of an activity was applied.
func inboxDone(t *testing.T, p *peer, activityID string) bool {
	t.Helper()
	var done bool
	err := p.DB.Bun().QueryRowContext(context.Background(),
		"SELECT processed_at IS NOT NULL FROM inbox_items WHERE activity_id = ?", activityID).Scan(&done)
	if err != nil {
		t.Fatal(err)
	}
	return done
}
