package node_test

import (
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/testrig"
)

// mastodon is a Mastodon-like server written for the test: one account
// (alice), a shared inbox that records what it receives, and statuses it
// serves by id, in the shapes Mastodon uses.
type mastodon struct {
	t        *testing.T
	srv      *httptest.Server
	base     string
	key      crypto.Signer
	pem      string
	mu       sync.Mutex
	received []map[string]any
	statuses map[string]string // path → JSON
}

func startMastodon(t *testing.T) *mastodon {
	t.Helper()
	key := testrig.Key(t, "remote-mastodon")
	m := &mastodon{t: t, key: key.Signer, pem: key.PublicPEM, statuses: map[string]string{}}
	ln, err := net.Listen("tcp", "127.0.0.4:0")
	if err != nil {
		t.Fatal(err)
	}
	m.srv = httptest.NewUnstartedServer(http.HandlerFunc(m.serve))
	m.srv.Listener.Close()
	m.srv.Listener = ln
	m.srv.Start()
	t.Cleanup(m.srv.Close)
	m.base = m.srv.URL
	return m
}

func (m *mastodon) alice() string { return m.base + "/users/alice" }

func (m *mastodon) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && (r.URL.Path == "/inbox" || r.URL.Path == "/users/alice/inbox"):
		var doc map[string]any
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("Signature") == "" || json.Unmarshal(body, &doc) != nil {
			http.Error(w, "unsigned or not JSON", http.StatusUnauthorized)
			return
		}
		m.mu.Lock()
		m.received = append(m.received, doc)
		m.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodGet && r.URL.Path == "/.well-known/webfinger":
		// Mastodon answers for its accounts only; anyone else is a 404.
		if r.URL.Query().Get("resource") != "acct:alice@"+hostOf(m.base) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/jrd+json; charset=utf-8")
		_, _ = fmt.Fprintf(w, `{"subject":"acct:alice@%s","aliases":["%s/@alice",%q],"links":[
{"rel":"http://webfinger.net/rel/profile-page","type":"text/html","href":"%s/@alice"},
{"rel":"self","type":"application/activity+json","href":%q}]}`, hostOf(m.base), m.base, m.alice(), m.base, m.alice())
	case r.Method == http.MethodGet && r.URL.Path == "/users/alice":
		m.json(w, fmt.Sprintf(`{"@context":["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1"],
"id":%q,"type":"Person","preferredUsername":"alice","name":"Alice Martin","url":"%s/@alice",
"inbox":"%s/inbox","outbox":"%s/outbox","followers":"%s/followers","following":"%s/following",
"endpoints":{"sharedInbox":"%s/inbox"},"manuallyApprovesFollowers":false,"discoverable":true,
"publicKey":{"id":"%s#main-key","owner":%q,"publicKeyPem":%q}}`,
			m.alice(), m.base, m.alice(), m.alice(), m.alice(), m.alice(), m.base, m.alice(), m.alice(), m.pem))
	default:
		m.mu.Lock()
		doc, ok := m.statuses[r.URL.Path]
		m.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		m.json(w, doc)
	}
}

func (m *mastodon) json(w http.ResponseWriter, doc string) {
	w.Header().Set("Content-Type", "application/activity+json; charset=utf-8")
	_, _ = io.WriteString(w, doc)
}

// send signs an activity as alice and posts it to inbox.
func (m *mastodon) send(inbox, activity string) int {
	m.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, inbox, strings.NewReader(activity))
	req.Header.Set("Content-Type", "application/activity+json")
	c := &http.Client{Timeout: 10 * time.Second, Transport: &signature.Transport{KeyID: m.alice() + "#main-key", Key: m.key}}
	resp, err := c.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// got finds a received activity of a type whose object is (or embeds) id.
func (m *mastodon) got(typ, actor, object string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range m.received {
		if d["type"] != typ || (actor != "" && d["actor"] != actor) {
			continue
		}
		switch o := d["object"].(type) {
		case string:
			if o == object {
				return true
			}
		case map[string]any:
			if o["id"] == object {
				return true
			}
		}
	}
	return false
}

// anyMentions reports whether any received activity of a type by actor
// contains id anywhere (embedded activities included).
func (m *mastodon) anyMentions(typ, actor, id string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range m.received {
		if d["type"] != typ || d["actor"] != actor {
			continue
		}
		if b, _ := json.Marshal(d); strings.Contains(string(b), id) {
			return true
		}
	}
	return false
}

// webfinger resolves a handle on a node as Mastodon's search does.
func webfinger(t *testing.T, p *peer, acct string) string {
	t.Helper()
	resp, err := http.Get(p.URLs.Base() + "/.well-known/webfinger?resource=" + url.QueryEscape("acct:"+acct))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var jrd struct {
		Subject string
		Links   []struct{ Rel, Type, Href string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&jrd); err != nil || jrd.Subject != "acct:"+acct {
		t.Fatalf("webfinger %s: %d %+v %v", acct, resp.StatusCode, jrd, err)
	}
	for _, l := range jrd.Links {
		if l.Rel == "self" && l.Type == "application/activity+json" {
			return l.Href
		}
	}
	t.Fatalf("webfinger %s: no self link", acct)
	return ""
}

// TestMastodonFollowsAThreadAndReplies: a Mastodon user follows one thread
// through its actor, sees each new answer announced, and replies from
// Mastodon; the reply becomes an answer on the hub and on a city node.
func TestMastodonFollowsAThreadAndReplies(t *testing.T) {
	ctx := context.Background()
	hub, city, f, asker, member := joinedCluster(t)
	masto := startMastodon(t)
	q := hub.ask(t, asker, f, "Digital ID for residents?", "Pros and cons.")
	qURI := hub.URLs.Thread(q.ID)
	same(t, "question reaches the city", qURI, hub, city)

	// Follow the thread from Mastodon: its handle is t-<thread id>.
	threadActor := webfinger(t, hub, "t-"+q.ID+"@"+hub.URLs.Host())
	if threadActor != hub.URLs.ThreadActor(q.ID) {
		t.Fatalf("thread actor %s", threadActor)
	}
	follow := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s#follows/1","type":"Follow","actor":%q,"object":%q}`,
		masto.alice(), masto.alice(), threadActor)
	if st := masto.send(threadActor+"/inbox", follow); st != http.StatusAccepted {
		t.Fatalf("follow: %d", st)
	}
	testrig.Eventually(t, "Mastodon gets the Accept", func() (bool, string) {
		return masto.got("Accept", threadActor, masto.alice()+"#follows/1"), "no Accept yet"
	})

	// New answers, from the hub and from a city, are announced to alice.
	local := hub.reply(t, asker, q.ID, "We piloted one in 2025.")
	tc, _ := city.threadOn(qURI)
	// Posts sort by their millisecond of publication; two answers made in
	// the same millisecond on two nodes may sort either way on each.
	time.Sleep(2 * time.Millisecond)
	remote := city.reply(t, member, tc.ID, "Privacy first, then convenience.")
	remoteURI := city.URLs.Post(remote.ID)
	for _, id := range []string{hub.URLs.Post(local.ID), remoteURI} {
		testrig.Eventually(t, "the thread announces "+id, func() (bool, string) {
			return masto.got("Announce", threadActor, id), "not announced"
		})
	}

	// Alice replies from Mastodon to the city's answer, Mastodon-shaped
	// for a public reply: to the public, cc her followers, the author and
	// the mentioned thread actor.
	status := masto.alice() + "/statuses/111"
	note := fmt.Sprintf(`{"id":%q,"type":"Note","summary":null,"inReplyTo":%q,"published":"2026-11-22T13:30:00Z",
"url":"%s/@alice/111","attributedTo":%q,"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["%s/followers",%q,%q],"sensitive":false,
"atomUri":%q,"conversation":"tag:mastodon.test,2026-11-22:objectId=1:objectType=Conversation",
"content":"<p><span class=\"h-card\"><a href=\"%s\" class=\"u-url mention\">@<span>tendai</span></a></span> How did you explain it to residents?</p>",
"contentMap":{"en":"<p><span class=\"h-card\"><a href=\"%s\" class=\"u-url mention\">@<span>tendai</span></a></span> How did you explain it to residents?</p>"},
"attachment":[],"tag":[{"type":"Mention","href":%q,"name":"@tendai@%s"},{"type":"Mention","href":%q,"name":"@t-%s@%s"}],
"replies":{"id":"%s/replies","type":"Collection","first":{"type":"CollectionPage","next":"%s/replies?page=true","partOf":"%s/replies","items":[]}}}`,
		status, remoteURI, masto.base, masto.alice(), masto.alice(), city.URLs.Member("tendai"), threadActor, status,
		city.URLs.Member("tendai"), city.URLs.Member("tendai"), city.URLs.Member("tendai"), city.URLs.Host(), threadActor, q.ID, hub.URLs.Host(),
		status, status, status)
	masto.mu.Lock()
	masto.statuses["/users/alice/statuses/111"] = `{"@context":"https://www.w3.org/ns/activitystreams",` + note[1:]
	masto.mu.Unlock()
	create := fmt.Sprintf(`{"@context":["https://www.w3.org/ns/activitystreams"],"id":"%s/activity","type":"Create","actor":%q,
"published":"2026-11-22T13:30:00Z","to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["%s/followers",%q,%q],"object":%s}`,
		status, masto.alice(), masto.alice(), city.URLs.Member("tendai"), threadActor, note)
	if st := masto.send(hub.URLs.SharedInbox(), create); st != http.StatusAccepted {
		t.Fatalf("reply: %d", st)
	}
	for _, p := range []*peer{hub, city} {
		testrig.Eventually(t, "the Mastodon reply reaches "+p.name, func() (bool, string) {
			_, err := p.Service.PostByURI(ctx, status)
			return err == nil, fmt.Sprint(err)
		})
	}
	got := same(t, "the Mastodon reply is an answer on the hub and the city", qURI, hub, city)
	if !strings.Contains(got, "  alice@"+hostOf(masto.base)) || !strings.Contains(got, "How did you explain it to residents?") {
		t.Errorf("reply missing or not nested:\n%s", got)
	}

	// A Like from Mastodon counts as helpful.
	like := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s#likes/1","type":"Like","actor":%q,"object":%q}`,
		masto.alice(), masto.alice(), remoteURI)
	if st := masto.send(hub.URLs.SharedInbox(), like); st != http.StatusAccepted {
		t.Fatalf("like: %d", st)
	}
	testrig.Eventually(t, "the like counts on the hub", func() (bool, string) {
		p, err := hub.Service.PostByURI(ctx, remoteURI)
		return err == nil && p.HelpfulCount == 1, "not counted"
	})

	// A boost from Mastodon counts as a share; its Undo takes it back.
	boost := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s/statuses/112/activity","type":"Announce","actor":%q,
"published":"2026-11-22T13:31:00Z","to":["https://www.w3.org/ns/activitystreams#Public"],"cc":[%q,"%s/followers"],"object":%q}`,
		masto.alice(), masto.alice(), city.URLs.Member("tendai"), masto.alice(), remoteURI)
	if st := masto.send(hub.URLs.SharedInbox(), boost); st != http.StatusAccepted {
		t.Fatalf("boost: %d", st)
	}
	shares := func(n int) func() (bool, string) {
		return func() (bool, string) {
			p, err := hub.Service.PostByURI(ctx, remoteURI)
			return err == nil && p.ShareCount == n, fmt.Sprintf("%v shares, %v", p, err)
		}
	}
	testrig.Eventually(t, "the boost counts as a share", shares(1))
	unboost := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s/statuses/112/undo","type":"Undo","actor":%q,"object":%s}`,
		masto.alice(), masto.alice(), boost)
	if st := masto.send(hub.URLs.SharedInbox(), unboost); st != http.StatusAccepted {
		t.Fatalf("undo boost: %d", st)
	}
	testrig.Eventually(t, "the undone boost is no share", shares(0))

	// Unfollow.
	undo := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s#follows/1/undo","type":"Undo","actor":%q,"object":%s}`,
		masto.alice(), masto.alice(), follow)
	if st := masto.send(hub.URLs.SharedInbox(), undo); st != http.StatusAccepted {
		t.Fatalf("undo: %d", st)
	}
	testrig.Eventually(t, "the thread forgets its follower", func() (bool, string) {
		n, err := hub.DB.Store().CountFollowers(ctx, threadActor)
		return err == nil && n == 0, "still following"
	})
}

func hostOf(base string) string {
	u, _ := url.Parse(base)
	return u.Host
}

// TestMastodonReplyReachingOnlyTheCityIsForwarded: a Mastodon reply to a
// city member's answer is addressed to that member, so it reaches the city
// alone; the city forwards it to the forum's node (§7.1.2), which fetches
// the reply from Mastodon rather than trust the city's copy.
func TestMastodonReplyReachingOnlyTheCityIsForwarded(t *testing.T) {
	ctx := context.Background()
	hub, city, f, asker, member := joinedCluster(t)
	masto := startMastodon(t)
	q := hub.ask(t, asker, f, "Broadband in social housing", "Who pays?")
	qURI := hub.URLs.Thread(q.ID)
	same(t, "question reaches the city", qURI, hub, city)
	tc, _ := city.threadOn(qURI)
	answer := city.reply(t, member, tc.ID, "The housing agency, with a grant.")
	answerURI := city.URLs.Post(answer.ID)
	same(t, "answer reaches the hub", qURI, hub, city)

	status := masto.alice() + "/statuses/222"
	note := fmt.Sprintf(`{"id":%q,"type":"Note","inReplyTo":%q,"published":"2026-11-22T13:40:00Z","attributedTo":%q,
"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["%s/followers",%q],"content":"<p>Which grant was it?</p>","contentMap":{"en":"<p>Which grant was it?</p>"},
"tag":[{"type":"Mention","href":%q,"name":"@tendai@%s"}]}`,
		status, answerURI, masto.alice(), masto.alice(), city.URLs.Member("tendai"), city.URLs.Member("tendai"), city.URLs.Host())
	masto.mu.Lock()
	masto.statuses["/users/alice/statuses/222"] = `{"@context":"https://www.w3.org/ns/activitystreams",` + note[1:]
	masto.mu.Unlock()
	create := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s/activity","type":"Create","actor":%q,
"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["%s/followers",%q],"object":%s}`, status, masto.alice(), masto.alice(), city.URLs.Member("tendai"), note)
	if st := masto.send(city.URLs.SharedInbox(), create); st != http.StatusAccepted {
		t.Fatalf("reply to the city: %d", st)
	}
	for _, p := range []*peer{city, hub} {
		testrig.Eventually(t, "the reply reaches "+p.name, func() (bool, string) {
			_, err := p.Service.PostByURI(ctx, status)
			return err == nil, fmt.Sprint(err)
		})
	}
	got := same(t, "hub and city show the reply", qURI, hub, city)
	if !strings.Contains(got, "  alice@"+hostOf(masto.base)+" <p>Which grant was it?</p>") {
		t.Errorf("reply missing or not nested:\n%s", got)
	}
}

// TestMastodonFollowsAForum: a person following a forum gets its new
// questions (as boosts of the forum), not every answer; servers following
// it keep getting everything.
func TestMastodonFollowsAForum(t *testing.T) {
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
	q := hub.ask(t, asker, f, "E-participation platforms", "Which one?")
	qURI := hub.URLs.Thread(q.ID)
	testrig.Eventually(t, "the question is boosted to alice", func() (bool, string) {
		return masto.got("Announce", forumActor, qURI), "no Announce of the question"
	})
	a := hub.reply(t, asker, q.ID, "Decidim.")
	aURI := hub.URLs.Post(a.ID)
	same(t, "the answer reaches the city (a server follower)", qURI, hub, city)
	testrig.Eventually(t, "the hub has sent what it queued", func() (bool, string) {
		st, err := hub.DB.Store().DeliveryStats(ctx)
		return err == nil && st.Pending == 0, "deliveries pending"
	})
	if masto.anyMentions("Announce", forumActor, aURI) {
		t.Error("a forum's people followers got an answer: they asked for questions only")
	}

	// A question asked on the city, in the hub's forum, reaches them too;
	// its thread is followed at the hub, which announces its answers.
	tendai, err := city.Service.MemberByUsername(ctx, "tendai")
	if err != nil {
		t.Fatal(err)
	}
	mirror, err := city.Service.ForumByURI(ctx, hub.URLs.Forum(f.Slug))
	if err != nil {
		t.Fatal(err)
	}
	cq := city.ask(t, tendai, mirror, "Asked in Harare", "From the city.")
	cqURI := city.URLs.Thread(cq.ID)
	testrig.Eventually(t, "the city's question is boosted to alice", func() (bool, string) {
		return masto.got("Announce", forumActor, cqURI), "no Announce of the city's question"
	})
	onHub, err := hub.Service.ThreadByURI(ctx, cqURI)
	if err != nil {
		t.Fatal(err)
	}
	threadActor := webfinger(t, hub, "t-"+onHub.ID+"@"+hub.URLs.Host())
	follow = fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s#follows/thread","type":"Follow","actor":%q,"object":%q}`,
		masto.alice(), masto.alice(), threadActor)
	if st := masto.send(hub.URLs.SharedInbox(), follow); st != http.StatusAccepted {
		t.Fatalf("follow the thread: %d", st)
	}
	testrig.Eventually(t, "thread follow accepted", func() (bool, string) {
		return masto.got("Accept", threadActor, masto.alice()+"#follows/thread"), "no Accept"
	})
	a2 := hub.reply(t, asker, onHub.ID, "Welcome, Harare.")
	testrig.Eventually(t, "the answer to the city's question is announced to alice", func() (bool, string) {
		return masto.got("Announce", threadActor, hub.URLs.Post(a2.ID)), "not announced"
	})
}

// TestMastodonPostToAForumStartsAQuestion: a Mastodon post (no title)
// addressed to a forum becomes a question titled by its first words.
func TestMastodonPostToAForumStartsAQuestion(t *testing.T) {
	ctx := context.Background()
	hub, city, f, _, _ := joinedCluster(t)
	masto := startMastodon(t)
	forumActor := hub.URLs.Forum(f.Slug)
	status := masto.alice() + "/statuses/333"
	note := fmt.Sprintf(`{"id":%q,"type":"Note","published":"2026-11-22T14:00:00Z","attributedTo":%q,
"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["%s/followers",%q],
"content":"<p><span class=\"h-card\"><a href=\"%s\" class=\"u-url mention\">@<span>digitalisation</span></a></span> Has anyone tried participatory budgeting apps? We are choosing one.</p>",
"tag":[{"type":"Mention","href":%q,"name":"@digitalisation@%s"}]}`,
		status, masto.alice(), masto.alice(), forumActor, forumActor, forumActor, hub.URLs.Host())
	masto.mu.Lock()
	masto.statuses["/users/alice/statuses/333"] = `{"@context":"https://www.w3.org/ns/activitystreams",` + note[1:]
	masto.mu.Unlock()
	create := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s/activity","type":"Create","actor":%q,
"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["%s/followers",%q],"object":%s}`,
		status, masto.alice(), masto.alice(), forumActor, note)
	if st := masto.send(hub.URLs.SharedInbox(), create); st != http.StatusAccepted {
		t.Fatalf("post: %d", st)
	}
	testrig.Eventually(t, "the post becomes a question on the hub", func() (bool, string) {
		_, err := hub.Service.ThreadByURI(ctx, status)
		return err == nil, fmt.Sprint(err)
	})
	th, _ := hub.Service.ThreadByURI(ctx, status)
	// The mention that addressed the forum is not part of the title
	// (issue 12: a question posted from GoToSocial or Mastodon).
	if !strings.HasPrefix(th.Title, "Has anyone tried participatory budgeting apps?") {
		t.Errorf("title %q, want it to start with the question, not the forum's @mention", th.Title)
	}
	same(t, "the city gets the question too", status, hub, city)
}
