package actors

import (
	"crypto/ed25519"
	"testing"
	"time"
)

func TestKeyCacheDropsRotatedKeys(t *testing.T) {
	pub1, _, _ := ed25519.GenerateKey(nil)
	pub2, _, _ := ed25519.GenerateKey(nil)
	now := time.Now()
	c := newKeyCache()
	c.put("https://a.example/u/x#key-1", cachedKey{owner: "https://a.example/u/x", pub: pub1, fetchedAt: now, cachedAt: now})
	if k, ok := c.get("https://a.example/u/x#key-1", now); !ok || k.owner != "https://a.example/u/x" {
		t.Fatalf("get = %+v, %v", k, ok)
	}
	// The actor's document now lists another key: the old one stops working.
	c.put("https://a.example/u/x#key-2", cachedKey{owner: "https://a.example/u/x", pub: pub2, fetchedAt: now, cachedAt: now})
	if _, ok := c.get("https://a.example/u/x#key-1", now); ok {
		t.Fatal("a rotated-away key is still cached")
	}
	if _, ok := c.get("https://a.example/u/x#key-2", now); !ok {
		t.Fatal("the new key is not cached")
	}
	// Entries expire: after keyCacheTTL the store is asked again.
	if _, ok := c.get("https://a.example/u/x#key-2", now.Add(keyCacheTTL)); ok {
		t.Fatal("an entry outlived keyCacheTTL")
	}
	// An actor fetched longer ago than TTL is not trusted from memory.
	old := now.Add(-TTL)
	c.put("https://b.example/u/y#main-key", cachedKey{owner: "https://b.example/u/y", pub: pub1, fetchedAt: old, cachedAt: now})
	if _, ok := c.get("https://b.example/u/y#main-key", now); ok {
		t.Fatal("a stale actor's key served from memory")
	}
	c.forget("https://a.example/u/x")
	if _, ok := c.get("https://a.example/u/x#key-2", now); ok {
		t.Fatal("forget left the key")
	}
}
