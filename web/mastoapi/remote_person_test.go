package mastoapi_test

import (
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/testrig"
)

// fakeMastodon is a Mastodon server on loopback as far as following its
// people goes: it serves Person actors with the rig's keys, keeps what
// reaches their inboxes (only requests whose signature verifies against
// the sender's published key), and posts their activities, signed, to a
// node's shared inbox.
type fakeMastodon struct {
	t    *testing.T
	base string // http://127.0.0.1:port
	mu   sync.Mutex
	got  []receivedActivity
}

// receivedActivity is an activity that reached one of its inboxes.
type receivedActivity struct {
	Inbox string // the person's name
	KeyID string // who signed it
	Doc   map[string]any
}

// fakePeople are its people and the rig keys they sign with.
var fakePeople = map[string]string{"ana": "remote-mastodon", "bo": "remote-other"}

func newFakeMastodon(t *testing.T) *fakeMastodon {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fm := &fakeMastodon{t: t, base: "http://" + ln.Addr().String()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{name}", fm.actor)
	mux.HandleFunc("POST /users/{name}/inbox", fm.inbox)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return fm
}

func (fm *fakeMastodon) actorURI(name string) string { return fm.base + "/users/" + name }

func (fm *fakeMastodon) actor(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	keyName, ok := fakePeople[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	id := fm.actorURI(name)
	doc := map[string]any{"@context": []string{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
		"id": id, "type": "Person", "preferredUsername": name, "name": strings.ToUpper(name[:1]) + name[1:],
		"inbox": id + "/inbox", "outbox": id + "/outbox", "followers": id + "/followers", "url": fm.base + "/@" + name,
		"manuallyApprovesFollowers": true,
		"publicKey":                 map[string]any{"id": id + "#main-key", "owner": id, "publicKeyPem": testrig.Key(fm.t, keyName).PublicPEM}}
	w.Header().Set("Content-Type", "application/activity+json")
	_ = json.NewEncoder(w).Encode(doc)
}

// inbox keeps an activity whose signature verifies with the key its
// keyId names (fetched from the sender, as Mastodon does).
func (fm *fakeMastodon) inbox(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	res, err := signature.Verify(r, body, senderKeys{}, signature.Options{})
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fm.mu.Lock()
	fm.got = append(fm.got, receivedActivity{Inbox: r.PathValue("name"), KeyID: res.KeyID, Doc: doc})
	fm.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

// String lists what reached the inboxes so far (for a failure's message),
// read under the lock the inbox handler writes under.
func (fm *fakeMastodon) String() string {
	fm.mu.Lock()
	defer fm.mu.Unlock()
	return fmt.Sprint(fm.got)
}

// received lists the activities of a type that reached inbox.
func (fm *fakeMastodon) received(inbox, typ string) []receivedActivity {
	fm.mu.Lock()
	defer fm.mu.Unlock()
	var out []receivedActivity
	for _, a := range fm.got {
		if a.Inbox == inbox && a.Doc["type"] == typ {
			out = append(out, a)
		}
	}
	return out
}

// senderKeys fetches a sender's key from its actor document.
type senderKeys struct{}

func (senderKeys) PublicKey(ctx context.Context, keyID string, _ bool) (crypto.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.Split(keyID, "#")[0], nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var actor struct {
		PublicKey struct {
			ID  string `json:"id"`
			PEM string `json:"publicKeyPem"`
		} `json:"publicKey"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&actor); err != nil {
		return nil, fmt.Errorf("actor of %s: %w", keyID, err)
	}
	if actor.PublicKey.ID != keyID {
		return nil, fmt.Errorf("key %s: the actor publishes %s", keyID, actor.PublicKey.ID)
	}
	return signature.ParsePublicPEM(actor.PublicKey.PEM)
}

// send posts an activity of one of its people, signed with their key, to
// the node's shared inbox, and wants it accepted (202).
func (fm *fakeMastodon) send(s *site, name string, activity map[string]any) {
	fm.t.Helper()
	activity["@context"] = "https://www.w3.org/ns/activitystreams"
	activity["actor"] = fm.actorURI(name)
	body, err := json.Marshal(activity)
	if err != nil {
		fm.t.Fatal(err)
	}
	inbox := s.node.URLs.SharedInbox()
	p := testrig.Presign(fm.t, testrig.Key(fm.t, fakePeople[name]), fm.actorURI(name)+"#main-key", inbox, string(body), time.Now())
	u, _ := url.Parse(inbox)
	if code, answer := p.SendTo(fm.t, u.Host); code != http.StatusAccepted {
		fm.t.Fatalf("%s's %s: %d %s", name, activity["type"], code, answer)
	}
}

// note is a status of one of its people, addressed as Mastodon does for
// a visibility: public (to Public), unlisted (cc Public), private
// (followers only).
func (fm *fakeMastodon) note(name, id, visibility, content string) map[string]any {
	actor := fm.actorURI(name)
	to, cc := []string{"https://www.w3.org/ns/activitystreams#Public"}, []string{actor + "/followers"}
	switch visibility {
	case "unlisted":
		to, cc = cc, to
	case "private":
		to, cc = []string{actor + "/followers"}, []string{}
	}
	return map[string]any{"id": actor + "/statuses/" + id, "type": "Note", "attributedTo": actor, "content": content,
		"url": fm.base + "/@" + name + "/" + id, "published": "2026-12-01T10:00:00Z", "to": to, "cc": cc,
		"contentMap": map[string]string{"en": content}}
}

// create wraps a note in its Create, addressed like it.
func create(note map[string]any) map[string]any {
	return map[string]any{"id": note["id"].(string) + "/activity", "type": "Create", "object": note,
		"to": note["to"], "cc": note["cc"], "published": note["published"]}
}
