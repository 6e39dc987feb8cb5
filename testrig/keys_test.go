package testrig_test

import (
	"crypto/ed25519"
	"crypto/rsa"
	"strings"
	"testing"

	"github.com/metropolis/agora/testrig"
)

// Every committed key parses, is of the size production uses, and no two
// are the same key (two actors sharing one would hide a forgery).
func TestKeysAreDistinct(t *testing.T) {
	names := []string{"remote-mastodon", "remote-gotosocial", "remote-lemmy", "remote-nodebb", "remote-discourse",
		"remote-mbin", "remote-piefed", "remote-bad", "remote-good", "remote-far", "remote-sub", "remote-watcher",
		"remote-slow", "remote-replier", "remote-mallory", "remote-other", "remote-ed25519",
		"remote-misskey", "remote-pleroma", "remote-friendica", "remote-wordpress", "remote-smithereen", "remote-mitra"}
	for i := range testrig.NodeKeyCount {
		names = append(names, testrig.NodeKey(t, i).Name)
	}
	seen := map[string]string{}
	for _, name := range names {
		k := testrig.Key(t, name)
		switch s := k.Signer.(type) {
		case *rsa.PrivateKey:
			if s.N.BitLen() != 2048 {
				t.Errorf("%s: %d bits, want 2048", name, s.N.BitLen())
			}
		case ed25519.PrivateKey:
			if name != "remote-ed25519" {
				t.Errorf("%s is Ed25519", name)
			}
		default:
			t.Errorf("%s: %T", name, s)
		}
		if other, ok := seen[k.PublicPEM]; ok {
			t.Errorf("%s and %s are the same key", name, other)
		}
		seen[k.PublicPEM] = name
	}
}

func TestKeyUnknownNameFails(t *testing.T) {
	f := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); testrig.Key(f, "remote-nobody") }()
	<-done
	if len(f.failed) != 1 || !strings.Contains(f.failed[0], `no key "remote-nobody"`) || !strings.Contains(f.failed[0], "remote-mastodon") {
		t.Fatalf("failures %q, want one naming the key asked for and those there are", f.failed)
	}
}

// NodeKeys hands out distinct keys in a fixed order, and refuses (rather
// than generating) once they are all used.
func TestNodeKeys(t *testing.T) {
	next := testrig.NodeKeys()
	for i := range testrig.NodeKeyCount {
		k, err := next("member:" + string(rune('a'+i)))
		if err != nil {
			t.Fatalf("key %d: %v", i, err)
		}
		if !k.Public().(*rsa.PublicKey).Equal(testrig.NodeKey(t, i).Signer.Public()) {
			t.Errorf("key %d is not node-%02d", i, i)
		}
	}
	if _, err := next("thread:x"); err == nil || !strings.Contains(err.Error(), "thread:x") {
		t.Errorf("key %d: err %v, want an error naming the owner", testrig.NodeKeyCount, err)
	}
	// Another node starts again at the first key.
	if k, err := testrig.NodeKeys()("instance"); err != nil || !k.Public().(*rsa.PublicKey).Equal(testrig.NodeKey(t, 0).Signer.Public()) {
		t.Errorf("another node's first key: err %v, want node-00", err)
	}
}
