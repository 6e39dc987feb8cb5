package node_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
)

// holdingInbox makes a node's inbox hang while held: a send to it stays in
// flight, like one a crashing sender never hears back from. Held requests
// are answered 503 without being stored once released.
type holdingInbox struct {
	mu      sync.Mutex
	held    bool
	only    func(*http.Request) bool // which requests to hold; nil: all
	arrived chan struct{}
	release chan struct{}
}

func newHoldingInbox() *holdingInbox {
	return &holdingInbox{arrived: make(chan struct{}, 16), release: make(chan struct{})}
}

func (h *holdingInbox) hold(on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.held = on
}

func (h *holdingInbox) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		held := h.held && (h.only == nil || h.only(r))
		h.mu.Unlock()
		if held && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/inbox") {
			h.arrived <- struct{}{}
			<-h.release
			http.Error(w, "went away", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// TestHubKilledMidDelivery: the hub dies while a delivery is in flight (no
// outcome recorded, its lease still held). A new hub process on the same
// database claims it again once the lease runs out, and the city stores
// the activity exactly once.
func TestHubKilledMidDelivery(t *testing.T) {
	ctx := context.Background()
	lease := fastDelivery
	lease.Lease = 500 * time.Millisecond
	inbox := newHoldingInbox()
	t.Cleanup(func() { close(inbox.release) })

	hubLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hubDB := storetest.Open(t)
	hub := runPeerWith(t, "hub", hubLn, hubDB, lease, nil)
	cityLn, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	city := runPeerWith(t, "city", cityLn, storetest.Open(t), lease, inbox.wrap)

	asker := hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
	f := hub.forum(t, "digitalisation", "Learning forum on digitalisation")
	join(t, city, hub, f)

	inbox.hold(true)
	q := hub.ask(t, asker, f, "Who owns city data?", "Contracts?")
	select {
	case <-inbox.arrived: // the hub's send is now in flight
	case <-time.After(15 * time.Second):
		t.Fatal("the hub never sent the question")
	}
	// "Kill" the hub: it stops serving and working; its stuck send will
	// never record an outcome (the city holds it until the test ends).
	hub.abandon()
	inbox.hold(false)

	hub2 := runPeerWith(t, "hub", relisten(t, hubLn.Addr().String()), hubDB, lease, nil)
	qURI := hub2.URLs.Thread(q.ID)
	same(t, "the question arrives after the restart", qURI, hub2, city)
	testrig.Eventually(t, "the delivery is recorded done", func() (bool, string) {
		st, err := hubDB.Store().DeliveryStats(ctx)
		return err == nil && st.Pending == 0 && st.Done >= 1, "still pending"
	})
	th, err := city.threadOn(qURI)
	if err != nil {
		t.Fatal(err)
	}
	list, err := city.Service.ListThreads(ctx, th.ForumID, "")
	if err != nil || len(list.Threads.Items) != 1 {
		t.Fatalf("city has %d threads, want exactly 1", len(list.Threads.Items))
	}
}
