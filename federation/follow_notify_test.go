package federation_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/notify"
	"github.com/metropolis/agora/testrig"
)

// TestRemoteFollowTellsTheMember: a person of another server who follows
// a member of ours is accepted, and the member is told (a follow
// notification naming the follower).
func TestRemoteFollowTellsTheMember(t *testing.T) {
	n := secStartNode(t, false)
	peer := startSecPeer(t, "127.0.0.2:0")
	ana := n.member(t, "ana", forum.RoleMember)
	act := secActivity(peer, "Follow", peer.actor("porter"), n.URLs.Member("ana"))
	if st := n.send(t, secDelivery{body: secJSON(t, act), keyID: peer.keyID("porter"), key: secKeys().main}); st != http.StatusAccepted {
		t.Fatalf("follow: %d", st)
	}
	testrig.Eventually(t, "ana told of porter's follow", func() (bool, string) {
		ns, err := n.Notify.Store.ListNotifications(t.Context(), ana.ID, "", 10)
		if err != nil {
			return false, err.Error()
		}
		for _, x := range ns {
			if x.Kind != notify.KindFollow {
				continue
			}
			ms, err := n.Service.Members(t.Context(), []forum.ID{x.ActorID})
			if err != nil {
				return false, err.Error()
			}
			if m := ms[x.ActorID]; m != nil && m.URI == peer.actor("porter") {
				return true, ""
			}
			return false, fmt.Sprintf("follow notification by %s", x.ActorID)
		}
		return false, fmt.Sprintf("%d notifications, none a follow", len(ns))
	})
}
