package federation_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage/storetest"
)

// outageDo sends req (signed as keyID when set) and returns its status and
// Retry-After.
func outageDo(t *testing.T, req *http.Request, keyID string) (int, string) {
	t.Helper()
	rt := http.RoundTripper(&http.Transport{DisableKeepAlives: true})
	if keyID != "" {
		rt = &signature.Transport{Base: rt, KeyID: keyID, Key: secKeys().main}
	}
	resp, err := (&http.Client{Transport: rt, Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// With the database cut off, ActivityPub documents, discovery and the inbox
// answer 503 with Retry-After: a peer retries later instead of taking an
// object for missing, a signature for invalid, or an activity for stored.
func TestDatabaseOutageServer(t *testing.T) {
	for _, b := range storetest.OutageBackends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, outage := b.Open(t)
			n := secStartNodeOn(t, db, false)
			peer := startSecPeer(t, "127.0.0.2:0")
			admin := n.member(t, "secretariat", forum.RoleAdmin)
			fo, err := n.Service.CreateForum(context.Background(), forum.SystemActor(), forum.ForumInput{Slug: "outage", Language: "en",
				Texts: map[string]forum.ForumText{"en": {Title: "Outage forum"}}})
			if err != nil {
				t.Fatal(err)
			}
			q, err := n.Service.Ask(context.Background(), admin, fo.ID, forum.Question{Title: "Who keeps the lights on?", Body: "Tell us.", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			x := &secEnv{node: n, peer: peer, threadID: q.ID, threadURI: n.URLs.Thread(q.ID), forumURI: n.URLs.Forum("outage")}
			inbox := func(name string) (int, string) {
				act, _ := x.create(name)
				req, _ := http.NewRequest(http.MethodPost, n.base+"/inbox", bytes.NewReader(secJSON(t, act)))
				req.Header.Set("Content-Type", "application/activity+json")
				return outageDo(t, req, peer.keyID(name))
			}
			get := func(path, accept string) (int, string) {
				req, _ := http.NewRequest(http.MethodGet, n.base+path, nil)
				req.Header.Set("Accept", accept)
				return outageDo(t, req, "")
			}
			known := x.fresh()
			knownAct, _ := x.create(known)
			req, _ := http.NewRequest(http.MethodPost, n.base+"/inbox", bytes.NewReader(secJSON(t, knownAct)))
			req.Header.Set("Content-Type", "application/activity+json")
			if st, _ := outageDo(t, req, peer.keyID(known)); st != http.StatusAccepted {
				t.Fatalf("inbox before the outage: %d", st)
			}
			secWait(t, "the activity applied", func() (bool, string) { return n.inboxSettled(t, secID(knownAct)) })
			// A delivery refused at the door reads the blocked instances
			// (into memory) and writes nothing: the inbox cases below meet
			// the database first in the sender's key.
			req, _ = http.NewRequest(http.MethodPost, n.base+"/inbox", bytes.NewReader([]byte("{}")))
			req.Header.Set("Content-Type", "text/plain")
			if st, _ := outageDo(t, req, peer.keyID(known)); st != http.StatusUnsupportedMediaType {
				t.Fatalf("wrong content type: %d", st)
			}

			outage.Cut()

			const ap = "application/activity+json"
			for _, c := range []struct{ name, method, path, accept, signer string }{
				{"member actor", "GET", "/u/secretariat", ap, ""},
				{"forum actor", "GET", "/f/outage", ap, ""},
				{"question", "GET", "/t/" + q.ID, ap, ""},
				{"webfinger of a member", "GET", "/.well-known/webfinger?resource=" + url.QueryEscape("acct:secretariat@"+n.URLs.Host()), "", ""},
				{"webfinger of a thread", "GET", "/.well-known/webfinger?resource=" + url.QueryEscape("acct:t-"+q.ID+"@"+n.URLs.Host()), "", ""},
				{"nodeinfo", "GET", "/nodeinfo/2.1", "", ""},
				{"inbox, sender's key in memory", "POST", "", "", known},
				{"inbox, sender's key never seen", "POST", "", "", x.fresh()},
			} {
				var st int
				var retry string
				if c.method == "POST" {
					st, retry = inbox(c.signer)
				} else {
					st, retry = get(c.path, c.accept)
				}
				if st != http.StatusServiceUnavailable || retry == "" {
					t.Errorf("%s during the outage: %d, Retry-After %q; want 503 with Retry-After", c.name, st, retry)
				}
			}

			outage.Restore()

			if st, _ := inbox(x.fresh()); st != http.StatusAccepted {
				t.Errorf("inbox after the outage: %d", st)
			}
			if st, _ := get("/u/secretariat", ap); st != http.StatusOK {
				t.Errorf("actor after the outage: %d", st)
			}
		})
	}
}
