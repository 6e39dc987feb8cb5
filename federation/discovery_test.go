package federation_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
)

// TestDiscoveryAndNegotiation: WebFinger, NodeInfo and content negotiation
// of a member's URL, as another server or a browser sees them.
func TestDiscoveryAndNegotiation(t *testing.T) {
	n := secStartNode(t, false)
	n.member(t, "ana", forum.RoleMember)
	n.member(t, "bruno", forum.RoleAdmin)
	host := n.URLs.Host()
	actor := n.base + "/u/ana"

	// WebFinger.
	resp, body := n.get(t, "/.well-known/webfinger?resource="+url.QueryEscape("acct:ana@"+host), "", "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webfinger ana: %d %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/jrd+json") {
		t.Errorf("webfinger content type %q", ct)
	}
	var jrd struct {
		Subject string `json:"subject"`
		Links   []struct{ Rel, Type, Href string }
	}
	if err := json.Unmarshal(body, &jrd); err != nil {
		t.Fatalf("webfinger body: %v\n%s", err, body)
	}
	if jrd.Subject != "acct:ana@"+host {
		t.Errorf("subject %q, want acct:ana@%s", jrd.Subject, host)
	}
	self := false
	for _, l := range jrd.Links {
		if l.Rel == "self" && l.Type == "application/activity+json" && l.Href == actor {
			self = true
		}
	}
	if !self {
		t.Errorf("no self link {rel:self, type:application/activity+json, href:%s} in %s", actor, body)
	}
	for _, c := range []struct {
		resource string
		want     int
	}{
		{"acct:nobody@" + host, http.StatusNotFound},
		{"acct:ana@elsewhere.example", http.StatusBadRequest},
	} {
		resp, body := n.get(t, "/.well-known/webfinger?resource="+url.QueryEscape(c.resource), "", "", nil)
		if resp.StatusCode != c.want {
			t.Errorf("webfinger %s: %d %s, want %d", c.resource, resp.StatusCode, body, c.want)
		}
	}

	// NodeInfo: the well-known link, then the document.
	resp, body = n.get(t, "/.well-known/nodeinfo", "", "", nil)
	wantLink := `{"links":[{"rel":"http://nodeinfo.diaspora.software/ns/schema/2.1","href":"` + n.base + `/nodeinfo/2.1"}]}`
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != wantLink {
		t.Errorf("nodeinfo links: %d\n got %s\nwant %s", resp.StatusCode, body, wantLink)
	}
	resp, body = n.get(t, "/nodeinfo/2.1", "", "", nil)
	var ni struct {
		Version  string `json:"version"`
		Software struct {
			Name string `json:"name"`
		} `json:"software"`
		Protocols         []string `json:"protocols"`
		OpenRegistrations *bool    `json:"openRegistrations"`
		Usage             struct {
			Users struct {
				Total int `json:"total"`
			} `json:"users"`
			LocalPosts *int `json:"localPosts"`
		} `json:"usage"`
	}
	if err := json.Unmarshal(body, &ni); resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("nodeinfo: %d %v\n%s", resp.StatusCode, err, body)
	}
	if ni.Version != "2.1" || ni.Software.Name != "agora" || ni.OpenRegistrations == nil || *ni.OpenRegistrations ||
		ni.Usage.Users.Total != 2 || len(ni.Protocols) != 1 || ni.Protocols[0] != "activitypub" ||
		ni.Usage.LocalPosts == nil || *ni.Usage.LocalPosts != 0 {
		t.Errorf("nodeinfo: want version 2.1, software agora, activitypub, openRegistrations false, 2 users, 0 posts; got %s", body)
	}

	// Content negotiation of a member's URL.
	resp, body = n.get(t, "/u/ana", "application/activity+json", "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /u/ana as ActivityPub: %d %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, federation.ContentType) {
		t.Errorf("content type %q", ct)
	}
	if !secVaries(resp.Header) {
		t.Errorf("ActivityPub answer without Vary: Accept: %q", resp.Header.Values("Vary"))
	}
	for _, frag := range []string{
		`"id":"` + actor + `"`,
		`"type":"Person"`,
		`"preferredUsername":"ana"`,
		`"inbox":"` + actor + `/inbox"`,
		`"outbox":"` + actor + `/outbox"`,
		`"followers":"` + actor + `/followers"`,
		`"sharedInbox":"` + n.base + `/inbox"`,
		`"owner":"` + actor + `"`,
		`"id":"` + actor + `#main-key"`,
		`-----BEGIN PUBLIC KEY-----`,
	} {
		if !strings.Contains(string(body), frag) {
			t.Errorf("Person lacks %s:\n%s", frag, body)
		}
	}
	var person struct {
		Endpoints struct {
			SharedInbox string `json:"sharedInbox"`
		} `json:"endpoints"`
		PublicKey struct {
			Owner string `json:"owner"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(body, &person); err != nil || person.Endpoints.SharedInbox != n.base+"/inbox" || person.PublicKey.Owner != actor {
		t.Errorf("endpoints.sharedInbox / publicKey.owner wrong (%v):\n%s", err, body)
	}
	resp, body = n.get(t, "/u/ana", `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, "", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"type":"Person"`) {
		t.Errorf("GET /u/ana as ld+json: %d %s", resp.StatusCode, body)
	}
	resp, body = n.get(t, "/u/ana", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(strings.ToLower(string(body)), "<html") {
		t.Errorf("GET /u/ana as a browser: %d %q\n%.300s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if !secVaries(resp.Header) {
		t.Errorf("HTML answer without Vary: Accept: %q", resp.Header.Values("Vary"))
	}
}

func secVaries(h http.Header) bool {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), "Accept") {
				return true
			}
		}
	}
	return false
}
