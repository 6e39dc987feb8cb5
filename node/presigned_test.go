package node_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
)

// rigAna is a remote account the node already knows (as if fetched at the
// rig's Epoch), so that activities signed by her need no fetch and can be
// presigned: hosts, ids, Date and signature are the same on every run.
const (
	rigAna     = "https://remote.test/users/ana"
	rigNodeURL = "http://agora.test"
)

func rigFollow(n int) string {
	return fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"%s#follows/%d","type":"Follow",`+
		`"actor":"%s","object":"%s/f/digitalisation"}`, rigAna, n, rigAna, rigNodeURL)
}

// rigClockNode serves a node at rigNodeURL (on a loopback port) whose
// clock is clock; its workers do not run.
func rigClockNode(t *testing.T, clock forum.Clock) (*node.Node, string) {
	t.Helper()
	var ids forum.IDs
	if c, ok := clock.(*testrig.Clock); ok {
		ids = testrig.IDs(c)
	}
	cfg := testConfig("agora.test", rigNodeURL, storetest.Open(t))
	cfg.AllowLoopbackPeers = false // it talks to nobody
	cfg.Clock, cfg.IDs = clock, ids
	n, err := node.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ana := testrig.Key(t, "remote-mastodon")
	if err := n.DB.Store().SaveRemoteActor(t.Context(), &federation.RemoteActor{URI: rigAna, Type: "Person", Username: "ana",
		Domain: "remote.test", Inbox: rigAna + "/inbox", KeyID: rigAna + "#main-key", PublicKeyPEM: ana.PublicPEM,
		Document: []byte(`{"id":"` + rigAna + `","type":"Person"}`), FetchedAt: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Service.CreateForum(t.Context(), forum.SystemActor(), forum.ForumInput{Slug: "digitalisation", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Learning forum on digitalisation"}}}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(n.Handler)
	t.Cleanup(srv.Close)
	return n, srv.Listener.Addr().String()
}

// A node checks a signature's Date against its own clock: on the rig's
// clock it accepts activities presigned at the rig's Epoch, and refuses
// them once its clock has moved on beyond the window, or when it runs on
// the real clock.
func TestPresignedActivities(t *testing.T) {
	key := testrig.Key(t, "remote-mastodon")
	presign := func(n int) *testrig.Presigned {
		return testrig.Presign(t, key, rigAna+"#main-key", rigNodeURL+"/inbox", rigFollow(n), testrig.Epoch)
	}

	clock := testrig.NewClock()
	n, addr := rigClockNode(t, clock)
	if st, body := presign(1).SendTo(t, addr); st != http.StatusAccepted {
		t.Fatalf("at Epoch: %d %s, want 202", st, body)
	}
	if pending, _, err := n.DB.Store().CountInbox(context.Background()); err != nil || pending != 1 {
		t.Errorf("the inbox holds %d (err %v), want the Follow", pending, err)
	}
	clock.Advance(2 * time.Hour)
	if st, body := presign(2).SendTo(t, addr); st != http.StatusUnauthorized || !strings.Contains(body, "date") {
		t.Errorf("two hours after Epoch: %d %s, want 401 for the Date", st, body)
	}

	_, realAddr := rigClockNode(t, forum.SystemClock{})
	if st, body := presign(3).SendTo(t, realAddr); st != http.StatusUnauthorized || !strings.Contains(body, "date") {
		t.Errorf("a node on the real clock: %d %s, want 401 for the Date", st, body)
	}
}
