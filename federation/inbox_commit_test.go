package federation_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/metropolis/agora/forum"
)

// TestInboxGroupCommit: activities arriving together are stored together
// (group commit), each exactly once: every delivery, the duplicates sent at
// the same moment included, is answered 202 only when its row is stored.
func TestInboxGroupCommit(t *testing.T) {
	n := secStartNode(t, false)
	peer := startSecPeer(t, "127.0.0.2:0")
	n.member(t, "ana", forum.RoleMember)
	const distinct, copies = 24, 2
	var acts []map[string]any
	for range distinct {
		acts = append(acts, secActivity(peer, "Follow", peer.actor("porter"), n.URLs.Member("ana")))
	}
	statuses := make(chan int, distinct*copies)
	var wg sync.WaitGroup
	for _, act := range acts {
		body := secJSON(t, act)
		for range copies {
			wg.Go(func() {
				statuses <- n.send(t, secDelivery{body: body, keyID: peer.keyID("porter"), key: secKeys().main})
			})
		}
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != http.StatusAccepted {
			t.Errorf("status %d, want 202", st)
		}
	}
	for _, act := range acts {
		if rows := n.inboxRows(t, secID(act)); rows != 1 {
			t.Errorf("%s: %d inbox rows, want 1", secID(act), rows)
		}
	}
	if got := n.allInboxRows(t); got != distinct {
		t.Errorf("%d inbox rows in all, want %d", got, distinct)
	}
}
