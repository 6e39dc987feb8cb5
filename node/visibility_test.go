package node_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

// TestPrivateMessagesStayPrivate: posts with no Public audience — a
// Mastodon direct message to a thread actor, GoToSocial followers-only and
// direct replies, a Lemmy private message, a private post announced by a
// forum the node follows, a public reply whose parent is private — are
// refused: not stored, not on the thread page, not in the forum's outbox
// or the thread's context, never announced by the forum nor boosted by the
// thread actor, and the received item is failed with a reason naming
// visibility. A public reply sent afterwards shows that each of those
// places does show a public post; an Update turning it private leaves its
// public text.
func TestPrivateMessagesStayPrivate(t *testing.T) {
	ctx := context.Background()
	hub := startPeer(t, "hub", 1)
	asker := hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
	f := hub.forum(t, "digitalisation", "Learning forum on digitalisation")
	q := hub.ask(t, asker, f, "Digital ID for residents?", "Pros and cons.")
	answer := hub.reply(t, asker, q.ID, "We piloted one in 2025.")
	forumURI, threadActor, answerURI := hub.URLs.Forum(f.Slug), hub.URLs.ThreadActor(q.ID), hub.URLs.Post(answer.ID)
	forumOutbox, _ := actorDoc(t, forumURI)["outbox"].(string)
	secretariat := hub.URLs.Member("secretariat")

	// Another forum server follows the forum (it gets the Announce of
	// each activity) and a person follows the thread (it gets each new
	// answer boosted): what they are sent is recorded.
	watch := startFakeServer(t, "watcher")
	relay := watch.actor(fakeActor{Path: "/actor", Type: "Application", Username: "watcher", Name: "Watcher", KeyID: "#main-key"})
	wendy := watch.actor(fakeActor{Path: "/users/wendy", Type: "Person", Username: "wendy", Name: "Wendy", KeyID: "#main-key"})
	watch.follow(t, hub, relay, forumURI)
	watch.follow(t, hub, wendy, threadActor)

	masto := startFakeServer(t, "mastodon")
	alice := masto.actor(fakeActor{Path: "/users/alice", Type: "Person", Username: "alice", Name: "Alice", KeyID: "#main-key"})
	gts := startFakeServer(t, "gotosocial")
	bob := gts.actor(fakeActor{Path: "/users/bob", Type: "Person", Username: "bob", Name: "Bob", KeyID: "/main-key"})
	lemmy := startFakeServer(t, "lemmy")
	riker := lemmy.actor(fakeActor{Path: "/u/riker", Type: "Person", Username: "riker", Name: "Riker", KeyID: "#main-key"})
	group := lemmy.actor(fakeActor{Path: "/c/cities", Type: "Group", Username: "cities", Name: "Cities", KeyID: "#main-key"})
	lemmy.put("/c/cities/outbox", `{"@context":"https://www.w3.org/ns/activitystreams","type":"OrderedCollection","id":"`+group+`/outbox","totalItems":0,"orderedItems":[]}`)
	joinGroup(t, hub, lemmy, group, `{"@context":"https://www.w3.org/ns/activitystreams","id":"{group}/accept/1","type":"Accept",
"actor":"{group}","to":["{instance}"],"object":{"id":"{follow}","type":"Follow","actor":"{instance}","object":"{group}"}}`)
	// A public question in the followed forum, to reply to privately.
	remoteQ := lemmy.url("/post/7")
	announce(t, hub, lemmy, group, fill(`{"@context":"https://www.w3.org/ns/activitystreams","id":"{group}/announce/1","type":"Announce",
"actor":"{group}","to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["{group}/followers"],
"object":{"id":"{base}/activities/create/1","type":"Create","actor":"{riker}","to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["{group}"],
"object":{"id":"{post}","type":"Page","attributedTo":"{riker}","to":["{group}","https://www.w3.org/ns/activitystreams#Public"],"audience":"{group}",
"name":"Open data portals","content":"<p>What worked?</p>","published":"2026-11-20T10:00:00Z"}}}`,
		"group", group, "riker", riker, "base", lemmy.base, "post", remoteQ), remoteQ)
	remoteThread, err := hub.Service.ThreadByURI(ctx, remoteQ)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name     string
		server   *fakeServer
		keyID    string
		hs2019   bool
		inbox    string
		activity string      // its id
		body     string      // the activity
		origin   *fakeServer // serves the documents in serve; default server
		serve    []string    // path, document pairs the origin serves
		ids      []string    // objects that must not appear anywhere
		secret   string      // text that must not appear anywhere
		threadID string      // the thread it would have joined
	}{{
		// Mastodon's direct visibility: to the mentioned accounts only.
		name: "Mastodon direct message to a thread actor", server: masto, keyID: alice + "#main-key", inbox: threadActor + "/inbox",
		activity: alice + "/statuses/1/activity", ids: []string{alice + "/statuses/1"}, secret: "SECRET-MASTODON-DM", threadID: q.ID,
		body: fill(`{"@context":"https://www.w3.org/ns/activitystreams","id":"{a}/statuses/1/activity","type":"Create","actor":"{a}",
"published":"2026-11-22T13:30:00Z","to":["{thread}"],"cc":[],
"object":{"id":"{a}/statuses/1","type":"Note","inReplyTo":"{answer}","published":"2026-11-22T13:30:00Z","attributedTo":"{a}",
"to":["{thread}"],"cc":[],"sensitive":false,"content":"<p>@t SECRET-MASTODON-DM my phone number is …</p>",
"tag":[{"type":"Mention","href":"{thread}","name":"@t-{q}@{host}"}]}}`,
			"a", alice, "thread", threadActor, "answer", answerURI, "q", q.ID, "host", hub.URLs.Host()),
	}, {
		// GoToSocial's followers-only ("private"): to the followers, cc
		// the mentioned accounts.
		name: "GoToSocial followers-only reply", server: gts, keyID: bob + "/main-key", hs2019: true, inbox: hub.URLs.SharedInbox(),
		activity: bob + "/statuses/01HZ1/activity", ids: []string{bob + "/statuses/01HZ1"}, secret: "SECRET-GTS-FOLLOWERS", threadID: q.ID,
		body: fill(`{"@context":"https://www.w3.org/ns/activitystreams","id":"{b}/statuses/01HZ1/activity","type":"Create","actor":"{b}",
"published":"2026-11-22T13:31:00Z","to":"{b}/followers","cc":"{member}",
"object":{"id":"{b}/statuses/01HZ1","type":"Note","inReplyTo":"{answer}","published":"2026-11-22T13:31:00Z","attributedTo":"{b}",
"to":"{b}/followers","cc":"{member}","sensitive":false,"url":"{base}/@bob/statuses/01HZ1",
"content":"<p>SECRET-GTS-FOLLOWERS only for my followers</p>","tag":{"type":"Mention","href":"{member}","name":"@secretariat@{host}"}}}`,
			"b", bob, "member", secretariat, "answer", answerURI, "base", gts.base, "host", hub.URLs.Host()),
	}, {
		// GoToSocial's direct: to the mentioned member only.
		name: "GoToSocial direct reply mentioning a member", server: gts, keyID: bob + "/main-key", hs2019: true, inbox: hub.URLs.SharedInbox(),
		activity: bob + "/statuses/01HZ2/activity", ids: []string{bob + "/statuses/01HZ2"}, secret: "SECRET-GTS-DIRECT", threadID: q.ID,
		body: fill(`{"@context":"https://www.w3.org/ns/activitystreams","id":"{b}/statuses/01HZ2/activity","type":"Create","actor":"{b}",
"published":"2026-11-22T13:32:00Z","to":"{member}",
"object":{"id":"{b}/statuses/01HZ2","type":"Note","inReplyTo":"{question}","published":"2026-11-22T13:32:00Z","attributedTo":"{b}",
"to":"{member}","sensitive":false,"content":"<p>SECRET-GTS-DIRECT between us</p>",
"tag":{"type":"Mention","href":"{member}","name":"@secretariat@{host}"}}}`,
			"b", bob, "member", secretariat, "question", hub.URLs.Thread(q.ID), "host", hub.URLs.Host()),
	}, {
		// Lemmy's private message (its federation docs): a Note to one
		// actor — here the forum's Group, as a message to its moderators.
		name: "Lemmy private message", server: lemmy, keyID: riker + "#main-key", inbox: forumURI + "/inbox",
		activity: lemmy.url("/activities/create/pm-1"), ids: []string{lemmy.url("/private_message/34")}, secret: "SECRET-LEMMY-PM", threadID: q.ID,
		body: fill(`{"@context":"https://www.w3.org/ns/activitystreams","id":"{base}/activities/create/pm-1","type":"Create","actor":"{r}",
"to":"{forum}/inbox","object":{"@context":"https://www.w3.org/ns/activitystreams","id":"{base}/private_message/34","type":"Note",
"attributedTo":"{r}","to":"{forum}","content":"SECRET-LEMMY-PM please add me as a moderator",
"published":"2026-11-22T13:33:00Z","updated":"2026-11-22T13:34:00Z"}}`, "base", lemmy.base, "r", riker, "forum", forumURI),
	}, {
		// A forum we follow announces (FEP-1b12) a reply that is not
		// public.
		name: "non-public reply inside a forum's Announce", server: lemmy, keyID: group + "#main-key", inbox: hub.URLs.SharedInbox(),
		activity: group + "/announce/2", ids: []string{lemmy.url("/comment/9")}, secret: "SECRET-IN-ANNOUNCE", threadID: remoteThread.ID,
		body: fill(`{"@context":"https://www.w3.org/ns/activitystreams","id":"{group}/announce/2","type":"Announce","actor":"{group}",
"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["{group}/followers"],
"object":{"id":"{base}/activities/create/2","type":"Create","actor":"{riker}","to":["{riker}/followers"],"cc":["{group}"],
"object":{"id":"{base}/comment/9","type":"Note","attributedTo":"{riker}","inReplyTo":"{post}","to":["{riker}/followers"],"cc":["{group}"],
"audience":"{group}","content":"<p>SECRET-IN-ANNOUNCE</p>","published":"2026-11-22T13:35:00Z"}}}`,
			"group", group, "riker", riker, "base", lemmy.base, "post", remoteQ),
	}, {
		// A public reply whose parent, fetched because the node lacks
		// it, is a direct message: both are refused.
		name: "public reply to a private parent", server: masto, keyID: alice + "#main-key", inbox: hub.URLs.SharedInbox(),
		activity: alice + "/statuses/3/activity", ids: []string{alice + "/statuses/2", alice + "/statuses/3"}, secret: "SECRET-PARENT", threadID: q.ID,
		serve: []string{"/users/alice/statuses/2", fill(`{"@context":"https://www.w3.org/ns/activitystreams","id":"{a}/statuses/2","type":"Note",
"inReplyTo":"{answer}","published":"2026-11-22T13:36:00Z","attributedTo":"{a}","to":["{member}"],"cc":[],
"content":"<p>SECRET-PARENT</p>"}`, "a", alice, "answer", answerURI, "member", secretariat)},
		body: fill(`{"@context":"https://www.w3.org/ns/activitystreams","id":"{a}/statuses/3/activity","type":"Create","actor":"{a}",
"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["{a}/followers"],
"object":{"id":"{a}/statuses/3","type":"Note","inReplyTo":"{a}/statuses/2","published":"2026-11-22T13:37:00Z","attributedTo":"{a}",
"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["{a}/followers"],"content":"<p>a public follow-up</p>"}}`,
			"a", alice),
	}, {
		// Another server forwards (§7.1.2) a reply whose copy says public;
		// the node fetches it from its origin, where it is a direct
		// message.
		name: "forwarded reply that is private at its origin", server: watch, keyID: relay + "#main-key", inbox: hub.URLs.SharedInbox(),
		origin: masto, activity: alice + "/statuses/5/activity", ids: []string{alice + "/statuses/5"}, secret: "SECRET-FORWARDED", threadID: q.ID,
		serve: []string{"/users/alice/statuses/5", fill(`{"@context":"https://www.w3.org/ns/activitystreams","id":"{a}/statuses/5","type":"Note",
"inReplyTo":"{answer}","published":"2026-11-22T13:38:00Z","attributedTo":"{a}","to":["{member}"],"cc":[],
"content":"<p>SECRET-FORWARDED</p>"}`, "a", alice, "answer", answerURI, "member", secretariat)},
		body: fill(`{"@context":"https://www.w3.org/ns/activitystreams","id":"{a}/statuses/5/activity","type":"Create","actor":"{a}",
"to":["https://www.w3.org/ns/activitystreams#Public"],"object":{"id":"{a}/statuses/5","type":"Note","inReplyTo":"{answer}",
"published":"2026-11-22T13:38:00Z","attributedTo":"{a}","to":["https://www.w3.org/ns/activitystreams#Public"],"content":"<p>SECRET-FORWARDED</p>"}}`,
			"a", alice, "answer", answerURI),
	}} {
		t.Run(tc.name, func(t *testing.T) {
			origin := tc.origin
			if origin == nil {
				origin = tc.server
			}
			for i := 0; i+1 < len(tc.serve); i += 2 {
				origin.put(tc.serve[i], tc.serve[i+1])
			}
			if st := tc.server.send(delivery{KeyID: tc.keyID, Inbox: tc.inbox, Body: tc.body, HS2019: tc.hs2019}); st != http.StatusAccepted {
				t.Fatalf("deliver: %d", st)
			}
			published(t, hub)
			failed, reason, _ := inboxOutcome(t, hub, tc.activity)
			if !failed || !strings.Contains(reason, "visibility") {
				t.Errorf("item failed=%v, reason %q: want failed, for its visibility", failed, reason)
			}
			for _, id := range tc.ids {
				if _, err := hub.Service.PostByURI(ctx, id); !errors.Is(err, forum.ErrNotFound) {
					t.Errorf("%s stored (err %v)", id, err)
				}
				if got := queuedMentioning(t, hub, id); len(got) > 0 {
					t.Errorf("%s passed on: %v", id, got)
				}
			}
			if page := threadPage(t, hub, tc.threadID); strings.Contains(page, tc.secret) {
				t.Errorf("the thread page shows %s", tc.secret)
			}
			if page := get(t, forumURI, "text/html"); strings.Contains(page, tc.secret) {
				t.Errorf("the forum page shows %s", tc.secret)
			}
			for _, c := range []string{forumOutbox, hub.URLs.Context(q.ID)} {
				text := collectionText(t, c)
				for _, s := range append([]string{tc.secret}, tc.ids...) {
					if strings.Contains(text, s) {
						t.Errorf("%s lists %s", c, s)
					}
				}
			}
		})
	}

	// A public reply appears in each place looked at above.
	public := alice + "/statuses/4"
	note := func(content, updated, to string) string {
		return fill(`{"id":"{id}","type":"Note","inReplyTo":"{answer}","published":"2026-11-22T14:00:00Z",`+updated+`"attributedTo":"{a}",
"to":[`+to+`],"cc":["{a}/followers","{member}"],"content":"{content}","tag":[{"type":"Mention","href":"{member}","name":"@secretariat@{host}"}]}`,
			"id", public, "answer", answerURI, "a", alice, "member", secretariat, "host", hub.URLs.Host(), "content", content)
	}
	create := `{"@context":"https://www.w3.org/ns/activitystreams","id":"` + public + `/activity","type":"Create","actor":"` + alice + `",
"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["` + alice + `/followers"],"object":` +
		note("<p>PUBLIC-REPLY</p>", "", `"https://www.w3.org/ns/activitystreams#Public"`) + `}`
	if st := masto.send(delivery{KeyID: alice + "#main-key", Inbox: hub.URLs.SharedInbox(), Body: create}); st != http.StatusAccepted {
		t.Fatalf("public reply: %d", st)
	}
	testrig.Eventually(t, "the public reply is announced by the forum and boosted by the thread", func() (bool, string) {
		got := watch.receivedMentioning(public)
		return strings.Contains(fmt.Sprint(got), "by "+forumURI) && strings.Contains(fmt.Sprint(got), "by "+threadActor), fmt.Sprint(got)
	})
	if page := threadPage(t, hub, q.ID); !strings.Contains(page, "PUBLIC-REPLY") {
		t.Errorf("the thread page lacks the public reply")
	}
	for _, c := range []string{forumOutbox, hub.URLs.Context(q.ID)} {
		if !strings.Contains(collectionText(t, c), public) {
			t.Errorf("%s does not list the public reply", c)
		}
	}
	// Everything private was refused before the public reply came: what
	// the follower got by now is all it would ever have got.
	for _, secret := range []string{"SECRET", "/statuses/1", "/statuses/01HZ", "/private_message/", "/comment/9", "/statuses/2", "/statuses/3", "/statuses/5"} {
		if got := watch.receivedMentioning(secret); len(got) > 0 {
			t.Errorf("the follower received %q: %v", secret, got)
		}
	}

	t.Run("Update making a public reply private", func(t *testing.T) {
		update := `{"@context":"https://www.w3.org/ns/activitystreams","id":"` + public + `#updates/1","type":"Update","actor":"` + alice + `",
"to":["` + secretariat + `"],"object":` + note("<p>SECRET-EDIT</p>", `"updated":"2026-11-22T14:05:00Z",`, `"`+secretariat+`"`) + `}`
		if st := masto.send(delivery{KeyID: alice + "#main-key", Inbox: hub.URLs.SharedInbox(), Body: update}); st != http.StatusAccepted {
			t.Fatalf("update: %d", st)
		}
		published(t, hub)
		if failed, reason, _ := inboxOutcome(t, hub, public+"#updates/1"); !failed || !strings.Contains(reason, "visibility") {
			t.Errorf("update failed=%v, reason %q: want failed, for its visibility", failed, reason)
		}
		page := threadPage(t, hub, q.ID)
		if strings.Contains(page, "SECRET-EDIT") || !strings.Contains(page, "PUBLIC-REPLY") {
			t.Errorf("the thread page should keep the public text only")
		}
		if got := queuedMentioning(t, hub, "SECRET-EDIT"); len(got) > 0 {
			t.Errorf("the private edit was passed on: %v", got)
		}
	})
}

// TestBackfillSkipsPrivatePosts: joining a forum backfills its threads
// (outbox) and their posts (context collections); a question or an answer
// in them that is not public is not stored, the public ones are.
func TestBackfillSkipsPrivatePosts(t *testing.T) {
	ctx := context.Background()
	city := startPeer(t, "city", 2)
	lemmy := startFakeServer(t, "lemmy")
	group := lemmy.actor(fakeActor{Path: "/c/cities", Type: "Group", Username: "cities", Name: "Cities", KeyID: "#main-key"})
	riker := lemmy.actor(fakeActor{Path: "/u/riker", Type: "Person", Username: "riker", Name: "Riker", KeyID: "#main-key"})
	page := func(n int, to, title string) string {
		return fill(`{"id":"{base}/post/{n}","type":"Page","attributedTo":"{r}","to":[`+to+`],"audience":"{group}",
"context":"{base}/post/{n}/context","name":"{title}","content":"<p>{title}</p>","published":"2026-11-20T10:00:00Z"}`,
			"base", lemmy.base, "n", fmt.Sprint(n), "r", riker, "group", group, "title", title)
	}
	public := `"` + group + `","https://www.w3.org/ns/activitystreams#Public"`
	private := `"` + group + `"`
	announceOf := func(n int, object string) string {
		return fill(`{"id":"{group}/announce/{n}","type":"Announce","actor":"{group}","to":["https://www.w3.org/ns/activitystreams#Public"],
"object":{"id":"{base}/activities/create/{n}","type":"Create","actor":"{r}","to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["{group}"],"object":OBJECT}}`,
			"group", group, "n", fmt.Sprint(n), "base", lemmy.base, "r", riker)
	}
	outbox := `{"@context":"https://www.w3.org/ns/activitystreams","id":"` + group + `/outbox","type":"OrderedCollection","totalItems":2,"orderedItems":[` +
		strings.Replace(announceOf(1, ""), "OBJECT", page(1, public, "PUBLIC-THREAD"), 1) + `,` +
		strings.Replace(announceOf(2, ""), "OBJECT", page(2, private, "SECRET-THREAD"), 1) + `]}`
	lemmy.put("/c/cities/outbox", outbox)
	comment := func(n int, to, text string) string {
		return fill(`{"id":"{base}/comment/{n}","type":"Note","attributedTo":"{r}","inReplyTo":"{base}/post/1","to":[`+to+`],
"audience":"{group}","content":"<p>{text}</p>","published":"2026-11-20T11:00:00Z"}`,
			"base", lemmy.base, "n", fmt.Sprint(n), "r", riker, "group", group, "text", text)
	}
	lemmy.put("/post/1/context", `{"@context":"https://www.w3.org/ns/activitystreams","id":"`+lemmy.url("/post/1/context")+`",
"type":"OrderedCollection","totalItems":3,"orderedItems":[`+page(1, public, "PUBLIC-THREAD")+`,`+comment(11, public, "PUBLIC-ANSWER")+`,`+
		comment(12, `"`+riker+`/followers"`, "SECRET-ANSWER")+`]}`)
	joinGroup(t, city, lemmy, group, `{"@context":"https://www.w3.org/ns/activitystreams","id":"{group}/accept/1","type":"Accept",
"actor":"{group}","to":["{instance}"],"object":{"id":"{follow}","type":"Follow","actor":"{instance}","object":"{group}"}}`)

	th, err := city.Service.ThreadByURI(ctx, lemmy.url("/post/1"))
	if err != nil {
		t.Fatalf("the public thread is not backfilled: %v", err)
	}
	if _, err := city.Service.PostByURI(ctx, lemmy.url("/comment/11")); err != nil {
		t.Errorf("the public answer is not backfilled: %v", err)
	}
	for _, id := range []string{lemmy.url("/post/2"), lemmy.url("/comment/12")} {
		if _, err := city.Service.PostByURI(ctx, id); !errors.Is(err, forum.ErrNotFound) {
			t.Errorf("%s, not public, is stored (err %v)", id, err)
		}
	}
	if page := threadPage(t, city, th.ID); strings.Contains(page, "SECRET") || !strings.Contains(page, "PUBLIC-ANSWER") {
		t.Errorf("the thread page should show the public answer only")
	}
}
