package node_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/metropolis/agora/testrig"
)

// What the visibility tests look at: everything a node shows or sends
// about a thread, as anyone (or a follower) would see it.

// get fetches a URL with an Accept header and returns the body; anything
// but 200 fails the test.
func get(t *testing.T, url, accept string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	return string(body)
}

const apAccept = `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`

// threadPage is a thread's HTML page, as a reader's browser gets it.
func threadPage(t *testing.T, p *peer, threadID string) string {
	t.Helper()
	return get(t, p.URLs.Thread(threadID), "text/html")
}

// collectionText is an ActivityPub collection and its first page, as a
// remote server reads them.
func collectionText(t *testing.T, url string) string {
	t.Helper()
	doc := get(t, url, apAccept)
	var c struct {
		First any `json:"first"`
	}
	if err := json.Unmarshal([]byte(doc), &c); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	if first, ok := c.First.(string); ok {
		doc += "\n" + get(t, first, apAccept)
	}
	return doc
}

// queuedMentioning lists the activities a node queued to send (announces,
// boosts, forwards) whose body mentions s.
func queuedMentioning(t *testing.T, p *peer, s string) []string {
	t.Helper()
	rows, err := p.DB.Bun().QueryContext(context.Background(), "SELECT type, actor_uri, body FROM outbox_activities")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var typ, actor string
		var body []byte
		if err := rows.Scan(&typ, &actor, &body); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(body), s) {
			out = append(out, typ+" by "+actor)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// inboxOutcome is how a node ended with a received activity: failed or
// not, the error recorded, and after how many attempts.
func inboxOutcome(t *testing.T, p *peer, activityID string) (failed bool, lastError string, attempts int) {
	t.Helper()
	var lastErr sql.NullString
	err := p.DB.Bun().QueryRowContext(context.Background(),
		"SELECT failed_at IS NOT NULL, last_error, attempts FROM inbox_items WHERE activity_id = ?", activityID).Scan(&failed, &lastErr, &attempts)
	if errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("%s: no inbox item for %s", p.name, activityID)
	} else if err != nil {
		t.Fatal(err)
	}
	return failed, lastErr.String, attempts
}

// receivedMentioning lists what a fake server received (type by actor)
// that mentions s anywhere.
func (s *fakeServer) receivedMentioning(needle string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, d := range s.received {
		if b, _ := json.Marshal(d.doc); strings.Contains(string(b), needle) {
			out = append(out, fmt.Sprintf("%v by %v", d.doc["type"], d.doc["actor"]))
		}
	}
	return out
}

// follow has actor (on s) follow target on p and waits until p counts it.
func (s *fakeServer) follow(t *testing.T, p *peer, actor, target string) {
	t.Helper()
	inbox, _ := actorDoc(t, target)["inbox"].(string)
	body := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s#follows/%d","type":"Follow","actor":%q,"object":%q}`,
		actor, len(target), actor, target)
	if st := s.send(delivery{KeyID: actor + "#main-key", Inbox: inbox, Body: body}); st != http.StatusAccepted {
		t.Fatalf("Follow %s: %d", target, st)
	}
	testrig.Eventually(t, actor+" follows "+target, func() (bool, string) {
		n, err := p.DB.Store().CountFollowers(context.Background(), target)
		return err == nil && n == 1, fmt.Sprint(n, err)
	})
}

// published waits until a node has applied what it received and published
// every event that left (the publisher derives announces, boosts and
// forwards from events, after the inbox item is done): only then does
// what it queued to send tell what it will ever send about those items.
func published(t *testing.T, p *peer) {
	t.Helper()
	settled(t, p)
	testrig.Eventually(t, p.name+" publishes its events", func() (bool, string) {
		var n int
		err := p.DB.Bun().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM events WHERE published_at IS NULL").Scan(&n)
		return err == nil && n == 0, fmt.Sprint(n, " unpublished, ", err)
	})
}
