package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/testrig"
)

// refusingPeer is a remote server on 127.0.0.3 with one actor, mallory,
// whose activities the node accepts (signed) and then refuses; every other
// path is 404.
type refusingPeer struct {
	base  string
	actor string
	send  func(inbox, body string) int // signed as mallory; returns the status
}

func startRefusingPeer(t *testing.T) *refusingPeer {
	t.Helper()
	rk := testrig.Key(t, "remote-mallory")
	key, pem := rk.Signer, rk.PublicPEM
	ln, err := net.Listen("tcp", "127.0.0.3:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	actor := base + "/users/mallory"
	doc, _ := json.Marshal(map[string]any{
		"@context": []string{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
		"id":       actor, "type": "Person", "preferredUsername": "mallory", "name": "Mallory",
		"inbox": actor + "/inbox", "outbox": actor + "/outbox", "followers": actor + "/followers",
		"publicKey": map[string]string{"id": actor + "#main-key", "owner": actor, "publicKeyPem": pem},
	})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/users/mallory" {
			w.Header().Set("Content-Type", "application/activity+json")
			_, _ = w.Write(doc)
			return
		}
		http.NotFound(w, r)
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	p := &refusingPeer{base: base, actor: actor}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &signature.Transport{KeyID: actor + "#main-key", Key: key}}
	p.send = func(inbox, body string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, inbox, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/activity+json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", inbox, err)
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode
	}
	return p
}

// TestRefusedActivitiesAreVisible: two signed activities the node accepts
// (202) and then cannot apply — a Create of an object type it does not
// handle, and a reply whose parent its origin answers 404 for — are listed
// with their reasons by `agora admin federation inbox`, shown on the admin
// page and counted in /metrics.
func TestRefusedActivitiesAreVisible(t *testing.T) {
	data := t.TempDir()
	n := startNode(t, []string{"serve", "--listen", "127.0.0.1:0", "--data", data, "--allow-loopback-peers", "true"}, nil)
	defer n.stop()
	base := "http://" + n.addr
	link := regexp.MustCompile(regexp.QuoteMeta(base) + `/login/token/[A-Za-z0-9_-]+`).FindString(n.stdout.String())
	if link == "" {
		t.Fatalf("no sign-in link in stdout:\n%s", n.stdout)
	}

	peer := startRefusingPeer(t)
	host := strings.TrimPrefix(peer.base, "http://")
	const public = "https://www.w3.org/ns/activitystreams#Public"
	audio, _ := json.Marshal(map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       peer.base + "/activities/1", "type": "Create", "actor": peer.actor, "to": []string{public},
		"object": map[string]any{"id": peer.base + "/audio/1", "type": "Audio", "attributedTo": peer.actor,
			"name": "A song", "to": []string{public}, "url": peer.base + "/audio/1.mp3"},
	})
	reply, _ := json.Marshal(map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       peer.base + "/activities/2", "type": "Create", "actor": peer.actor, "to": []string{public},
		"object": map[string]any{"id": peer.base + "/notes/2", "type": "Note", "attributedTo": peer.actor,
			"content": "<p>Agreed!</p>", "inReplyTo": peer.base + "/notes/missing", "to": []string{public},
			"published": "2026-11-30T10:00:00Z"},
	})
	for _, body := range [][]byte{audio, reply} {
		if status := peer.send(base+"/inbox", string(body)); status != http.StatusAccepted {
			t.Fatalf("POST /inbox = %d, want 202", status)
		}
	}

	// The command lists both, newest first, with their host, type and reason.
	var out string
	testrig.EventuallyWithin(t, 20*time.Second, "two refusals listed", testrig.Holds(func() bool {
		out = mustRun(t, data, "admin", "federation", "inbox")
		return strings.Contains(out, "(2 of 2 kept)")
	}))
	rows := refusalLine.FindAllStringSubmatch(out, -1)
	if len(rows) != 2 {
		t.Fatalf("want 2 refusal rows, got %d:\n%s", len(rows), out)
	}
	for i, want := range []struct{ reason, detail string }{
		{"gone", "reply " + peer.base + "/notes/2: reply to " + peer.base + "/notes/missing, which its origin no longer has"},
		{"unsupported", `parse: ap: Create object: ap: unsupported type "Audio"`},
	} {
		if r := rows[i]; r[1] != host || r[2] != "Create" || r[3] != want.reason || r[4] != want.detail {
			t.Errorf("row %d = host %q, type %q, reason %q, detail %q; want %s Create %s %q", i, r[1], r[2], r[3], r[4],
				host, want.reason, want.detail)
		}
	}
	wantLine(t, out, "unsupported", "1")
	wantLine(t, out, "gone", "1")
	wantLine(t, out, "total", "2")

	// Filters.
	for _, tt := range []struct {
		args []string
		want []string // reasons listed
	}{
		{[]string{"--reason", "gone"}, []string{"gone"}},
		{[]string{"--host", strings.ToUpper(host)}, []string{"gone", "unsupported"}},
		{[]string{"--host", "elsewhere.example"}, nil},
		{[]string{"--limit", "1"}, []string{"gone"}},
	} {
		out := mustRun(t, data, append([]string{"admin", "federation", "inbox"}, tt.args...)...)
		var got []string
		for _, r := range refusalLine.FindAllStringSubmatch(out, -1) {
			got = append(got, r[3])
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("inbox %v lists %v, want %v:\n%s", tt.args, got, tt.want, out)
		}
	}
	if code, _, stderr := runAdmin(t, data, "admin", "federation", "inbox", "--reason", "spam"); code != 2 ||
		!strings.Contains(stderr, `unknown reason "spam"`) {
		t.Errorf("--reason spam: exit %d, %q; want 2, unknown reason", code, stderr)
	}

	// The admin page shows them.
	c := newClient(t)
	if status, _ := c.post(link, url.Values{"password": {"correct horse battery staple"}}); status != http.StatusSeeOther {
		t.Fatalf("set the admin's password: %d", status)
	}
	status, page := c.get(base + "/admin/federation")
	if status != http.StatusOK {
		t.Fatalf("GET /admin/federation = %d", status)
	}
	for _, want := range []string{"Activities refused", `<td data-label="Server">` + host + `</td><td data-label="Activity">Create</td>`,
		"Not supported <code>unsupported</code>", "Deleted <code>gone</code>", "unsupported type &#34;Audio&#34;"} {
		if !strings.Contains(page, want) {
			t.Errorf("the admin page lacks %q", want)
		}
	}

	// /metrics counts them by reason.
	status, metrics := c.get(base + "/metrics")
	if status != http.StatusOK {
		t.Fatalf("GET /metrics = %d", status)
	}
	for _, want := range []string{`agora_inbox_refused_total{reason="gone"} 1`, `agora_inbox_refused_total{reason="unsupported"} 1`} {
		if !strings.Contains(metrics, want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// refusalLine is a row of `admin federation inbox`: time, host, type,
// reason, detail.
var refusalLine = regexp.MustCompile(`(?m)^  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+(\S+)\s+(\S+)\s+(\S+)\s+(.*?)\s*$`)
