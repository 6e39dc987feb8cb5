package node_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

// Mbin and PieFed, in the shapes they send (Mbin's JSON snapshots in
// tests/Unit/ActivityPub/Outbox/JsonSnapshots and its factories in
// src/Factory/ActivityPub; PieFed's docs "Posts as ActivityPub Objects" and
// announce_activity_to_followers). Both are FEP-1b12 forums: a city joins
// a magazine (Mbin) or a community (PieFed), which announces each Create.

// joinGroup has city join the Group at groupURI on s and s accept with the
// Accept fixture (placeholders {group}, {instance}, {follow}, {base}).
func joinGroup(t *testing.T, city *peer, s *fakeServer, groupURI, accept string) *forum.Forum {
	t.Helper()
	ctx := context.Background()
	mirror, err := city.Federation.Join(ctx, forum.SystemActor(), groupURI)
	if err != nil {
		t.Fatalf("join %s: %v", groupURI, err)
	}
	var followID string
	testrig.Eventually(t, s.name+" receives the city's Follow", func() (bool, string) {
		for _, fl := range s.receivedAt("", "Follow") {
			if fl["object"] == groupURI {
				followID, _ = fl["id"].(string)
				return true, ""
			}
		}
		return false, "no Follow"
	})
	instance := city.Federation.InstanceActorURI()
	inbox, _ := actorDoc(t, instance)["inbox"].(string)
	body := fill(accept, "group", groupURI, "instance", instance, "follow", followID, "base", s.base)
	if st := s.send(delivery{KeyID: groupURI + "#main-key", Inbox: inbox, Body: body}); st != http.StatusAccepted {
		t.Fatalf("Accept: %d", st)
	}
	testrig.Eventually(t, "the city's follow is accepted", func() (bool, string) {
		j, err := city.Federation.Joined(ctx)
		return err == nil && len(j) == 1 && j[0].State == "accepted", fmt.Sprint(j, err)
	})
	return mirror
}

// announce sends a Group's Announce to the city and waits until uri is a
// post there.
func announce(t *testing.T, city *peer, s *fakeServer, groupURI, body, uri string) *forum.Post {
	t.Helper()
	ctx := context.Background()
	if st := s.send(delivery{KeyID: groupURI + "#main-key", Inbox: city.URLs.SharedInbox(), Body: body}); st != http.StatusAccepted {
		t.Fatalf("Announce of %s: %d", uri, st)
	}
	var p *forum.Post
	testrig.Eventually(t, uri+" arrives", func() (bool, string) {
		var err error
		p, err = city.Service.PostByURI(ctx, uri)
		return err == nil, fmt.Sprint(err)
	})
	return p
}

// TestFixtureMbin: a city joins an Mbin magazine. Its threads (Page, with
// Mbin's "title #tags" summary, no Lemmy language, a context that names
// only Mbin's own /contexts document) become questions; a comment (Note
// with cc the magazine) becomes an answer; a link thread without a body
// (content null, source the link as a string, a Link attachment) becomes a
// question showing the link.
func TestFixtureMbin(t *testing.T) {
	ctx := context.Background()
	city := startPeer(t, "city", 2)
	mbin := startFakeServer(t, "mbin")
	magazine := mbin.actor(fakeActor{Path: "/m/digital", Type: "Group", Username: "digital", Name: "Digital cities", KeyID: "#main-key",
		Extra: fill(`,"featured":"{m}/pinned","url":"{m}","summary":"<p>Smart, open, fair.</p>","source":{"content":"Smart, open, fair.","mediaType":"text/markdown"},
"sensitive":false,"attributedTo":"{m}/moderators","postingRestrictedToMods":false,"endpoints":{"sharedInbox":"{base}/f/inbox"},
"published":"2024-01-10T09:00:00+00:00","updated":"2026-11-01T09:00:00+00:00"`, "m", mbin.url("/m/digital"), "base", mbin.base)})
	kasia := mbin.actor(fakeActor{Path: "/u/kasia", Type: "Person", Username: "kasia", Name: "Kasia", KeyID: "#main-key",
		Extra: fill(`,"endpoints":{"sharedInbox":"{base}/f/inbox"},"published":"2024-02-01T09:00:00+00:00"`, "base", mbin.base)})
	mbin.put("/m/digital/outbox", `{}`) // Mbin: "technically exists, but just returns an empty JSON object"
	mirror := joinGroup(t, city, mbin, magazine, `{
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1", "{base}/contexts"],
  "id": "{base}/f/object/8d0e7c2a-77f4-4a5e-9c51-0b6f3d2e1a90",
  "type": "Accept",
  "actor": "{group}",
  "object": {"id": "{follow}", "type": "Follow", "actor": "{instance}", "object": "{group}", "to": ["{group}"]},
  "to": ["{instance}"]
}`)

	entry := mbin.url("/m/digital/t/12")
	thread := announce(t, city, mbin, magazine, fill(`{
  "@context": ["{base}/contexts"],
  "id": "{base}/f/object/3c4b8a61-1f0e-4f4d-8a39-5b2f0c9d7e11",
  "type": "Announce",
  "actor": "{m}",
  "object": {
    "id": "{base}/f/object/0a9f2d4e-5b6c-4d7e-8f90-1a2b3c4d5e6f",
    "type": "Create",
    "actor": "{kasia}",
    "published": "2026-11-20T10:00:00+00:00",
    "to": ["{m}", "https://www.w3.org/ns/activitystreams#Public"],
    "cc": ["{kasia}/followers"],
    "object": {
      "id": "{entry}",
      "type": "Page",
      "attributedTo": "{kasia}",
      "inReplyTo": null,
      "to": ["{m}", "https://www.w3.org/ns/activitystreams#Public"],
      "cc": ["{kasia}/followers"],
      "name": "Cyfrowy dowód w gminie?",
      "audience": "{m}",
      "content": "<p>Jak to wdrożyliście?</p>\n",
      "summary": "Cyfrowy dowód w gminie? #digitalid",
      "mediaType": "text/html",
      "source": {"content": "Jak to wdrożyliście?", "mediaType": "text/markdown"},
      "tag": [{"type": "Hashtag", "href": "{base}/tag/digitalid", "name": "#digitalid"}],
      "commentsEnabled": true,
      "sensitive": false,
      "stickied": false,
      "published": "2026-11-20T10:00:00+00:00",
      "contentMap": {"pl": "<p>Jak to wdrożyliście?</p>\n"}
    },
    "audience": "{m}"
  },
  "to": ["https://www.w3.org/ns/activitystreams#Public"],
  "cc": ["{m}/followers", "{kasia}/followers"],
  "published": "2026-11-20T10:00:01+00:00",
  "audience": "{m}"
}`, "base", mbin.base, "m", magazine, "kasia", kasia, "entry", entry), entry)
	th, err := city.Service.Thread(ctx, thread.ThreadID)
	if err != nil {
		t.Fatal(err)
	}
	if th.ForumID != mirror.ID {
		t.Errorf("thread in forum %s, want the mirror %s", th.ForumID, mirror.ID)
	}

	comment := mbin.url("/m/digital/t/12/-/comment/34")
	announce(t, city, mbin, magazine, fill(`{
  "@context": ["https://www.w3.org/ns/activitystreams", "{base}/contexts"],
  "id": "{base}/f/object/77e0c1d2-3b4a-4c5d-9e6f-708192a3b4c5",
  "type": "Announce",
  "actor": "{m}",
  "object": {
    "id": "{base}/f/object/1b2c3d4e-5f60-4718-a9b0-c1d2e3f4a5b6",
    "type": "Create",
    "actor": "{kasia}",
    "published": "2026-11-20T11:00:00+00:00",
    "to": ["https://www.w3.org/ns/activitystreams#Public", "{kasia}"],
    "cc": ["{m}", "{kasia}/followers"],
    "object": {
      "id": "{comment}",
      "type": "Note",
      "attributedTo": "{kasia}",
      "inReplyTo": "{entry}",
      "to": ["https://www.w3.org/ns/activitystreams#Public", "{kasia}"],
      "cc": ["{m}", "{kasia}/followers"],
      "audience": "{m}",
      "sensitive": false,
      "content": "<p>Najpierw pilotaż w jednej dzielnicy. #digitalid</p>\n",
      "mediaType": "text/html",
      "source": {"content": "Najpierw pilotaż w jednej dzielnicy. #digitalid", "mediaType": "text/markdown"},
      "url": "{comment}",
      "tag": [{"type": "Hashtag", "href": "{base}/tag/digitalid", "name": "#digitalid"}],
      "published": "2026-11-20T11:00:00+00:00",
      "contentMap": {"pl": "<p>Najpierw pilotaż w jednej dzielnicy. #digitalid</p>\n"}
    },
    "audience": "{m}"
  },
  "to": ["https://www.w3.org/ns/activitystreams#Public"],
  "cc": ["{m}", "{kasia}/followers"],
  "published": "2026-11-20T11:00:01+00:00",
  "audience": "{m}"
}`, "base", mbin.base, "m", magazine, "kasia", kasia, "entry", entry, "comment", comment), comment)

	view := city.mustView(t, th.ID)
	want := "Cyfrowy dowód w gminie? | locked=false\n" +
		"kasia@" + mbin.host() + " <p>Jak to wdrożyliście?</p> [pl] helpful=0\n" +
		"kasia@" + mbin.host() + " <p>Najpierw pilotaż w jednej dzielnicy. #digitalid</p> [pl] helpful=0\n"
	if view != want {
		t.Errorf("city shows:\n%s\nwant:\n%s", view, want)
	}

	// A link thread: no body, the link as source and attachment.
	link := mbin.url("/m/digital/t/13")
	linked := announce(t, city, mbin, magazine, fill(`{
  "@context": ["{base}/contexts"],
  "id": "{base}/f/object/c0ffee00-1111-4222-8333-944455556666",
  "type": "Announce",
  "actor": "{m}",
  "object": {
    "id": "{base}/f/object/c0ffee00-7777-4888-9999-aaaabbbbcccc",
    "type": "Create",
    "actor": "{kasia}",
    "published": "2026-11-21T09:00:00+00:00",
    "to": ["{m}", "https://www.w3.org/ns/activitystreams#Public"],
    "cc": ["{kasia}/followers"],
    "object": {
      "id": "{link}",
      "type": "Page",
      "attributedTo": "{kasia}",
      "inReplyTo": null,
      "to": ["{m}", "https://www.w3.org/ns/activitystreams#Public"],
      "cc": ["{kasia}/followers"],
      "name": "EU report on digital identity",
      "audience": "{m}",
      "content": null,
      "summary": "EU report on digital identity #digitalid",
      "mediaType": "text/html",
      "source": "https://europa.example/reports/eid?lang=en&v=2",
      "url": "https://europa.example/reports/eid?lang=en&v=2",
      "attachment": [{"href": "https://europa.example/reports/eid?lang=en&v=2", "type": "Link"}],
      "tag": [{"type": "Hashtag", "href": "{base}/tag/digitalid", "name": "#digitalid"}],
      "commentsEnabled": true,
      "sensitive": false,
      "stickied": false,
      "published": "2026-11-21T09:00:00+00:00",
      "contentMap": {"en": null}
    },
    "audience": "{m}"
  },
  "to": ["https://www.w3.org/ns/activitystreams#Public"],
  "cc": ["{m}/followers", "{kasia}/followers"],
  "published": "2026-11-21T09:00:01+00:00",
  "audience": "{m}"
}`, "base", mbin.base, "m", magazine, "kasia", kasia, "link", link), link)
	want = "EU report on digital identity | locked=false\n" +
		"kasia@" + mbin.host() + ` <p><a href="https://europa.example/reports/eid?lang=en&amp;v=2" rel="nofollow noreferrer">https://europa.example/reports/eid?lang=en&amp;v=2</a></p> [en] helpful=0` + "\n"
	if view := city.mustView(t, linked.ThreadID); view != want {
		t.Errorf("city shows the link thread as:\n%s\nwant:\n%s", view, want)
	}
}

// TestFixturePieFed: a city joins a PieFed community (Lemmy-compatible:
// Lemmy's Accept, language objects, announce ids /activities/announce/…).
// A discussion post (with PieFed's replies: [] and Hashtag tags) becomes a
// question, a comment (distinguished, cc the community) an answer, and a
// video post whose content is empty shows its link.
func TestFixturePieFed(t *testing.T) {
	city := startPeer(t, "city", 2)
	pf := startFakeServer(t, "piefed")
	community := pf.actor(fakeActor{Path: "/c/digital", Type: "Group", Username: "digital", Name: "Digital cities", KeyID: "#main-key",
		Extra: fill(`,"featured":"{c}/featured","moderators":"{c}/moderators","attributedTo":"{c}/moderators","postingRestrictedToMods":false,
"summary":"<p>Smart, open, fair.</p>\n","source":{"content":"Smart, open, fair.","mediaType":"text/markdown"},"sensitive":false,"newModsWanted":false,
"privateMods":false,"restrictedToMods":false,"endpoints":{"sharedInbox":"{base}/inbox"},"published":"2024-03-01T09:00:00.000000+00:00",
"language":[{"identifier":"en","name":"English"}]`, "c", pf.url("/c/digital"), "base", pf.base)})
	jolly := pf.actor(fakeActor{Path: "/u/jolly", Type: "Person", Username: "jolly", Name: "Jolly", KeyID: "#main-key",
		Extra: fill(`,"endpoints":{"sharedInbox":"{base}/inbox"},"published":"2024-03-02T09:00:00.000000+00:00","matrixUserId":""`, "base", pf.base)})
	pf.put("/c/digital/outbox", fill(`{"@context":["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1"],"id":"{c}/outbox","type":"OrderedCollection","totalItems":0,"orderedItems":[]}`, "c", community))
	joinGroup(t, city, pf, community, `{
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
  "actor": "{group}",
  "to": ["{instance}"],
  "object": {"actor": "{instance}", "to": ["{group}"], "object": "{group}", "type": "Follow", "id": "{follow}"},
  "type": "Accept",
  "id": "{base}/activities/accept/Hq7Tz0pL3aW9cXe2RbN5mYk1Vs8Ud4Gf"
}`)

	post := pf.url("/post/79757")
	question := announce(t, city, pf, community, fill(`{
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
  "actor": "{c}",
  "to": ["https://www.w3.org/ns/activitystreams#Public"],
  "object": {
    "id": "{base}/activities/create/xT3mQ9bV1nR7kLp",
    "type": "Create",
    "actor": "{jolly}",
    "audience": "{c}",
    "to": ["https://www.w3.org/ns/activitystreams#Public"],
    "cc": ["{c}"],
    "object": {
      "attachment": [],
      "attributedTo": "{jolly}",
      "audience": "{c}",
      "cc": [],
      "commentsEnabled": true,
      "content": "<p>How did you roll out digital ID?</p>\n",
      "id": "{post}",
      "language": {"identifier": "en", "name": "English"},
      "mediaType": "text/html",
      "name": "Digital ID rollout",
      "published": "2026-11-20T22:18:50.230305+00:00",
      "replies": [],
      "sensitive": false,
      "source": {"content": "How did you roll out digital ID?", "mediaType": "text/markdown"},
      "stickied": false,
      "tag": [{"href": "{base}/tag/digitalid", "name": "#digitalid", "type": "Hashtag"}],
      "to": ["{c}", "https://www.w3.org/ns/activitystreams#Public"],
      "type": "Page"
    }
  },
  "cc": ["{c}/followers"],
  "type": "Announce",
  "id": "{base}/activities/announce/pQ8sW2eR6tY0uIo"
}`, "base", pf.base, "c", community, "jolly", jolly, "post", post), post)

	reply := pf.url("/comment/4242")
	announce(t, city, pf, community, fill(`{
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
  "actor": "{c}",
  "to": ["https://www.w3.org/ns/activitystreams#Public"],
  "object": {
    "id": "{base}/activities/create/aZ9xC8vB7nM6lK5",
    "type": "Create",
    "actor": "{jolly}",
    "audience": "{c}",
    "to": ["https://www.w3.org/ns/activitystreams#Public", "{jolly}"],
    "cc": ["{c}", "{jolly}/followers"],
    "object": {
      "attributedTo": "{jolly}",
      "audience": "{c}",
      "cc": ["{c}", "{jolly}/followers"],
      "content": "<p>In phases, <strong>library by library</strong>.</p>\n",
      "distinguished": false,
      "id": "{reply}",
      "inReplyTo": "{post}",
      "language": {"identifier": "en", "name": "English"},
      "mediaType": "text/html",
      "published": "2026-11-20T23:01:02.000001+00:00",
      "source": {"content": "In phases, **library by library**.", "mediaType": "text/markdown"},
      "tag": [],
      "to": ["https://www.w3.org/ns/activitystreams#Public", "{jolly}"],
      "type": "Note"
    }
  },
  "cc": ["{c}/followers"],
  "type": "Announce",
  "id": "{base}/activities/announce/mN4bV5cX6zL7kJ8"
}`, "base", pf.base, "c", community, "jolly", jolly, "post", post, "reply", reply), reply)
	view := city.mustView(t, question.ThreadID)
	want := "Digital ID rollout | locked=false\n" +
		"jolly@" + pf.host() + " <p>How did you roll out digital ID?</p> [en] helpful=0\n" +
		"jolly@" + pf.host() + " <p>In phases, <strong>library by library</strong>.</p> [en] helpful=0\n"
	if view != want {
		t.Errorf("city shows:\n%s\nwant:\n%s", view, want)
	}

	video := pf.url("/post/276328")
	v := announce(t, city, pf, community, fill(`{
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
  "actor": "{c}",
  "to": ["https://www.w3.org/ns/activitystreams#Public"],
  "object": {
    "id": "{base}/activities/create/vD3fG4hJ5kL6mN7",
    "type": "Create",
    "actor": "{jolly}",
    "audience": "{c}",
    "to": ["https://www.w3.org/ns/activitystreams#Public"],
    "cc": ["{c}"],
    "object": {
      "attachment": [{"href": "https://files.example/council-meeting.mp4", "type": "Link"}],
      "attributedTo": "{jolly}",
      "audience": "{c}",
      "cc": [],
      "commentsEnabled": true,
      "content": "",
      "id": "{video}",
      "image": {"type": "Image", "url": "https://files.example/council-meeting.mp4"},
      "language": {"identifier": "en", "name": "English"},
      "mediaType": "text/html",
      "name": "Council meeting on digital ID",
      "published": "2026-11-21T00:03:41.660107+00:00",
      "replies": [],
      "sensitive": false,
      "source": {"content": "", "mediaType": "text/markdown"},
      "stickied": false,
      "tag": [],
      "to": ["{c}", "https://www.w3.org/ns/activitystreams#Public"],
      "type": "Page"
    }
  },
  "cc": ["{c}/followers"],
  "type": "Announce",
  "id": "{base}/activities/announce/rT5yU6iO7pA8sD9"
}`, "base", pf.base, "c", community, "jolly", jolly, "video", video), video)
	want = "Council meeting on digital ID | locked=false\n" +
		"jolly@" + pf.host() + ` <p><a href="https://files.example/council-meeting.mp4" rel="nofollow noreferrer">https://files.example/council-meeting.mp4</a></p> [en] helpful=0` + "\n"
	if view := city.mustView(t, v.ThreadID); view != want {
		t.Errorf("city shows the video post as:\n%s\nwant:\n%s", view, want)
	}
}
