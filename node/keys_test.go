package node_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/metropolis/agora/federation/keys"
	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/storage/storetest"
	"github.com/metropolis/agora/testrig"
)

// keyedNode serves a node whose actors' keys come from keys (nil: the
// production default), without its background workers.
func keyedNode(t *testing.T, ks keys.Source) (*node.Node, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	cfg := testConfig("keys", base, storetest.Open(t))
	cfg.Keys = ks
	n, err := node.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = n.Handler
	srv.Start()
	t.Cleanup(srv.Close)
	return n, base
}

// publishedKey is the public key of the instance actor as a peer reads it.
func publishedKey(t *testing.T, n *node.Node) string {
	t.Helper()
	doc := actorDoc(t, n.Federation.InstanceActorURI())
	pk, _ := doc["publicKey"].(map[string]any)
	pem, _ := pk["publicKeyPem"].(string)
	if pem == "" {
		t.Fatalf("the instance actor publishes no key: %v", doc)
	}
	return pem
}

// A node given the rig's keys publishes the first of them for its first
// actor, and signs its requests with it.
func TestNodeWithRigKeys(t *testing.T) {
	n, _ := keyedNode(t, testrig.NodeKeys())
	want := testrig.NodeKey(t, 0)
	if got := publishedKey(t, n); got != want.PublicPEM {
		t.Fatalf("the instance actor publishes\n%s\nwant the rig's node-00\n%s", got, want.PublicPEM)
	}

	// The node signs a fetch (here: of a forum to join) as its instance
	// actor; the signature verifies with the rig's public key.
	var mu sync.Mutex
	var fetched []*http.Request
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fetched = append(fetched, r.Clone(context.Background()))
		mu.Unlock()
		http.NotFound(w, r)
	}))
	t.Cleanup(remote.Close)
	admin, err := n.Service.CreateMember(t.Context(), forum.SystemActor(), forum.NewAccount{Username: "secretariat", Password: testrig.Password,
		Profile: forum.Profile{DisplayName: "Metropolis Secretariat"}}, forum.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Federation.Join(t.Context(), admin, remote.URL+"/groups/mobility"); err == nil {
		t.Fatal("joined a forum the remote server does not have")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(fetched) == 0 {
		t.Fatal("the node fetched nothing")
	}
	keyID := n.URLs.KeyID(n.URLs.InstanceActor())
	res, err := signature.Verify(fetched[0], nil, keyMap{keyID: want.Signer.Public()}, signature.Options{})
	if err != nil {
		t.Fatalf("the node's fetch does not verify with the rig's key: %v (Signature: %s)", err, fetched[0].Header.Get("Signature"))
	}
	if res.KeyID != keyID {
		t.Errorf("signed as %s, want the instance actor %s", res.KeyID, keyID)
	}
}

// Without a key source, as in production, every node generates its own
// RSA-2048 keys: none is a rig key, and two nodes' keys differ.
func TestNodeGeneratesKeysByDefault(t *testing.T) {
	a, _ := keyedNode(t, nil)
	b, _ := keyedNode(t, nil)
	keyA, keyB := publishedKey(t, a), publishedKey(t, b)
	if keyA == keyB {
		t.Fatal("two nodes publish the same key")
	}
	for i := range testrig.NodeKeyCount {
		if rig := testrig.NodeKey(t, i); keyA == rig.PublicPEM || keyB == rig.PublicPEM {
			t.Fatalf("a node without a key source publishes the rig's %s", rig.Name)
		}
	}
	pub, err := signature.ParsePublicPEM(keyA)
	if err != nil {
		t.Fatal(err)
	}
	if rk, ok := pub.(*rsa.PublicKey); !ok || rk.N.BitLen() != signature.RSABits {
		t.Errorf("generated key: %T, want RSA-%d", pub, signature.RSABits)
	}
}

// keyMap resolves key ids from a map.
type keyMap map[string]crypto.PublicKey

func (m keyMap) PublicKey(_ context.Context, keyID string, _ bool) (crypto.PublicKey, error) {
	if k, ok := m[keyID]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("unknown key %s", keyID)
}
