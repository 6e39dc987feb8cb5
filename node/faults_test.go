package node_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

// restart brings a stopped peer back on the same address and database.
func (p *peer) restart(t *testing.T) *peer {
	t.Helper()
	return runPeer(t, p.name, relisten(t, p.ln.Addr().String()), p.DB)
}

// relisten listens again on an address just closed.
func relisten(t *testing.T, addr string) net.Listener {
	t.Helper()
	var ln net.Listener
	// The port may take a moment to be free again.
	testrig.Eventually(t, "listening again on "+addr, func() (bool, string) {
		var err error
		ln, err = net.Listen("tcp", addr)
		return err == nil, fmt.Sprint(err)
	})
	return ln
}

// joinedCluster is a hub with a forum and a city that joined it.
func joinedCluster(t *testing.T) (hub, city *peer, f *forum.Forum, asker, member *forum.Member) {
	t.Helper()
	hub = startPeer(t, "hub", 1)
	city = startPeer(t, "city", 2)
	asker = hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
	member = city.member(t, "tendai", "Tendai Moyo", "Harare", forum.RoleMember, "en")
	f = hub.forum(t, "digitalisation", "Learning forum on digitalisation")
	join(t, city, hub, f)
	return hub, city, f, asker, member
}

// TestCityDownThenBack: a city is down while the hub posts; when it comes
// back, retries bring it everything.
func TestCityDownThenBack(t *testing.T) {
	ctx := context.Background()
	hub, city, f, asker, _ := joinedCluster(t)
	city.stop()
	q := hub.ask(t, asker, f, "Open data portals: what worked?", "Tell us.")
	if _, err := hub.Service.Reply(ctx, asker, q.ID, "", forum.Answer{Body: "Start with budgets.", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	testrig.Eventually(t, "deliveries fail while the city is down", func() (bool, string) {
		st, err := hub.DB.Store().DeliveryStats(ctx)
		return err == nil && st.Pending >= 2, "not yet attempted"
	})
	city = city.restart(t)
	got := same(t, "the city catches up", hub.URLs.Thread(q.ID), hub, city)
	if want := "Start with budgets."; !strings.Contains(got, want) {
		t.Errorf("answer missing after recovery:\n%s", got)
	}
}

// TestHubRestartLosesNothing: the hub stops with activities still queued
// (the city is down); after both come back, everything arrives once.
func TestHubRestartLosesNothing(t *testing.T) {
	ctx := context.Background()
	hub, city, f, asker, _ := joinedCluster(t)
	city.stop()
	q := hub.ask(t, asker, f, "Digital literacy for older residents", "Ideas?")
	testrig.Eventually(t, "queued for the city", func() (bool, string) {
		st, err := hub.DB.Store().DeliveryStats(ctx)
		return err == nil && st.Pending >= 1, "nothing queued"
	})
	hub.stop() // with its queue in the database
	// A change made while the hub's workers are down waits in its event log.
	if _, err := hub.Service.Reply(ctx, asker, q.ID, "", forum.Answer{Body: "Workshops in libraries.", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	city = city.restart(t)
	hub = hub.restart(t)
	got := same(t, "everything arrives after restarts", hub.URLs.Thread(q.ID), hub, city)
	if !strings.Contains(got, "Workshops in libraries.") {
		t.Errorf("answer lost:\n%s", got)
	}
	th, err := city.threadOn(hub.URLs.Thread(q.ID))
	if err != nil {
		t.Fatal(err)
	}
	if th.ReplyCount != 1 {
		t.Errorf("city counts %d answers, want 1 (no duplicate)", th.ReplyCount)
	}
}

// TestDuplicateAnswerStoredOnce: the same answer reaching the hub twice
// (direct, and again after a retry) is one post.
func TestDuplicateAnswerStoredOnce(t *testing.T) {
	ctx := context.Background()
	hub, city, f, asker, member := joinedCluster(t)
	q := hub.ask(t, asker, f, "Smart city procurement", "How?")
	qURI := hub.URLs.Thread(q.ID)
	same(t, "question reaches the city", qURI, hub, city)
	tc, _ := city.threadOn(qURI)
	a := city.reply(t, member, tc.ID, "Open standards first.")
	same(t, "answer reaches the hub", qURI, hub, city)
	// Replay every activity the city sent: deliveries back to pending.
	if _, err := city.DB.Bun().NewUpdate().Table("deliveries").Set("state = 'pending', lease_until = NULL, next_attempt_at = ?", time.Now().Add(-time.Second)).Where("1 = 1").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	city.Federation.Notify()
	testrig.Eventually(t, "replays sent", func() (bool, string) {
		st, err := city.DB.Store().DeliveryStats(ctx)
		return err == nil && st.Pending == 0, "replays pending"
	})
	same(t, "still one answer", qURI, hub, city)
	th, _ := hub.Service.Thread(ctx, q.ID)
	if th.ReplyCount != 1 {
		t.Errorf("hub counts %d answers after replays, want 1", th.ReplyCount)
	}
	if p, err := hub.Service.PostByURI(ctx, city.URLs.Post(a.ID)); err != nil || p.Deleted() {
		t.Errorf("hub copy = %v, %v", p, err)
	}
}
