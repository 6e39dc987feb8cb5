package node_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

// Posts, likes and boosts from microblogging servers (Mastodon,
// GoToSocial) that main dropped or showed wrongly (issue 12, "Their posts
// here"), each in the shape its server sends.

// createOf wraps an object in its author's Create, as Mastodon and
// GoToSocial deliver it.
func createOf(id, actor, object string) string {
	return strings.Replace(fill(`{
  "@context": ["https://www.w3.org/ns/activitystreams", {"ostatus": "http://ostatus.org#", "sensitive": "as:sensitive", "toot": "http://joinmastodon.org/ns#", "votersCount": "toot:votersCount", "blurhash": "toot:blurhash", "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"}}],
  "id": "{id}", "type": "Create", "actor": "{actor}",
  "to": ["https://www.w3.org/ns/activitystreams#Public"],
  "object": OBJECT
}`, "id", id, "actor", actor), "OBJECT", object, 1)
}

// TestInteropMicroblogPosts: on the hub, a GoToSocial reply behind a
// content warning, a Mastodon reply with only an image, a Mastodon poll
// in reply, a GoToSocial question started by mentioning the forum and a
// Mastodon boost of the question are each shown as their author meant.
func TestInteropMicroblogPosts(t *testing.T) {
	ctx := context.Background()
	hub, _, f, asker, _ := joinedCluster(t)
	q, err := hub.Service.Ask(ctx, asker, f.ID, forum.Question{Title: "Broadband for every district?", Body: "How far are you?", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	qURI, forumURI, secretariat := hub.URLs.Thread(q.ID), hub.URLs.Forum(f.Slug), hub.URLs.Member("secretariat")
	gts := startFakeServer(t, "gotosocial")
	kim := gts.actor(fakeActor{Path: "/users/kim", Type: "Person", Username: "kim", Name: "Kim", KeyID: "/main-key"})
	masto := startFakeServer(t, "mastodon")
	alice := masto.actor(fakeActor{Path: "/users/alice", Type: "Person", Username: "alice", Name: "Alice", KeyID: "#main-key",
		Extra: fill(`,"endpoints":{"sharedInbox":"{base}/inbox"}`, "base", masto.base)})
	sendGTS := func(t *testing.T, body string) {
		t.Helper()
		if st := gts.send(delivery{KeyID: kim + "/main-key", Inbox: hub.URLs.SharedInbox(), Body: body, HS2019: true, NoUserAgent: true}); st != http.StatusAccepted {
			t.Fatalf("GoToSocial delivery: %d", st)
		}
	}
	sendMasto := func(t *testing.T, body string) {
		t.Helper()
		if st := masto.send(delivery{KeyID: alice + "#main-key", Inbox: hub.URLs.SharedInbox(), Body: body}); st != http.StatusAccepted {
			t.Fatalf("Mastodon delivery: %d", st)
		}
	}
	arrives := func(t *testing.T, uri string) *forum.Post {
		t.Helper()
		var p *forum.Post
		testrig.Eventually(t, uri+" reaches the hub", func() (bool, string) {
			var err error
			p, err = hub.Service.PostByURI(ctx, uri)
			return err == nil, fmt.Sprint(err)
		})
		return p
	}

	t.Run("GoToSocial reply with a content warning", func(t *testing.T) {
		status := kim + "/statuses/01JDQ3W5Z0CW8R6Y9E2K7M4N1P"
		sendGTS(t, createOf(status+"/activity#Create", kim, fill(`{
    "id": "{status}", "type": "Note", "attributedTo": "{kim}", "inReplyTo": "{q}",
    "url": "{base}/@kim/statuses/01JDQ3W5Z0CW8R6Y9E2K7M4N1P",
    "summary": "Budget figures, long", "sensitive": true,
    "content": "<p>We spent 2 M€ on ducts alone.</p>", "contentMap": {"en": "<p>We spent 2 M€ on ducts alone.</p>"},
    "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": ["{kim}/followers", "{secretariat}"],
    "tag": [{"type": "Mention", "href": "{secretariat}", "name": "@secretariat@{hubhost}"}],
    "attachment": [], "published": "2026-11-30T12:00:00Z",
    "interactionPolicy": {"canLike": {"always": ["https://www.w3.org/ns/activitystreams#Public"], "approvalRequired": []}},
    "replies": {"id": "{status}/replies", "type": "Collection", "first": {"id": "{status}/replies?page=true", "type": "CollectionPage", "next": "{status}/replies?only_other_accounts=false&page=true", "partOf": "{status}/replies", "items": []}}
  }`, "status", status, "kim", kim, "q", qURI, "base", gts.base, "secretariat", secretariat, "hubhost", hub.URLs.Host())))
		arrives(t, status)
		page := threadPage(t, hub, q.ID)
		cw := `<details class="cw"><summary>Content warning: <span lang="en">Budget figures, long</span></summary>`
		mustShow(t, page, cw)
		if i, j := strings.Index(page, cw), strings.Index(page, "We spent 2 M€ on ducts alone."); i < 0 || j < i || !strings.Contains(page[j:], "</details>") {
			t.Errorf("the body is not behind the warning")
		}
	})

	t.Run("Mastodon reply with only an image", func(t *testing.T) {
		status := alice + "/statuses/113512000000000001"
		sendMasto(t, createOf(status+"/activity", alice, fill(`{
    "id": "{status}", "type": "Note", "summary": null, "inReplyTo": "{q}", "published": "2026-11-30T12:10:00Z",
    "url": "{base}/@alice/113512000000000001", "attributedTo": "{alice}",
    "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": ["{alice}/followers", "{secretariat}"],
    "sensitive": false, "atomUri": "{status}", "conversation": "tag:{host},2026-11-30:objectId=1:objectType=Conversation",
    "content": "", "contentMap": {"fr": ""},
    "attachment": [{"type": "Document", "mediaType": "image/jpeg", "url": "{base}/system/media_attachments/files/113/512/original/c0ffee.jpeg",
      "name": "Carte de la couverture fibre 2026", "blurhash": "UBL_:rOpGG-;~qRjWBay", "focalPoint": [0.0, 0.0], "width": 1200, "height": 800}],
    "tag": []
  }`, "status", status, "q", qURI, "base", masto.base, "alice", alice, "secretariat", secretariat, "host", masto.host())))
		arrives(t, status)
		mustShow(t, threadPage(t, hub, q.ID), `<a href="`+masto.url("/system/media_attachments/files/113/512/original/c0ffee.jpeg")+
			`" rel="nofollow noreferrer">Image: <span lang="fr">Carte de la couverture fibre 2026</span></a> <small>(`+masto.host()+`)</small>`)
	})

	t.Run("Mastodon poll in reply", func(t *testing.T) {
		status := alice + "/statuses/113512000000000002"
		sendMasto(t, createOf(status+"/activity", alice, fill(`{
    "id": "{status}", "type": "Question", "summary": null, "inReplyTo": "{q}", "published": "2026-11-30T12:20:00Z",
    "url": "{base}/@alice/113512000000000002", "attributedTo": "{alice}",
    "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": ["{alice}/followers", "{secretariat}"],
    "sensitive": false, "content": "<p>Which did you fund first?</p>", "contentMap": {"en": "<p>Which did you fund first?</p>"},
    "endTime": "2026-12-07T12:20:00Z", "votersCount": 11,
    "oneOf": [
      {"type": "Note", "name": "Ducts", "replies": {"type": "Collection", "totalItems": 4}},
      {"type": "Note", "name": "Fibre to schools", "replies": {"type": "Collection", "totalItems": 7}}
    ],
    "attachment": [], "tag": []
  }`, "status", status, "q", qURI, "base", masto.base, "alice", alice, "secretariat", secretariat)))
		arrives(t, status)
		mustShow(t, threadPage(t, hub, q.ID), "Poll on another server (one choice; vote there):",
			`<li>Ducts <small lang="en">4 votes</small></li>`, `<li>Fibre to schools <small lang="en">7 votes</small></li>`,
			`Closes <time datetime="2026-12-07T12:20:00Z">`)
	})

	t.Run("GoToSocial question mentioning the forum", func(t *testing.T) {
		status := kim + "/statuses/01JDQ4A1B2C3D4E5F6G7H8J9K0"
		sendGTS(t, createOf(status+"/activity#Create", kim, fill(`{
    "id": "{status}", "type": "Note", "attributedTo": "{kim}",
    "url": "{base}/@kim/statuses/01JDQ4A1B2C3D4E5F6G7H8J9K0",
    "content": "<p><span class=\"h-card\"><a href=\"{forum}\" class=\"u-url mention\" rel=\"nofollow noreferrer noopener\" target=\"_blank\">@<span>digitalisation</span></a></span> How do you budget for cloud services?</p>",
    "contentMap": {"en": "<p><span class=\"h-card\"><a href=\"{forum}\" class=\"u-url mention\" rel=\"nofollow noreferrer noopener\" target=\"_blank\">@<span>digitalisation</span></a></span> How do you budget for cloud services?</p>"},
    "sensitive": false,
    "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": ["{kim}/followers", "{forum}"],
    "tag": [{"type": "Mention", "href": "{forum}", "name": "@digitalisation@{hubhost}"}],
    "attachment": [], "published": "2026-11-30T12:30:00Z"
  }`, "status", status, "kim", kim, "base", gts.base, "forum", forumURI, "hubhost", hub.URLs.Host())))
		testrig.Eventually(t, "the question reaches the hub", func() (bool, string) {
			_, err := hub.Service.ThreadByURI(ctx, status)
			return err == nil, fmt.Sprint(err)
		})
		th, err := hub.Service.ThreadByURI(ctx, status)
		if err != nil {
			t.Fatal(err)
		}
		if th.Title != "How do you budget for cloud services?" {
			t.Errorf("title %q, want it without the forum's mention", th.Title)
		}
	})

	t.Run("Mastodon boost of the question", func(t *testing.T) {
		sendMasto(t, fill(`{
  "@context": "https://www.w3.org/ns/activitystreams",
  "id": "{alice}/statuses/113512000000000003/activity", "type": "Announce", "actor": "{alice}",
  "published": "2026-11-30T12:40:00Z",
  "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": ["{secretariat}", "{alice}/followers"],
  "object": "{q}"
}`, "alice", alice, "secretariat", secretariat, "q", qURI))
		testrig.Eventually(t, "the boost is counted", func() (bool, string) {
			p, err := hub.Service.Post(ctx, q.ID)
			return err == nil && p.ShareCount == 1, fmt.Sprint(p, err)
		})
		page := threadPage(t, hub, q.ID)
		answers := strings.Index(page, `id="answers-h"`)
		if i := strings.Index(page, "shared once on Mastodon and elsewhere"); i < 0 || (answers >= 0 && i > answers) {
			t.Errorf("the question's boost is not shown with the question")
		}
		// The page now holds a warning, an image, a poll and a boost: still
		// within the page budget (20 KB), media being links.
		if len(page) > 20<<10 {
			t.Errorf("thread page weighs %d bytes, over 20 KB", len(page))
		}
	})
}

// TestInteropForwardedLike: a GoToSocial user likes an answer written on
// a city node; the Like reaches the city only, which passes it on to the
// hub: the hub's copy counts it too, and neither calls the liker a member.
// Undoing the like takes it back on both.
func TestInteropForwardedLike(t *testing.T) {
	ctx := context.Background()
	hub, city, f, asker, member := joinedCluster(t)
	q, err := hub.Service.Ask(ctx, asker, f.ID, forum.Question{Title: "Digital signatures at city hall?", Body: "Which provider?", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	qURI := hub.URLs.Thread(q.ID)
	var cityThread *forum.Thread
	testrig.Eventually(t, "the question reaches the city", func() (bool, string) {
		cityThread, err = city.threadOn(qURI)
		return err == nil, fmt.Sprint(err)
	})
	a, err := city.Service.Reply(ctx, member, cityThread.ID, "", forum.Answer{Body: "A national one, free for cities.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	aURI := city.URLs.Post(a.ID)
	testrig.Eventually(t, "the answer reaches the hub", func() (bool, string) {
		_, err := hub.Service.PostByURI(ctx, aURI)
		return err == nil, fmt.Sprint(err)
	})
	gts := startFakeServer(t, "gotosocial")
	kim := gts.actor(fakeActor{Path: "/users/kim", Type: "Person", Username: "kim", Name: "Kim", KeyID: "/main-key"})
	like := fill(`{"@context":"https://www.w3.org/ns/activitystreams","id":"{kim}/liked/01JDQ5FAV00000000000000000","type":"Like","actor":"{kim}","object":"{a}"}`,
		"kim", kim, "a", aURI)
	helpful := func(want int) {
		t.Helper()
		testrig.Eventually(t, fmt.Sprintf("helpful=%d on the city and the hub", want), func() (bool, string) {
			c, err1 := city.Service.Post(ctx, a.ID)
			h, err2 := hub.Service.PostByURI(ctx, aURI)
			return err1 == nil && err2 == nil && c.HelpfulCount == want && h.HelpfulCount == want, fmt.Sprint(c, h, err1, err2)
		})
	}
	if st := gts.send(delivery{KeyID: kim + "/main-key", Inbox: city.URLs.SharedInbox(), Body: like, HS2019: true, NoUserAgent: true}); st != http.StatusAccepted {
		t.Fatalf("Like: %d", st)
	}
	helpful(1)
	page := threadPage(t, hub, q.ID)
	mustShow(t, page, "1 person found this helpful")
	if strings.Contains(page, "member found this helpful") {
		t.Error("a remote liker is called a member")
	}
	undo := strings.Replace(fill(`{"@context":"https://www.w3.org/ns/activitystreams","id":"{kim}/liked/01JDQ5FAV00000000000000000/undo","type":"Undo","actor":"{kim}","object":LIKE}`,
		"kim", kim), "LIKE", like, 1)
	if st := gts.send(delivery{KeyID: kim + "/main-key", Inbox: city.URLs.SharedInbox(), Body: undo, HS2019: true, NoUserAgent: true}); st != http.StatusAccepted {
		t.Fatalf("Undo{Like}: %d", st)
	}
	helpful(0)
}
