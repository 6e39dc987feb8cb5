package node_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/report"
	"github.com/metropolis/agora/testrig"
)

// TestReportAnnouncedAsArticle: publishing a report makes the forum Create
// an Article (id: the report's stable URL, name and content per language)
// for its followers, a Mastodon account included; the same URL serves the
// Article to ActivityPub clients; a draft is neither announced nor served.
func TestReportAnnouncedAsArticle(t *testing.T) {
	ctx := context.Background()
	hub, city, f, asker, _ := joinedCluster(t)
	masto := startMastodon(t)
	forumActor := webfinger(t, hub, "digitalisation@"+hub.URLs.Host())
	follow := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s#follows/forum","type":"Follow","actor":%q,"object":%q}`,
		masto.alice(), masto.alice(), forumActor)
	if st := masto.send(hub.URLs.SharedInbox(), follow); st != http.StatusAccepted {
		t.Fatalf("follow: %d", st)
	}
	testrig.Eventually(t, "Mastodon gets the Accept", func() (bool, string) {
		return masto.got("Accept", forumActor, masto.alice()+"#follows/forum"), "no Accept"
	})
	mod := hub.member(t, "moderator", "Nadia Ould", "Nouakchott", forum.RoleModerator, "fr")
	q := hub.ask(t, asker, f, "Has Covid-19 been the turning point?", "Debate question 3.")
	a := hub.reply(t, asker, q.ID, "Laptops for students in vulnerable areas.")
	if _, err := hub.Service.SetGoodPractice(ctx, mod, a.ID, true); err != nil {
		t.Fatal(err)
	}
	r, err := hub.Reports.Create(ctx, mod, f.ID, report.Input{Language: "en",
		Texts: map[string]report.Text{
			"en": {Title: "Learning Forum on Digitalisation: report", Introduction: "Launched on 17 May."},
			"fr": {Title: "Forum d’apprentissage sur la numérisation : rapport"},
		},
		Questions: []report.Question{{ThreadID: q.ID, Boxes: []forum.ID{a.ID}}}})
	if err != nil {
		t.Fatal(err)
	}
	reportURL := hub.URLs.ForumReport(f.Slug, r.ID)
	if st, _ := getActivity(t, reportURL); st != http.StatusNotFound {
		t.Errorf("a draft's Article was served: %d", st)
	}
	if _, err := hub.Reports.Publish(ctx, mod, r.ID); err != nil {
		t.Fatal(err)
	}
	testrig.Eventually(t, "alice gets the forum's Create{Article}", func() (bool, string) {
		return masto.got("Create", forumActor, reportURL), "no Create of the report"
	})
	st, doc := getActivity(t, reportURL)
	if st != http.StatusOK {
		t.Fatalf("the report's Article: %d", st)
	}
	want := map[string]any{"id": reportURL, "type": "Article", "attributedTo": forumActor, "url": reportURL,
		"name": "Learning Forum on Digitalisation: report", "audience": forumActor}
	for k, v := range want {
		if doc[k] != v {
			t.Errorf("Article %s = %v, want %v", k, doc[k], v)
		}
	}
	if nm, _ := doc["nameMap"].(map[string]any); nm["fr"] != "Forum d’apprentissage sur la numérisation : rapport" || nm["en"] == nil {
		t.Errorf("nameMap = %v", doc["nameMap"])
	}
	cm, _ := doc["contentMap"].(map[string]any)
	if en, _ := cm["en"].(string); !containsAll(en, "Launched on 17 May.", hub.URLs.Thread(q.ID), "/report.pdf?lang=en") {
		t.Errorf("contentMap.en = %q", en)
	}
	// The city (a server follower) got it too, and did not take the
	// Article for a question of the forum.
	testrig.Eventually(t, "the hub has sent what it queued", func() (bool, string) {
		st, err := hub.DB.Store().DeliveryStats(ctx)
		return err == nil && st.Pending == 0, "deliveries pending"
	})
	mirror, err := city.Service.ForumByURI(ctx, hub.URLs.Forum(f.Slug))
	if err != nil {
		t.Fatal(err)
	}
	list, err := city.Service.ListThreads(ctx, mirror.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range list.Threads.Items {
		if th.Title == "Learning Forum on Digitalisation: report" {
			t.Errorf("the city stored the report's Article as a question")
		}
	}
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

// getActivity fetches a URL as an ActivityPub client.
func getActivity(t *testing.T, u string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var doc map[string]any
	_ = json.Unmarshal(body, &doc)
	return resp.StatusCode, doc
}
