package testrig

import (
	"crypto"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/metropolis/agora/federation/signature"
)

// The rig's keys are made once and committed (testdata/keys/*.pem, PKCS#8,
// made with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`
// and one with `-algorithm ed25519`): generating an RSA-2048 key costs
// 50–200 ms, and a suite that starts dozens of nodes and fake servers paid
// that on every run. They sign nothing outside tests.
//
// remote-* are the keys of the foreign servers tests imitate, one per
// server; node-* are handed out in order to the actors of a node under test
// (NodeKeys).

//go:embed testdata/keys/*.pem
var keyFiles embed.FS

// RigKey is one of the rig's fixed keys.
type RigKey struct {
	Name      string
	Signer    crypto.Signer // *rsa.PrivateKey or ed25519.PrivateKey
	PublicPEM string        // as an actor's publicKeyPem carries it
}

// keys parses the committed keys once per test binary (parsing is cheap;
// this only keeps the results).
var keys = sync.OnceValues(func() (map[string]*RigKey, error) {
	files, err := fs.Glob(keyFiles, "testdata/keys/*.pem")
	if err != nil {
		return nil, err
	}
	out := map[string]*RigKey{}
	for _, f := range files {
		b, err := keyFiles.ReadFile(f)
		if err != nil {
			return nil, err
		}
		signer, err := signature.ParsePrivatePEM(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		pub, err := signature.EncodePublicPEM(signer.Public())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		name := strings.TrimSuffix(path.Base(f), ".pem")
		out[name] = &RigKey{Name: name, Signer: signer, PublicPEM: pub}
	}
	return out, nil
})

// Key returns the fixed key called name (e.g. "remote-mastodon"); an
// unknown name fails the test with the names there are.
func Key(t testing.TB, name string) *RigKey {
	t.Helper()
	k, err := lookupKey(name)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return k
}

func lookupKey(name string) (*RigKey, error) {
	all, err := keys()
	if err != nil {
		return nil, fmt.Errorf("testrig keys: %w", err)
	}
	if k, ok := all[name]; ok {
		return k, nil
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("testrig: no key %q (there are %s); add one to testrig/testdata/keys", name, strings.Join(names, ", "))
}

// NodeKeyCount is how many node-* keys there are: the most actor keys one
// node of the suite needs is 4 (instance, a member, a forum, a thread).
const NodeKeyCount = 12

// NodeKey is the i-th key NodeKeys hands out (0 ≤ i < NodeKeyCount).
func NodeKey(t testing.TB, i int) *RigKey {
	t.Helper()
	return Key(t, fmt.Sprintf("node-%02d", i))
}

// NodeKeys is a key source for a node under test (node.Config.Keys,
// federation.Config.Keys): its actors get node-00, node-01… in the order
// they first need a key, so two actors of one node never share a key.
// Every node of a test starts at node-00. A node that needs more than
// NodeKeyCount keys gets an error naming the owner, not a generated key.
func NodeKeys() func(owner string) (crypto.Signer, error) {
	var mu sync.Mutex
	next := 0
	return func(owner string) (crypto.Signer, error) {
		mu.Lock()
		defer mu.Unlock()
		if next >= NodeKeyCount {
			return nil, fmt.Errorf("testrig: no fixed key left for %s (all %d handed out); add node-* keys to testrig/testdata/keys", owner, NodeKeyCount)
		}
		k, err := lookupKey(fmt.Sprintf("node-%02d", next))
		if err != nil {
			return nil, err
		}
		next++
		return k.Signer, nil
	}
}
