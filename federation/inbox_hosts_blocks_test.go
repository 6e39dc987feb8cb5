package federation_test

// Requests the security suite found accepted, now refused: a signature
// meant for another host, a blocked domain behind an explicit port, and a
// blocked instance's signed GET under authorized fetch.

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
)

func TestInboxSecurityHostsAndBlocks(t *testing.T) {
	ctx := context.Background()

	// BUG 1: the signed host is never compared with the node's own host, so
	// a request signed for another server (Host: other.example) is accepted
	// when replayed to this node.
	t.Run("request signed for another server's host", func(t *testing.T) {
		n := secStartNode(t, false)
		peer := startSecPeer(t, "127.0.0.2:0")
		n.member(t, "ana", forum.RoleMember)
		act := secActivity(peer, "Follow", peer.actor("replayer"), n.URLs.Member("ana"))
		st := n.sendWithHost(t, secDelivery{body: secJSON(t, act), keyID: peer.keyID("replayer"), key: secKeys().main}, "other.example")
		if st != http.StatusUnauthorized {
			t.Errorf("status %d, want 401 (signature over host other.example, not %s)", st, n.URLs.Host())
		}
		if rows := n.inboxRows(t, secID(act)); rows != 0 {
			t.Errorf("%d inbox item(s) stored for the replayed activity", rows)
		}
	})

	// BUG 2: a domain block does not cover the same host with an explicit
	// port: blocking "evil.example" lets https://evil.example:443/… through
	// (hostOf keeps the port, DomainBlocked compares it whole). Here the
	// peer lives at 127.0.0.2:<port> and the block is "127.0.0.2".
	t.Run("block of a host, request from host:port", func(t *testing.T) {
		n := secStartNode(t, false)
		peer := startSecPeer(t, "127.0.0.2:0")
		n.member(t, "ana", forum.RoleMember)
		if err := n.DB.Store().BlockDomain(ctx, &federation.DomainBlock{Domain: "127.0.0.2", Reason: "test", CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		act := secActivity(peer, "Follow", peer.actor("porter"), n.URLs.Member("ana"))
		st := n.send(t, secDelivery{body: secJSON(t, act), keyID: peer.keyID("porter"), key: secKeys().main})
		if st != http.StatusForbidden {
			t.Errorf("status %d, want 403", st)
		}
		if got := peer.allRequests(); got != 0 {
			t.Errorf("the blocked host received %d request(s) (key fetch), want 0", got)
		}
		if rows := n.inboxRows(t, secID(act)); rows != 0 {
			t.Errorf("%d inbox item(s) stored from a blocked host", rows)
		}
	})

	// BUG 3: under authorized fetch, a signed GET from a blocked instance is
	// verified (its key fetched from the blocked host) and answered 200.
	t.Run("authorized fetch by a blocked instance", func(t *testing.T) {
		n := secStartNode(t, true)
		peer := startSecPeer(t, "127.0.0.2:0")
		n.member(t, "ana", forum.RoleMember)
		if err := n.DB.Store().BlockDomain(ctx, &federation.DomainBlock{Domain: peer.host(), Reason: "test", CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		resp, _ := n.get(t, "/u/ana", federation.ContentType, peer.keyID("mallory"), secKeys().main)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("signed GET /u/ana from a blocked instance: %d, want 403", resp.StatusCode)
		}
		if got := peer.allRequests(); got != 0 {
			t.Errorf("the blocked host received %d request(s) (key fetch), want 0", got)
		}
	})
}
