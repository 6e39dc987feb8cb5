package node_test

import (
	"context"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
)

// Posts from forum-like servers that main refused or showed incompletely
// (issue 12, "Their posts here"): title-only and summary-only posts, link
// posts whose link is only in url, a magazine's boost of a bare object id,
// PeerTube videos and Mobilizon events. Each fixture is written from the
// server's documentation and source, in the shape it sends.

// mustShow fails for each of wants the page lacks.
func mustShow(t *testing.T, page string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

// simpleGroup serves a Group with an empty outbox on s and has city join
// it (the Group accepts in Lemmy's shape).
func simpleGroup(t *testing.T, city *peer, s *fakeServer, path, username, name string) (group string, mirror *forum.Forum) {
	t.Helper()
	group = s.actor(fakeActor{Path: path, Type: "Group", Username: username, Name: name, KeyID: "#main-key",
		Extra: fill(`,"endpoints":{"sharedInbox":"{base}/inbox"},"published":"2024-01-01T00:00:00Z"`, "base", s.base)})
	s.put(path+"/outbox", fill(`{"@context":"https://www.w3.org/ns/activitystreams","id":"{g}/outbox","type":"OrderedCollection","totalItems":0,"orderedItems":[]}`, "g", group))
	mirror = joinGroup(t, city, s, group, `{
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
  "actor": "{group}",
  "to": ["{instance}"],
  "object": {"actor": "{instance}", "to": ["{group}"], "object": "{group}", "type": "Follow", "id": "{follow}"},
  "type": "Accept",
  "id": "{base}/activities/accept/0f3e2d1c"
}`)
	return group, mirror
}

// TestInteropLemmyTitleOnlyPost: a Lemmy post with a title and nothing
// else (no body, no link) is a question, and a comment under it is its
// answer (on main both were lost: "body is required").
func TestInteropLemmyTitleOnlyPost(t *testing.T) {
	city := startPeer(t, "city", 2)
	lemmy := startFakeServer(t, "lemmy")
	group, _ := simpleGroup(t, city, lemmy, "/c/cities", "cities", "Cities")
	dani := lemmy.actor(fakeActor{Path: "/u/dani", Type: "Person", Username: "dani", Name: "Dani", KeyID: "#main-key"})
	post, comment := lemmy.url("/post/90"), lemmy.url("/comment/91")
	q := announce(t, city, lemmy, group, fill(`{
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
  "id": "{base}/activities/announce/create/a1", "type": "Announce", "actor": "{group}",
  "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": ["{group}/followers"],
  "object": {
    "id": "{base}/activities/create/b1", "type": "Create", "actor": "{dani}",
    "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": ["{group}"], "audience": "{group}",
    "object": {
      "id": "{post}", "type": "Page", "attributedTo": "{dani}",
      "to": ["{group}", "https://www.w3.org/ns/activitystreams#Public"], "cc": [], "audience": "{group}",
      "name": "Who runs a municipal fibre network?",
      "mediaType": "text/html", "sensitive": false, "stickied": false, "commentsEnabled": true,
      "language": {"identifier": "en", "name": "English"},
      "published": "2026-11-25T10:00:00.000000+00:00"
    }
  },
  "audience": "{group}"
}`, "base", lemmy.base, "group", group, "dani", dani, "post", post), post)
	announce(t, city, lemmy, group, fill(`{
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
  "id": "{base}/activities/announce/create/a2", "type": "Announce", "actor": "{group}",
  "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": ["{group}/followers"],
  "object": {
    "id": "{base}/activities/create/b2", "type": "Create", "actor": "{dani}",
    "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": ["{group}", "{dani}"], "audience": "{group}",
    "object": {
      "id": "{comment}", "type": "Note", "attributedTo": "{dani}", "inReplyTo": "{post}",
      "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": ["{group}", "{dani}"], "audience": "{group}",
      "content": "<p>Our city does, since 2019.</p>\n", "mediaType": "text/html",
      "source": {"content": "Our city does, since 2019.", "mediaType": "text/markdown"},
      "language": {"identifier": "en", "name": "English"},
      "published": "2026-11-25T11:00:00.000000+00:00"
    }
  },
  "audience": "{group}"
}`, "base", lemmy.base, "group", group, "dani", dani, "post", post, "comment", comment), comment)
	want := "Who runs a municipal fibre network? | locked=false\n" +
		"dani@" + lemmy.host() + "  [en] helpful=0\n" +
		"dani@" + lemmy.host() + " <p>Our city does, since 2019.</p> [en] helpful=0\n"
	if view := city.mustView(t, q.ThreadID); view != want {
		t.Errorf("city shows:\n%s\nwant:\n%s", view, want)
	}
}

// TestInteropLotideSummaryLinkPost: a link post whose link is only in url
// and whose text is in summary, content null (lotide's and older Lemmy's
// shape): the text is the body, the link a card.
func TestInteropLotideSummaryLinkPost(t *testing.T) {
	city := startPeer(t, "city", 2)
	lotide := startFakeServer(t, "lotide")
	group, _ := simpleGroup(t, city, lotide, "/communities/7", "transit", "Transit")
	ana := lotide.actor(fakeActor{Path: "/users/12", Type: "Person", Username: "ana", Name: "Ana", KeyID: "#main-key"})
	post := lotide.url("/posts/300")
	q := announce(t, city, lotide, group, fill(`{
  "@context": "https://www.w3.org/ns/activitystreams",
  "id": "{g}/posts/300/announce", "type": "Announce", "actor": "{g}",
  "to": "https://www.w3.org/ns/activitystreams#Public", "cc": "{g}/followers",
  "object": {
    "id": "{post}/create", "type": "Create", "actor": "{ana}",
    "to": ["https://www.w3.org/ns/activitystreams#Public", "{g}"],
    "object": {
      "id": "{post}", "type": "Page", "attributedTo": "{ana}",
      "to": ["https://www.w3.org/ns/activitystreams#Public", "{g}"], "cc": "{g}",
      "name": "Night buses report",
      "content": null,
      "summary": "Ridership doubled after the redesign.",
      "url": "https://transit.example/reports/night-buses?y=2026&n=2",
      "published": "2026-11-26T08:00:00Z"
    }
  }
}`, "g", group, "ana", ana, "post", post), post)
	want := "Night buses report | locked=false\n" +
		"ana@" + lotide.host() + " <p>Ridership doubled after the redesign.</p> [und] helpful=0\n"
	if view := city.mustView(t, q.ThreadID); view != want {
		t.Errorf("city shows:\n%s\nwant:\n%s", view, want)
	}
	mustShow(t, threadPage(t, city, q.ThreadID), `<a href="https://transit.example/reports/night-buses?y=2026&amp;n=2" rel="nofollow noreferrer">Open the link</a> <small>(transit.example)</small>`)
}

// TestInteropMbinMagazineBoost: an Mbin magazine announces an entry by
// its bare id (a magazine boost): the entry is fetched from its origin
// and becomes a question in the magazine's mirror. On main: "announce of
// a bare object", refused.
func TestInteropMbinMagazineBoost(t *testing.T) {
	ctx := context.Background()
	city := startPeer(t, "city", 2)
	mbin := startFakeServer(t, "mbin")
	magazine, mirror := simpleGroup(t, city, mbin, "/m/smartcity", "smartcity", "Smart city")
	kasia := mbin.actor(fakeActor{Path: "/u/kasia", Type: "Person", Username: "kasia", Name: "Kasia", KeyID: "#main-key"})
	entry := mbin.url("/m/smartcity/t/40")
	mbin.put("/m/smartcity/t/40", fill(`{
  "@context": ["https://www.w3.org/ns/activitystreams", "{base}/contexts"],
  "id": "{entry}", "type": "Page", "attributedTo": "{kasia}", "inReplyTo": null,
  "to": ["{m}", "https://www.w3.org/ns/activitystreams#Public"], "cc": ["{kasia}/followers"],
  "name": "Open data portals", "audience": "{m}",
  "content": "<p>Which platform do you use?</p>\n", "summary": "Open data portals #opendata", "mediaType": "text/html",
  "source": {"content": "Which platform do you use?", "mediaType": "text/markdown"},
  "tag": [{"type": "Hashtag", "href": "{base}/tag/opendata", "name": "#opendata"}],
  "commentsEnabled": true, "sensitive": false, "stickied": false,
  "published": "2026-11-27T09:00:00+00:00", "contentMap": {"en": "<p>Which platform do you use?</p>\n"}
}`, "base", mbin.base, "entry", entry, "kasia", kasia, "m", magazine))
	p := announce(t, city, mbin, magazine, fill(`{
  "@context": ["https://www.w3.org/ns/activitystreams", "{base}/contexts"],
  "id": "{base}/f/object/5b0c6e7d-boost", "type": "Announce", "actor": "{m}",
  "object": "{entry}",
  "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": ["{m}/followers"],
  "published": "2026-11-27T09:30:00+00:00"
}`, "base", mbin.base, "m", magazine, "entry", entry), entry)
	th, err := city.Service.Thread(ctx, p.ThreadID)
	if err != nil {
		t.Fatal(err)
	}
	if th.ForumID != mirror.ID || th.Title != "Open data portals" {
		t.Errorf("thread %q in forum %s, want %q in the mirror %s", th.Title, th.ForumID, "Open data portals", mirror.ID)
	}
}

// TestInteropPeerTubeVideo: a PeerTube channel (a Group) announces a video
// by its id; the Video becomes a read-only question with a link card to
// the watch page and its thumbnail as a link. On main: "unsupported type".
func TestInteropPeerTubeVideo(t *testing.T) {
	city := startPeer(t, "city", 2)
	pt := startFakeServer(t, "peertube")
	channel, _ := simpleGroup(t, city, pt, "/video-channels/council", "council", "City council")
	account := pt.actor(fakeActor{Path: "/accounts/clerk", Type: "Person", Username: "clerk", Name: "Clerk", KeyID: "#main-key"})
	video := pt.url("/videos/watch/9c9de5e8-0a1b-4bb8-a3e4-1f2e3d4c5b6a")
	pt.put("/videos/watch/9c9de5e8-0a1b-4bb8-a3e4-1f2e3d4c5b6a", fill(`{
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1", {"pt": "https://joinpeertube.org/ns#", "sc": "http://schema.org/", "uuid": "sc:identifier", "commentsEnabled": "pt:commentsEnabled"}],
  "type": "Video", "id": "{video}", "name": "Council session: digital services",
  "duration": "PT3621S", "uuid": "9c9de5e8-0a1b-4bb8-a3e4-1f2e3d4c5b6a",
  "views": 12, "sensitive": false, "waitTranscoding": false, "state": 1, "commentsEnabled": true,
  "published": "2026-11-28T18:00:00.000Z", "updated": "2026-11-28T19:00:00.000Z",
  "mediaType": "text/markdown", "content": "Full session on the digital services plan.",
  "support": null, "subtitleLanguage": [],
  "icon": [{"type": "Image", "url": "{base}/lazy-static/thumbnails/9c9de5e8.jpg", "mediaType": "image/jpeg", "width": 280, "height": 157}],
  "url": [
    {"type": "Link", "mediaType": "text/html", "href": "{base}/w/kT3tqx1Zf8n2"},
    {"type": "Link", "mediaType": "video/mp4", "href": "{base}/static/web-videos/9c9de5e8-720.mp4", "height": 720, "size": 91234567, "fps": 30}
  ],
  "likes": "{video}/likes", "dislikes": "{video}/dislikes", "shares": "{video}/announces", "comments": "{video}/comments",
  "attributedTo": [{"type": "Person", "id": "{account}"}, {"type": "Group", "id": "{channel}"}],
  "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": ["{account}/followers", "{channel}/followers"]
}`, "base", pt.base, "video", video, "account", account, "channel", channel))
	p := announce(t, city, pt, channel, fill(`{
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
  "type": "Announce", "id": "{video}/announces/1", "actor": "{channel}", "object": "{video}",
  "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": ["{channel}/followers"]
}`, "video", video, "channel", channel), video)
	want := "Council session: digital services | locked=false\n" +
		"clerk@" + pt.host() + " Full session on the digital services plan. [und] helpful=0\n"
	if view := city.mustView(t, p.ThreadID); view != want {
		t.Errorf("city shows:\n%s\nwant:\n%s", view, want)
	}
	mustShow(t, threadPage(t, city, p.ThreadID),
		`<a href="`+pt.url("/w/kT3tqx1Zf8n2")+`" rel="nofollow noreferrer">Watch the video</a>`,
		`<a href="`+pt.url("/lazy-static/thumbnails/9c9de5e8.jpg")+`" rel="nofollow noreferrer">Image: no description</a>`)
}

// TestInteropMobilizonEvent: a Mobilizon group announces its event by id;
// the Event becomes a read-only question showing when it starts and ends,
// where, and a link to the event's page. On main: "unsupported type".
func TestInteropMobilizonEvent(t *testing.T) {
	city := startPeer(t, "city", 2)
	mz := startFakeServer(t, "mobilizon")
	group, _ := simpleGroup(t, city, mz, "/@civictech", "civictech", "Civic tech meetups")
	event := mz.url("/events/252d5816-00a3-4a89-a66f-15bf65c33e39")
	mz.put("/events/252d5816-00a3-4a89-a66f-15bf65c33e39", fill(`{
  "@context": ["https://www.w3.org/ns/activitystreams", "{base}/litepub-0.1.jsonld", {"mz": "https://joinmobilizon.org/ns#", "sc": "http://schema.org#", "ical": "http://www.w3.org/2002/12/cal/ical#", "joinMode": {"@id": "mz:joinMode", "@type": "mz:joinModeType"}, "location": {"@id": "sc:location", "@type": "sc:Place"}}],
  "type": "Event", "id": "{event}", "url": "{event}",
  "name": "Open data hack night",
  "content": "<p>Bring a laptop; we map the city's open datasets.</p>",
  "mediaType": "text/html",
  "startTime": "2026-12-10T18:00:00+01:00", "endTime": "2026-12-10T21:00:00+01:00",
  "location": {"type": "Place", "name": "Central Library", "address": {"type": "PostalAddress", "streetAddress": "1 Main Street", "addressLocality": "Lyon", "addressCountry": "France"}},
  "attributedTo": "{group}", "actor": "{group}",
  "joinMode": "free", "ical:status": "CONFIRMED", "repliesModerationOption": "allow_all", "commentsEnabled": true,
  "category": "SCIENCE_AND_TECH", "anonymousParticipationEnabled": false, "draft": false,
  "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": ["{group}/followers"],
  "published": "2026-11-29T10:00:00Z", "updated": "2026-11-29T10:00:00Z",
  "attachment": [{"type": "Document", "mediaType": "image/jpeg", "name": "Banner: people around a table with laptops", "url": "{base}/media/banner.jpg"}]
}`, "base", mz.base, "event", event, "group", group))
	p := announce(t, city, mz, group, fill(`{
  "@context": ["https://www.w3.org/ns/activitystreams", "{base}/litepub-0.1.jsonld"],
  "type": "Announce", "id": "{group}/announces/ev1", "actor": "{group}", "object": "{event}",
  "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": ["{group}/followers"], "published": "2026-11-29T10:00:01Z"
}`, "base", mz.base, "group", group, "event", event), event)
	mustShow(t, threadPage(t, city, p.ThreadID),
		`<h1 lang="und">Open data hack night</h1>`,
		`Starts <time datetime="2026-12-10T17:00:00Z">`,
		`ends <time datetime="2026-12-10T20:00:00Z">`,
		`Central Library`,
		`<a href="`+event+`" rel="nofollow noreferrer">See the event</a>`,
		`<a href="`+mz.url("/media/banner.jpg")+`" rel="nofollow noreferrer">Image: <span lang="und">Banner: people around a table with laptops</span></a>`)
}

// TestInteropNodeBBUpdatedNull: NodeBB sends "updated": null on posts
// never edited, in a category's Announce and in a reply: both are taken.
func TestInteropNodeBBUpdatedNull(t *testing.T) {
	city := startPeer(t, "city", 2)
	nodebb := startFakeServer(t, "nodebb")
	category, _ := simpleGroup(t, city, nodebb, "/category/3", "transport", "Transport")
	julian := nodebb.actor(fakeActor{Path: "/uid/4", Type: "Person", Username: "julian", Name: "Julian", KeyID: "#key"})
	topic, reply := nodebb.url("/post/500"), nodebb.url("/post/501")
	object := func(id, inReplyTo, typ, name, content string) string {
		return strings.NewReplacer("REPLY", inReplyTo, "NAME", name).Replace(fill(`{
      "id": "{id}", "type": "{typ}", "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": ["{julian}/followers", "{cat}"],
      "inReplyTo": REPLY, "published": "2026-11-30T10:00:00.000Z", "updated": null, "url": "{id}",
      "attributedTo": "{julian}", "context": "{base}/topic/70", "audience": "{cat}", "sensitive": false, "summary": null,
      "name": NAME, "content": "{content}", "source": {"content": "{content}", "mediaType": "text/markdown"},
      "tag": [], "attachment": []
    }`, "id", id, "typ", typ, "julian", julian, "cat", category, "base", nodebb.base, "content", content))
	}
	announceOf := func(id, obj string) string {
		return fill(`{
  "@context": "https://www.w3.org/ns/activitystreams",
  "id": "{cat}#activity/announce/{n}", "type": "Announce", "actor": "{cat}",
  "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": ["{cat}/followers"],
  "object": {"id": "{id}#activity/create", "type": "Create", "actor": "{julian}",
    "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": ["{julian}/followers", "{cat}"], "object": OBJ}
}`, "cat", category, "n", id[len(id)-3:], "id", id, "julian", julian)
	}
	q := announce(t, city, nodebb, category, strings.Replace(announceOf(topic, ""), "OBJ", object(topic, "null", "Article", `"Tram timetables"`, "Are yours open data?"), 1), topic)
	announce(t, city, nodebb, category, strings.Replace(announceOf(reply, ""), "OBJ", object(reply, `"`+topic+`"`, "Note", "null", "Ours are, in GTFS."), 1), reply)
	want := "Tram timetables | locked=false\n" +
		"julian@" + nodebb.host() + " Are yours open data? [und] helpful=0\n" +
		"julian@" + nodebb.host() + " Ours are, in GTFS. [und] helpful=0\n"
	if view := city.mustView(t, q.ThreadID); view != want {
		t.Errorf("city shows:\n%s\nwant:\n%s", view, want)
	}
}
