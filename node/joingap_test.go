package node_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
)

// TestJoinGapIsBackfilled: an answer the hub stores after a city's first
// backfill but before it accepts the city's follow was announced to the
// followers of the time, not to the city. The city backfills again when
// the Accept comes, and gets it.
func TestJoinGapIsBackfilled(t *testing.T) {
	ctx := context.Background()
	hubInbox := newHoldingInbox()
	t.Cleanup(func() { close(hubInbox.release) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hub := runPeerWith(t, "hub", ln, storetest.Open(t), fastDelivery, hubInbox.wrap)
	a := startPeer(t, "city-a", 2)
	b := startPeer(t, "city-b", 3)
	asker := hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
	ana := a.member(t, "ana", "Ana", "City A", forum.RoleMember, "en")
	f := hub.forum(t, "digitalisation", "Learning forum on digitalisation")
	q := hub.ask(t, asker, f, "Public wifi: worth it?", "Costs?")
	qURI := hub.URLs.Thread(q.ID)
	if _, err := a.Federation.Join(ctx, forum.SystemActor(), hub.URLs.Forum(f.Slug)); err != nil {
		t.Fatal(err)
	}
	same(t, "city A has the question", qURI, hub, a)

	// City B joins, but the hub holds B's Follow.
	bHost := b.URLs.Host()
	hubInbox.mu.Lock()
	hubInbox.only = func(r *http.Request) bool { return strings.Contains(r.Header.Get("Signature"), bHost) }
	hubInbox.mu.Unlock()
	hubInbox.hold(true)
	if _, err := b.Federation.Join(ctx, forum.SystemActor(), hub.URLs.Forum(f.Slug)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-hubInbox.arrived:
	case <-time.After(15 * time.Second):
		t.Fatal("city B's follow never reached the hub")
	}
	// Meanwhile city A answers; the hub announces it to A alone.
	ta, _ := a.threadOn(qURI)
	if _, err := a.Service.Reply(ctx, ana, ta.ID, "", forum.Answer{Body: "Yes, with a sponsor.", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	testrig.Eventually(t, "the answer reaches the hub", func() (bool, string) {
		th, err := hub.Service.Thread(ctx, q.ID)
		return err == nil && th.ReplyCount == 1, "not yet"
	})
	hubInbox.hold(false)
	hubInbox.release <- struct{}{} // the held Follow is answered 503; B retries
	got := same(t, "city B catches up when its follow is accepted", qURI, hub, a, b)
	if !strings.Contains(got, "Yes, with a sponsor.") {
		t.Errorf("city B lacks the answer:\n%s", got)
	}
}
