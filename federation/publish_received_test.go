package federation_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/federation"
)

// announcesOf lists the Announces a peer received whose object is the
// activity id (embedded, as FEP-1b12 sends it).
func announcesOf(t *testing.T, p *secPeer, activityID string) []string {
	t.Helper()
	var ids []string
	for _, b := range p.received() {
		var doc struct {
			ID     string `json:"id"`
			Type   string `json:"type"`
			Object struct {
				ID string `json:"id"`
			} `json:"object"`
		}
		if json.Unmarshal(b, &doc) == nil && doc.Type == "Announce" && doc.Object.ID == activityID {
			ids = append(ids, doc.ID)
		}
	}
	return ids
}

// A received reply is stored with its event in one transaction, and the
// forum's Announce is derived from that event: applying the same item
// again (a retry after a crash, or a second process) announces nothing
// more. The Announce once had a new random id at every attempt.
func TestRetriedItemAnnouncesOnce(t *testing.T) {
	ctx := context.Background()
	x := newWorkerEnv(t)
	server := startSecPeer(t, "127.0.0.3:0") // a forum server following the forum
	follow := secActivity(server, "Follow", server.actor("relay"), x.forumURI)
	if got := x.node.send(t, secDelivery{body: secJSON(t, follow), keyID: server.keyID("relay"), key: secKeys().main}); got != http.StatusAccepted {
		t.Fatalf("follow answered %d", got)
	}
	secWait(t, "the server follows the forum", func() (bool, string) {
		fl, err := x.node.DB.Store().Follower(ctx, x.forumURI, server.actor("relay"))
		return err == nil && fl.State == federation.FollowAccepted, ""
	})

	a := x.fresh()
	actor := x.peer.actor(a)
	note := secNote(x.peer.base+"/notes/"+secUnique("note"), actor, x.threadURI, "Connectivity became essential.")
	note["cc"] = []any{x.forumURI}
	act := secActivity(x.peer, "Create", actor, note)
	if got := x.node.send(t, x.signedAs(t, a, act)); got != http.StatusAccepted {
		t.Fatalf("reply answered %d", got)
	}
	secWait(t, "the forum announces the reply", func() (bool, string) {
		return len(announcesOf(t, server, secID(act))) == 1, ""
	})
	first := announcesOf(t, server, secID(act))[0]

	var itemID string
	if err := x.node.DB.Bun().NewSelect().Table("inbox_items").Column("id").Where("activity_id = ?", secID(act)).Scan(ctx, &itemID); err != nil {
		t.Fatal(err)
	}
	it, err := x.node.DB.Store().InboxItem(ctx, itemID)
	if err != nil {
		t.Fatal(err)
	}
	hooks := federation.HooksOf(x.node.Federation)
	for range 2 {
		if !hooks.Process(ctx, it) {
			t.Fatal("applying the item again was not recorded")
		}
	}
	// Give the publisher and the deliveries time to send anything more.
	time.Sleep(500 * time.Millisecond)
	secWait(t, "nothing left to publish", func() (bool, string) {
		evs, err := x.node.DB.Store().UnpublishedEvents(ctx, 10)
		return err == nil && len(evs) == 0, ""
	})
	if got := announcesOf(t, server, secID(act)); len(got) != 1 || got[0] != first {
		t.Fatalf("after two more attempts the server got Announces %v; want only %s", got, first)
	}
	if !strings.Contains(first, "-announce") {
		t.Errorf("Announce id %s is not derived from the event", first)
	}
	rows, err := x.node.DB.Bun().NewSelect().Table("outbox_activities").Where("type = 'Announce'").Where("object_uri = ?", secID(act)).Count(ctx)
	if err != nil || rows != 1 {
		t.Fatalf("%d Announce rows in the outbox for one reply (err %v)", rows, err)
	}
}
