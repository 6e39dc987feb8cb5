package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

// replier is a remote server whose account ines replies to a question
// with answers whose parents (her own earlier notes, never delivered) it
// serves slowly (1 to 8 times slow), so that applying the replies takes a
// while.
type replier struct {
	srv   *httptest.Server
	tr    *signature.Transport
	slow  time.Duration
	forum string // the forum the notes are addressed to
	topic string // the question answered
}

func newReplier(t *testing.T, forumURI, threadURI string, slow time.Duration) *replier {
	t.Helper()
	rk := testrig.Key(t, "remote-replier")
	key, pem := rk.Signer, rk.PublicPEM
	r := &replier{slow: slow, forum: forumURI, topic: threadURI}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "application/activity+json")
		switch {
		case req.URL.Path == "/users/ines":
			_ = json.NewEncoder(w).Encode(map[string]any{
				"@context": []string{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
				"id":       r.actor(), "type": "Person", "preferredUsername": "ines", "inbox": r.actor() + "/inbox",
				"publicKey": map[string]string{"id": r.actor() + "#main-key", "owner": r.actor(), "publicKeyPem": pem},
			})
		case strings.HasPrefix(req.URL.Path, "/notes/parent-"):
			// Spread over 1 to 8 times slow, so the replies are applied
			// over a while and a kill finds some in the middle.
			var i int
			_, _ = fmt.Sscanf(strings.TrimPrefix(req.URL.Path, "/notes/parent-"), "%d", &i)
			time.Sleep(r.slow * time.Duration(1+i%8))
			_ = json.NewEncoder(w).Encode(r.note(r.srv.URL+req.URL.Path, r.topic))
		default:
			http.NotFound(w, req)
		}
	}))
	t.Cleanup(r.srv.Close)
	r.tr = &signature.Transport{KeyID: r.actor() + "#main-key", Key: key}
	return r
}

func (r *replier) actor() string { return r.srv.URL + "/users/ines" }

func (r *replier) note(id, inReplyTo string) map[string]any {
	return map[string]any{"id": id, "type": "Note", "attributedTo": r.actor(), "inReplyTo": inReplyTo,
		"content": "<p>" + id + "</p>", "to": []string{"https://www.w3.org/ns/activitystreams#Public"},
		"cc": []string{r.forum}, "published": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)}
}

// reply sends the i-th reply (to parent-i) and returns its Create's id.
func (r *replier) reply(t *testing.T, inbox string, i int) string {
	t.Helper()
	id := fmt.Sprintf("%s/notes/reply-%d", r.srv.URL, i)
	act := map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": id + "/create", "type": "Create",
		"actor": r.actor(), "to": []string{"https://www.w3.org/ns/activitystreams#Public"}, "cc": []string{r.forum},
		"object": r.note(id, fmt.Sprintf("%s/notes/parent-%d", r.srv.URL, i))}
	body, _ := json.Marshal(act)
	req, _ := http.NewRequest("POST", inbox, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/activity+json")
	resp, err := (&http.Client{Transport: r.tr, Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", inbox, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("reply %d answered %d", i, resp.StatusCode)
	}
	return id + "/create"
}

// announceSink is a forum server following the forum: it keeps, for each
// announced activity, the ids of the Announces that carried it.
type announceSink struct {
	srv *httptest.Server
	mu  sync.Mutex
	got map[string]map[string]bool // announced activity id → Announce ids
}

func newAnnounceSink(t *testing.T) *announceSink {
	s := &announceSink{got: map[string]map[string]bool{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		var a struct {
			ID     string `json:"id"`
			Type   string `json:"type"`
			Object struct {
				ID string `json:"id"`
			} `json:"object"`
		}
		if json.Unmarshal(body, &a) == nil && a.Type == "Announce" {
			s.mu.Lock()
			if s.got[a.Object.ID] == nil {
				s.got[a.Object.ID] = map[string]bool{}
			}
			s.got[a.Object.ID][a.ID] = true
			s.mu.Unlock()
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *announceSink) announcesOf(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got[id])
}

// TestTwoProcessesApplyReceivedOnce: two `agora serve` processes share the
// inbox queue of one PostgreSQL database; replies arrive, each slow to
// apply (its parent is fetched from a server that takes 0.3 to 2.4 s), and one
// process is killed (SIGKILL) while it holds some of them. The other
// takes them over when their leases run out: every reply is stored once,
// and the forum announces each exactly once to the server following it
// (an item applied again records no second event).
func TestTwoProcessesApplyReceivedOnce(t *testing.T) {
	dbURL, redisURL := services(t, false)
	n := startLiveNodeWith(t, dbURL, redisURL, map[string]string{"AGORA_INBOX_LEASE": "3s", "AGORA_DELIVERY_LEASE": "3s"})
	forumURI := n.lb.base() + "/f/digitalisation"
	sink := newAnnounceSink(t)
	now := time.Now().UTC()
	if err := n.db.Store().SaveFollower(t.Context(), &federation.Follower{ID: forum.NewULIDs(forum.SystemClock{}, nil).New(),
		Target: forumURI, ActorURI: sink.srv.URL + "/actor", Inbox: sink.srv.URL + "/inbox", FollowID: sink.srv.URL + "/follow",
		State: federation.FollowAccepted, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	r := newReplier(t, forumURI, n.lb.base()+"/t/"+n.thread.ID, 300*time.Millisecond)

	const replies = 40
	var creates []string
	for i := range replies {
		creates = append(creates, r.reply(t, n.lb.base()+"/inbox", i))
	}
	processed := func() int {
		c, err := n.db.Bun().NewSelect().Table("inbox_items").Where("processed_at IS NOT NULL").Count(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return int(c)
	}
	testrig.EventuallyWithin(t, 60*time.Second, "a few replies applied", testrig.Holds(func() bool { return processed() >= 5 }))
	n.a.kill()
	killedAt := processed()
	testrig.EventuallyWithin(t, 120*time.Second, "every reply applied by B", testrig.Holds(func() bool {
		pending, failed, err := n.db.Store().CountInbox(t.Context())
		if err != nil || failed > 0 {
			t.Fatalf("inbox: %d failed (%v)", failed, err)
		}
		return pending == 0
	}))
	testrig.EventuallyWithin(t, 60*time.Second, "every reply announced", testrig.Holds(func() bool {
		for _, id := range creates {
			if sink.announcesOf(id) == 0 {
				return false
			}
		}
		return true
	}))
	time.Sleep(time.Second) // anything announced twice would arrive by now
	t.Logf("A killed after %d of %d replies were applied", killedAt, replies)
	for i, id := range creates {
		if got := sink.announcesOf(id); got != 1 {
			t.Errorf("reply %d announced by %d distinct Announces, want 1", i, got)
		}
		if _, err := n.svc.PostByURI(t.Context(), strings.TrimSuffix(id, "/create")); err != nil {
			t.Errorf("reply %d not stored: %v", i, err)
		}
	}
}
