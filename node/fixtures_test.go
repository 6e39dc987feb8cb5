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

// The fixture tests replay, against running nodes, activities in the exact
// shapes foreign servers send them (written from the public documentation
// of Mastodon, GoToSocial, Lemmy, NodeBB and Discourse), each signed by a
// key whose actor a fake server on loopback serves, and assert what the
// node then shows.

// settled waits until a node has applied everything it received, and
// returns how many received activities it gave up on so far.
func settled(t *testing.T, p *peer) int {
	t.Helper()
	failed := 0
	testrig.Eventually(t, p.name+" applies what it received", func() (bool, string) {
		pending, f, err := p.DB.Store().CountInbox(context.Background())
		failed = f
		return err == nil && pending == 0, fmt.Sprintf("pending %d, err %v", pending, err)
	})
	return failed
}

// lineOf is the first line of a thread view that starts (after its
// indent) with prefix, an author@host and maybe the text.
func lineOf(view, prefix string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix+" ") {
			return l
		}
	}
	return ""
}

// TestFixturesMastodon: a Mastodon account replies to an answer, edits and
// deletes its reply, likes and unlikes an answer, and boosts one, each
// activity in Mastodon's shape; the hub (and the city that joined its
// forum) show the result.
func TestFixturesMastodon(t *testing.T) {
	ctx := context.Background()
	hub, city, f, asker, _ := joinedCluster(t)
	masto := startFakeServer(t, "mastodon")
	alice := masto.actor(fakeActor{Path: "/users/alice", Type: "Person", Username: "alice", Name: "Alice Martin", KeyID: "#main-key",
		Extra: fill(`,"endpoints":{"sharedInbox":"{inbox}"},"featured":"{alice}/collections/featured",
"manuallyApprovesFollowers":false,"discoverable":true,"indexable":true,"published":"2023-05-02T00:00:00Z",
"devices":"{alice}/collections/devices","tag":[],"attachment":[],"icon":{"type":"Image","mediaType":"image/png","url":"{base}/avatars/alice.png"}`,
			"inbox", masto.url("/inbox"), "alice", masto.url("/users/alice"), "base", masto.base)})
	aliceKey := alice + "#main-key"
	aliceAt := "alice@" + masto.host()

	q := hub.ask(t, asker, f, "Digital ID for residents?", "Pros and cons.")
	qURI := hub.URLs.Thread(q.ID)
	local := hub.reply(t, asker, q.ID, "We piloted one in 2025.")
	localURI := hub.URLs.Post(local.ID)
	same(t, "question and answer reach the city", qURI, hub, city)

	statusPath := "/users/alice/statuses/113401245526701234"
	status := masto.url(statusPath)
	// A Mastodon reply to the hub's answer (docs.joinmastodon.org/spec/activitypub):
	// addressed to the author and mentioned accounts, its text in content
	// and contentMap (no "language" property), with atomUri, conversation
	// and a replies collection. The content carries what a hostile or
	// careless server could add: a script and inline style.
	note := func(content, updated string) string {
		return fill(strings.Replace(`{
  "id": "{status}",
  "type": "Note",
  "summary": null,
  "inReplyTo": "{parent}",
  "published": "2026-11-22T13:30:00Z",{updated}
  "url": "{base}/@alice/113401245526701234",
  "attributedTo": "{alice}",
  "to": ["{author}"],
  "cc": ["{alice}/followers", "https://www.w3.org/ns/activitystreams#Public"],
  "sensitive": false,
  "atomUri": "{status}",
  "inReplyToAtomUri": "{parent}",
  "conversation": "tag:{host},2026-11-22:objectId=4410:objectType=Conversation",
  "content": "{content}",
  "contentMap": {"fr": "{content}"},
  "attachment": [],
  "tag": [{"type": "Mention", "href": "{author}", "name": "@secretariat@{hubhost}"}],
  "replies": {
    "id": "{status}/replies",
    "type": "Collection",
    "first": {"type": "CollectionPage", "next": "{status}/replies?only_other_accounts=true&page=true", "partOf": "{status}/replies", "items": []}
  }
}`, "{updated}", updated, 1), "status", status, "parent", localURI, "base", masto.base, "alice", alice, "author", hub.URLs.Member("secretariat"),
			"host", masto.host(), "hubhost", hub.URLs.Host(), "content", content)
	}
	serveNote := func(n string) {
		masto.put(statusPath, `{"@context":["https://www.w3.org/ns/activitystreams",{"ostatus":"http://ostatus.org#","atomUri":"ostatus:atomUri","inReplyToAtomUri":"ostatus:inReplyToAtomUri","conversation":"ostatus:conversation","sensitive":"as:sensitive"}],`+strings.TrimPrefix(n, "{"))
	}
	mention := fmt.Sprintf(`<p><span class="h-card" translate="no"><a href="%s" class="u-url mention">@<span>secretariat</span></a></span> `, hub.URLs.Member("secretariat"))
	first := mention + `Nous l’avons expliqué en réunion publique.<script>alert("x")</script> <span style="color:red">Avec des affiches</span>.</p>`
	edited := mention + `Nous l’avons expliqué en réunion publique, puis en ligne.</p>`
	var replyID forum.ID

	t.Run("Create{Note} reply", func(t *testing.T) {
		n := note(first, "")
		serveNote(n)
		create := fill(`{
  "@context": ["https://www.w3.org/ns/activitystreams", {"ostatus": "http://ostatus.org#", "atomUri": "ostatus:atomUri", "conversation": "ostatus:conversation", "sensitive": "as:sensitive"}],
  "id": "{status}/activity",
  "type": "Create",
  "actor": "{alice}",
  "published": "2026-11-22T13:30:00Z",
  "to": ["{author}"],
  "cc": ["{alice}/followers", "https://www.w3.org/ns/activitystreams#Public"],
  "object": OBJECT
}`, "status", status, "alice", alice, "author", hub.URLs.Member("secretariat"))
		create = strings.Replace(create, "OBJECT", n, 1)
		if st := masto.send(delivery{KeyID: aliceKey, Inbox: hub.URLs.SharedInbox(), Body: create}); st != http.StatusAccepted {
			t.Fatalf("Create: %d", st)
		}
		for _, p := range []*peer{hub, city} {
			testrig.Eventually(t, "the reply reaches "+p.name, func() (bool, string) {
				_, err := p.Service.PostByURI(ctx, status)
				return err == nil, fmt.Sprint(err)
			})
		}
		view := same(t, "hub and city show the reply", qURI, hub, city)
		line := lineOf(view, aliceAt)
		if !strings.HasPrefix(line, "  ") || !strings.Contains(line, "Nous l’avons expliqué en réunion publique.") ||
			!strings.Contains(line, "Avec des affiches") || !strings.HasSuffix(line, "[fr] helpful=0") {
			t.Errorf("reply not nested under the answer, in French:\n%s", view)
		}
		for _, bad := range []string{"<script", "alert(", "style=", "translate="} {
			if strings.Contains(line, bad) {
				t.Errorf("reply kept %q:\n%s", bad, line)
			}
		}
		// The mention keeps Mastodon's shape (h-card, u-url mention): the
		// only classes the sanitizer lets through.
		if want := `<span class="h-card"><a href="` + hub.URLs.Member("secretariat") + `" class="u-url mention" rel="nofollow noreferrer">@<span>secretariat</span></a></span>`; !strings.Contains(line, want) ||
			strings.Count(line, "class=") != 2 {
			t.Errorf("mention not kept as Mastodon wrote it (%s):\n%s", want, line)
		}
		p, err := hub.Service.PostByURI(ctx, status)
		if err != nil {
			t.Fatal(err)
		}
		if p.ParentID != local.ID {
			t.Errorf("reply's parent %s, want the answer %s", p.ParentID, local.ID)
		}
		replyID = p.ID
	})

	t.Run("Update{Note}", func(t *testing.T) {
		if replyID == "" {
			t.Fatal("no reply to work on: the Create subtest failed")
		}
		n := note(edited, "\n  \"updated\": \"2026-11-22T13:45:10Z\",")
		serveNote(n) // the city refetches it from here
		update := fill(`{
  "@context": ["https://www.w3.org/ns/activitystreams", {"ostatus": "http://ostatus.org#", "atomUri": "ostatus:atomUri", "conversation": "ostatus:conversation", "sensitive": "as:sensitive"}],
  "id": "{status}#updates/1795873510",
  "type": "Update",
  "actor": "{alice}",
  "published": "2026-11-22T13:45:10Z",
  "to": ["{author}"],
  "cc": ["{alice}/followers", "https://www.w3.org/ns/activitystreams#Public"],
  "object": OBJECT
}`, "status", status, "alice", alice, "author", hub.URLs.Member("secretariat"))
		update = strings.Replace(update, "OBJECT", n, 1)
		if st := masto.send(delivery{KeyID: aliceKey, Inbox: hub.URLs.SharedInbox(), Body: update}); st != http.StatusAccepted {
			t.Fatalf("Update: %d", st)
		}
		for _, p := range []*peer{hub, city} {
			testrig.Eventually(t, "the edit reaches "+p.name, func() (bool, string) {
				post, err := p.Service.PostByURI(ctx, status)
				return err == nil && strings.Contains(post.HTML, "puis en ligne"), fmt.Sprint(post, err)
			})
			post, err := p.Service.PostByURI(ctx, status)
			if err != nil {
				t.Fatal(err)
			}
			cur, revs, err := p.Service.History(ctx, nil, post.ID)
			if err != nil {
				t.Fatalf("%s: history: %v", p.name, err)
			}
			if cur.EditedAt == nil || len(revs) != 1 || !strings.Contains(revs[0].Source, "en réunion publique.") ||
				strings.Contains(revs[0].Source, "puis en ligne") || revs[0].Language != "fr" {
				t.Errorf("%s: edited %v, history %+v", p.name, cur.EditedAt, revs)
			}
		}
		line := lineOf(same(t, "hub and city show the edit", qURI, hub, city), aliceAt)
		if !strings.Contains(line, "puis en ligne") || strings.Contains(line, "affiches") {
			t.Errorf("edit not shown: %s", line)
		}
	})

	t.Run("Delete{Tombstone}", func(t *testing.T) {
		if replyID == "" {
			t.Fatal("no reply to work on: the Create subtest failed")
		}
		// Mastodon answers 410 for a deleted status before it sends the
		// Delete; the city, receiving the Delete through the hub, accepts
		// it only because the origin says the note is gone.
		masto.drop(statusPath)
		del := fill(`{
  "@context": ["https://www.w3.org/ns/activitystreams", {"ostatus": "http://ostatus.org#", "atomUri": "ostatus:atomUri"}],
  "id": "{status}#delete",
  "type": "Delete",
  "actor": "{alice}",
  "to": ["https://www.w3.org/ns/activitystreams#Public"],
  "object": {"id": "{status}", "type": "Tombstone", "atomUri": "{status}"},
  "signature": {"type": "RsaSignature2017", "creator": "{alice}#main-key", "created": "2026-11-22T14:00:00Z", "signatureValue": "bm90IGNoZWNrZWQ="}
}`, "status", status, "alice", alice)
		if st := masto.send(delivery{KeyID: aliceKey, Inbox: hub.URLs.SharedInbox(), Body: del}); st != http.StatusAccepted {
			t.Fatalf("Delete: %d", st)
		}
		for _, p := range []*peer{hub, city} {
			testrig.Eventually(t, "the delete reaches "+p.name, func() (bool, string) {
				post, err := p.Service.PostByURI(ctx, status)
				return err == nil && post.Deleted(), fmt.Sprint(post, err)
			})
		}
		view := same(t, "hub and city show the tombstone", qURI, hub, city)
		if line := lineOf(view, aliceAt); !strings.Contains(line, "[deleted]") || strings.Contains(line, "en ligne") {
			t.Errorf("no tombstone:\n%s", view)
		}
	})

	t.Run("Like and Undo{Like}", func(t *testing.T) {
		like := fill(`{"@context":"https://www.w3.org/ns/activitystreams","id":"{alice}#likes/4471","type":"Like","actor":"{alice}","object":"{answer}"}`,
			"alice", alice, "answer", localURI)
		helpful := func(want int) {
			t.Helper()
			testrig.Eventually(t, fmt.Sprintf("helpful %d on the hub", want), func() (bool, string) {
				p, err := hub.Service.Post(ctx, local.ID)
				return err == nil && p.HelpfulCount == want, fmt.Sprint(p, err)
			})
			testrig.Eventually(t, fmt.Sprintf("helpful %d on the city", want), func() (bool, string) {
				p, err := city.Service.PostByURI(ctx, localURI)
				return err == nil && p.HelpfulCount == want, fmt.Sprint(p, err)
			})
			view := same(t, "hub and city agree", qURI, hub, city)
			if line := lineOf(view, "secretariat@"+hub.URLs.Host()+" <p>We piloted one in 2025.</p>"); !strings.HasSuffix(line, fmt.Sprintf("helpful=%d", want)) {
				t.Errorf("want helpful=%d:\n%s", want, view)
			}
		}
		if st := masto.send(delivery{KeyID: aliceKey, Inbox: hub.URLs.SharedInbox(), Body: like}); st != http.StatusAccepted {
			t.Fatalf("Like: %d", st)
		}
		helpful(1)
		undo := fill(`{"@context":"https://www.w3.org/ns/activitystreams","id":"{alice}#likes/4471/undo","type":"Undo","actor":"{alice}","object":LIKE}`,
			"alice", alice)
		undo = strings.Replace(undo, "LIKE", like, 1)
		if st := masto.send(delivery{KeyID: aliceKey, Inbox: hub.URLs.SharedInbox(), Body: undo}); st != http.StatusAccepted {
			t.Fatalf("Undo{Like}: %d", st)
		}
		helpful(0)
	})

	t.Run("Announce (boost)", func(t *testing.T) {
		failedBefore := settled(t, hub)
		th, err := hub.threadOn(qURI)
		if err != nil {
			t.Fatal(err)
		}
		before := hub.mustView(t, th.ID)
		boost := fill(`{
  "@context": "https://www.w3.org/ns/activitystreams",
  "id": "{alice}/statuses/113401300000000001/activity",
  "type": "Announce",
  "actor": "{alice}",
  "published": "2026-11-22T14:10:00Z",
  "to": ["https://www.w3.org/ns/activitystreams#Public"],
  "cc": ["{author}", "{alice}/followers"],
  "object": "{answer}"
}`, "alice", alice, "author", hub.URLs.Member("secretariat"), "answer", localURI)
		if st := masto.send(delivery{KeyID: aliceKey, Inbox: hub.URLs.SharedInbox(), Body: boost}); st != http.StatusAccepted {
			t.Fatalf("Announce: %d", st)
		}
		if failed := settled(t, hub); failed != failedBefore {
			t.Errorf("the boost was refused (failed inbox items %d → %d): it should be taken and ignored", failedBefore, failed)
		}
		if after := hub.mustView(t, th.ID); after != before {
			t.Errorf("a boost changed the thread:\nbefore:\n%s\nafter:\n%s", before, after)
		}
	})
}

// TestFixtureGoToSocialFollow: GoToSocial follows a forum with a key id
// ending in /main-key, names the algorithm hs2019 and sends no User-Agent.
func TestFixtureGoToSocialFollow(t *testing.T) {
	ctx := context.Background()
	hub := startPeer(t, "hub", 1)
	f := hub.forum(t, "mobility", "Urban mobility")
	forumURI := hub.URLs.Forum(f.Slug)
	forumInbox, _ := actorDoc(t, forumURI)["inbox"].(string)
	if forumInbox == "" {
		t.Fatal("the forum actor has no inbox")
	}
	gts := startFakeServer(t, "gotosocial")
	// GoToSocial's actor: the key lives at <actor>/main-key, no shared inbox.
	bob := gts.actor(fakeActor{Path: "/users/bob", Type: "Person", Username: "bob", Name: "Bob", KeyID: "/main-key",
		Extra: fill(`,"featured":"{bob}/collections/featured","manuallyApprovesFollowers":false,"discoverable":true,
"published":"2024-01-15T09:00:00Z","summary":"<p>Cycling in Lisbon.</p>","attachment":[],"tag":[]`, "bob", gts.url("/users/bob"))})

	// Check the rig: these options really send hs2019 and no User-Agent.
	selfTest := delivery{KeyID: bob + "/main-key", Inbox: gts.url("/selftest/inbox"), Body: `{"type":"Ping"}`, HS2019: true, NoUserAgent: true}
	if st := gts.send(selfTest); st != http.StatusAccepted {
		t.Fatalf("self test: %d", st)
	}
	gts.mu.Lock()
	self := gts.received[len(gts.received)-1]
	gts.mu.Unlock()
	if len(self.userAgent) != 0 || !strings.Contains(self.signature, `algorithm="hs2019"`) || !strings.Contains(self.signature, `keyId="`+bob+`/main-key"`) {
		t.Fatalf("rig: User-Agent %q, Signature %s", self.userAgent, self.signature)
	}

	followID := bob + "/follow/01HZX3M8R2W5B9Q7T4K6J1N0PA"
	follow := fill(`{
  "@context": "https://www.w3.org/ns/activitystreams",
  "actor": "{bob}",
  "id": "{follow}",
  "object": "{forum}",
  "to": "{forum}",
  "type": "Follow"
}`, "bob", bob, "follow", followID, "forum", forumURI)
	if st := gts.send(delivery{KeyID: bob + "/main-key", Inbox: forumInbox, Body: follow, HS2019: true, NoUserAgent: true}); st != http.StatusAccepted {
		t.Fatalf("Follow: %d, want 202", st)
	}
	testrig.Eventually(t, "the forum records its follower", func() (bool, string) {
		n, err := hub.DB.Store().CountFollowers(ctx, forumURI)
		return err == nil && n == 1, fmt.Sprint(n, err)
	})
	testrig.Eventually(t, "GoToSocial receives the Accept in bob's inbox", func() (bool, string) {
		for _, a := range gts.receivedAt("/users/bob/inbox", "Accept") {
			if o, _ := a["object"].(map[string]any); a["actor"] == forumURI && o["id"] == followID {
				return true, ""
			}
		}
		return false, "no Accept"
	})
}

// TestFixtureLemmyAnnounceCreatePage: a city joins a Lemmy community (a
// Group on the fake server), which accepts and then announces a new post
// (FEP-1b12 Announce{Create{Page}}, with audience and Lemmy's language):
// the post is a question in the city's mirror of the community.
func TestFixtureLemmyAnnounceCreatePage(t *testing.T) {
	ctx := context.Background()
	city := startPeer(t, "city", 2)
	lemmy := startFakeServer(t, "lemmy")
	lemmyContext := `["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1",
    {"lemmy": "https://join-lemmy.org/ns#", "sc": "http://schema.org/", "sensitive": "as:sensitive",
     "language": "sc:inLanguage", "identifier": "sc:identifier", "stickied": "lemmy:stickied",
     "postingRestrictedToMods": "lemmy:postingRestrictedToMods", "moderators": {"@type": "@id", "@id": "lemmy:moderators"}}]`
	group := lemmy.actor(fakeActor{Path: "/c/bikes", Type: "Group", Username: "bikes", Name: "Bicis urbanas", KeyID: "#main-key",
		Extra: fill(`,"summary":"<p>Carriles bici y movilidad.</p>","source":{"content":"Carriles bici y movilidad.","mediaType":"text/markdown"},
"attributedTo":"{group}/moderators","featured":"{group}/featured","postingRestrictedToMods":false,
"endpoints":{"sharedInbox":"{base}/inbox"},"language":[{"identifier":"es","name":"Español"}],"published":"2023-06-01T10:00:00Z"`,
			"group", lemmy.url("/c/bikes"), "base", lemmy.base)})
	dani := lemmy.actor(fakeActor{Path: "/u/dani", Type: "Person", Username: "dani", Name: "Dani", KeyID: "#main-key",
		Extra: fill(`,"endpoints":{"sharedInbox":"{base}/inbox"},"published":"2023-06-02T10:00:00Z"`, "base", lemmy.base)})
	lemmy.put("/c/bikes/outbox", fill(`{"@context":"https://www.w3.org/ns/activitystreams","id":"{group}/outbox","type":"OrderedCollection","totalItems":0,"first":"{group}/outbox?page=1"}`, "group", group))
	lemmy.put("/c/bikes/outbox?page=1", fill(`{"@context":"https://www.w3.org/ns/activitystreams","id":"{group}/outbox?page=1","type":"OrderedCollectionPage","partOf":"{group}/outbox","orderedItems":[]}`, "group", group))
	lemmy.put("/c/bikes/followers", fill(`{"@context":"https://www.w3.org/ns/activitystreams","id":"{group}/followers","type":"Collection","totalItems":0,"items":[]}`, "group", group))
	lemmy.put("/c/bikes/moderators", fill(`{"@context":"https://www.w3.org/ns/activitystreams","id":"{group}/moderators","type":"OrderedCollection","orderedItems":["{dani}"]}`, "group", group, "dani", dani))

	mirror, err := city.Federation.Join(ctx, forum.SystemActor(), group)
	if err != nil {
		t.Fatalf("join the Lemmy community: %v", err)
	}
	var followID string
	testrig.Eventually(t, "Lemmy receives the city's Follow", func() (bool, string) {
		for _, fl := range lemmy.receivedAt("/c/bikes/inbox", "Follow") {
			if fl["object"] == group {
				followID, _ = fl["id"].(string)
				return true, ""
			}
		}
		return false, "no Follow"
	})
	instance := city.Federation.InstanceActorURI()
	instanceInbox, _ := actorDoc(t, instance)["inbox"].(string)
	accept := fill(`{
  "@context": `+lemmyContext+`,
  "actor": "{group}",
  "to": ["{instance}"],
  "object": {"actor": "{instance}", "to": ["{group}"], "object": "{group}", "type": "Follow", "id": "{follow}"},
  "type": "Accept",
  "id": "{base}/activities/accept/5e8c0a4e-6d5b-4b8e-9d7e-3f1c2b9a7d11"
}`, "group", group, "instance", instance, "follow", followID, "base", lemmy.base)
	if st := lemmy.send(delivery{KeyID: group + "#main-key", Inbox: instanceInbox, Body: accept}); st != http.StatusAccepted {
		t.Fatalf("Accept: %d", st)
	}
	testrig.Eventually(t, "the city's follow is accepted", func() (bool, string) {
		j, err := city.Federation.Joined(ctx)
		return err == nil && len(j) == 1 && j[0].State == "accepted", fmt.Sprint(j, err)
	})

	post := lemmy.url("/post/77")
	announce := fill(`{
  "@context": `+lemmyContext+`,
  "id": "{base}/activities/announce/create/9c1f6e0b-2a47-4d1f-8b1e-0c3a5f7d9e21",
  "type": "Announce",
  "actor": "{group}",
  "to": ["https://www.w3.org/ns/activitystreams#Public"],
  "cc": ["{group}/followers"],
  "object": {
    "id": "{base}/activities/create/41aa2b7c-8f3e-4c55-a1d2-6b9e0f4c3d88",
    "type": "Create",
    "actor": "{dani}",
    "to": ["https://www.w3.org/ns/activitystreams#Public"],
    "cc": ["{group}"],
    "audience": "{group}",
    "object": {
      "id": "{post}",
      "type": "Page",
      "attributedTo": "{dani}",
      "to": ["{group}", "https://www.w3.org/ns/activitystreams#Public"],
      "audience": "{group}",
      "name": "Carril bici en la avenida",
      "cc": [],
      "content": "<p>¿Alguien sabe cuándo abre?</p>\n",
      "mediaType": "text/html",
      "source": {"content": "¿Alguien sabe cuándo abre?", "mediaType": "text/markdown"},
      "attachment": [{"type": "Link", "href": "{base}/pictrs/image/a.png"}],
      "sensitive": false,
      "stickied": false,
      "commentsEnabled": true,
      "language": {"identifier": "es", "name": "Español"},
      "published": "2025-03-01T12:11:22.871846+00:00"
    }
  },
  "audience": "{group}"
}`, "base", lemmy.base, "group", group, "dani", dani, "post", post)
	if st := lemmy.send(delivery{KeyID: group + "#main-key", Inbox: city.URLs.SharedInbox(), Body: announce}); st != http.StatusAccepted {
		t.Fatalf("Announce: %d", st)
	}
	testrig.Eventually(t, "the post is a question in the city's mirror", func() (bool, string) {
		_, err := city.Service.ThreadByURI(ctx, post)
		return err == nil, fmt.Sprint(err)
	})
	th, err := city.Service.ThreadByURI(ctx, post)
	if err != nil {
		t.Fatal(err)
	}
	if th.ForumID != mirror.ID {
		t.Errorf("question in forum %s, want the mirror %s", th.ForumID, mirror.ID)
	}
	view := city.mustView(t, th.ID)
	want := "Carril bici en la avenida | locked=false\ndani@" + lemmy.host() + " <p>¿Alguien sabe cuándo abre?</p> [es] helpful=0\n"
	if view != want {
		t.Errorf("city shows:\n%s\nwant:\n%s", view, want)
	}
}

// TestFixtureForumArticles: NodeBB and Discourse users start a topic in a
// hub forum; their first post is an Article addressed to the forum (cc,
// audience), which becomes a question titled by its name. Neither server
// states a language, so none is invented: the post is "und".
func TestFixtureForumArticles(t *testing.T) {
	ctx := context.Background()
	hub := startPeer(t, "hub", 1)
	f := hub.forum(t, "transport", "Public transport")
	forumURI := hub.URLs.Forum(f.Slug)
	forumInbox, _ := actorDoc(t, forumURI)["inbox"].(string)

	question := func(t *testing.T, uri, wantTitle, wantLine string) {
		t.Helper()
		testrig.Eventually(t, "the Article becomes a question", func() (bool, string) {
			_, err := hub.Service.ThreadByURI(ctx, uri)
			return err == nil, fmt.Sprint(err)
		})
		th, err := hub.Service.ThreadByURI(ctx, uri)
		if err != nil {
			t.Fatal(err)
		}
		if th.ForumID != f.ID {
			t.Errorf("question in forum %s, want %s", th.ForumID, f.ID)
		}
		if want := wantTitle + " | locked=false\n" + wantLine + "\n"; hub.mustView(t, th.ID) != want {
			t.Errorf("hub shows:\n%s\nwant:\n%s", hub.mustView(t, th.ID), want)
		}
	}

	t.Run("NodeBB Create{Article}", func(t *testing.T) {
		nodebb := startFakeServer(t, "nodebb")
		julian := nodebb.actor(fakeActor{Path: "/uid/4", Type: "Person", Username: "julian", Name: "Julian", KeyID: "#key",
			Extra: fill(`,"endpoints":{"sharedInbox":"{base}/inbox"},"published":"2024-02-01T00:00:00.000Z"`, "base", nodebb.base)})
		nodebb.actor(fakeActor{Path: "/category/2", Type: "Group", Username: "general", Name: "General discussion", KeyID: "#key"})
		post := nodebb.url("/post/310")
		create := fill(`{
  "@context": "https://www.w3.org/ns/activitystreams",
  "id": "{post}#activity/create/1740679451532",
  "type": "Create",
  "to": ["https://www.w3.org/ns/activitystreams#Public"],
  "cc": ["{julian}/followers", "{forum}"],
  "actor": "{julian}",
  "object": {
    "id": "{post}",
    "type": "Article",
    "to": ["https://www.w3.org/ns/activitystreams#Public"],
    "cc": ["{julian}/followers", "{forum}"],
    "inReplyTo": null,
    "published": "2025-02-27T18:04:11.532Z",
    "url": "{post}",
    "attributedTo": "{julian}",
    "context": "{base}/topic/88",
    "audience": "{forum}",
    "sensitive": false,
    "summary": null,
    "name": "Tram extension: public hearing",
    "content": "<p>The hearing is on <strong>Thursday</strong>.</p>",
    "source": {"content": "The hearing is on **Thursday**.", "mediaType": "text/markdown"},
    "preview": {"type": "Note", "attributedTo": "{julian}", "content": "<p>The hearing is on Thursday.</p>", "published": "2025-02-27T18:04:11.532Z"},
    "tag": [{"type": "Hashtag", "href": "{base}/tags/tram", "name": "#tram"}],
    "attachment": []
  }
}`, "post", post, "julian", julian, "forum", forumURI, "base", nodebb.base)
		// NodeBB posts as application/ld+json with the ActivityStreams profile.
		st := nodebb.send(delivery{KeyID: julian + "#key", Inbox: forumInbox, Body: create,
			ContentType: `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`})
		if st != http.StatusAccepted {
			t.Fatalf("Create: %d", st)
		}
		question(t, post, "Tram extension: public hearing",
			"julian@"+nodebb.host()+" <p>The hearing is on <strong>Thursday</strong>.</p> [und] helpful=0")
	})

	t.Run("Discourse Create{Article}", func(t *testing.T) {
		discourse := startFakeServer(t, "discourse")
		author := discourse.actor(fakeActor{Path: "/ap/actor/8a9d", Type: "Person", Username: "maria", Name: "Maria", KeyID: "#main-key"})
		discourse.actor(fakeActor{Path: "/ap/actor/2f1e", Type: "Group", Username: "mobility", Name: "Mobility", KeyID: "#main-key"})
		object := discourse.url("/ap/object/6b0c")
		create := fill(`{
  "@context": "https://www.w3.org/ns/activitystreams",
  "id": "{base}/ap/activity/91d2",
  "type": "Create",
  "actor": "{author}",
  "to": "https://www.w3.org/ns/activitystreams#Public",
  "audience": "{forum}",
  "published": "2025-02-20T09:00:00Z",
  "object": {
    "id": "{object}",
    "type": "Article",
    "audience": "{forum}",
    "to": "https://www.w3.org/ns/activitystreams#Public",
    "attributedTo": "{author}",
    "name": "Parking reform",
    "content": "<p>Draft proposal attached.</p>",
    "url": "{base}/t/parking-reform/120",
    "published": "2025-02-20T09:00:00Z",
    "updated": "2025-02-21T10:00:00Z"
  }
}`, "base", discourse.base, "author", author, "forum", forumURI, "object", object)
		if st := discourse.send(delivery{KeyID: author + "#main-key", Inbox: hub.URLs.SharedInbox(), Body: create}); st != http.StatusAccepted {
			t.Fatalf("Create: %d", st)
		}
		question(t, object, "Parking reform", "maria@"+discourse.host()+" <p>Draft proposal attached.</p> [und] helpful=0")
	})
}
