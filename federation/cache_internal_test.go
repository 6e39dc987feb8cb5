package federation

import (
	"crypto/ed25519"
	"testing"
	"time"
)

// counter is a write counter a test moves by hand.
type counter struct{ v uint64 }

func (c *counter) Version() uint64 { return c.v }

func TestDocCache(t *testing.T) {
	c := &counter{v: 7}
	d := newDocCache(c)
	if _, ok := d.get("/p/1"); ok {
		t.Fatal("hit in an empty cache")
	}
	v := d.version()
	d.put("/p/1", v, 200, []byte(`{"a":1}`))
	if got, ok := d.get("/p/1"); !ok || string(got.body) != `{"a":1}` || got.status != 200 {
		t.Fatalf("get after put = %+v, %v", got, ok)
	}
	c.v++ // a write
	if _, ok := d.get("/p/1"); ok {
		t.Fatal("an entry survived a write")
	}
	// A document built from a read that a write overtook is not kept.
	v = d.version()
	c.v++
	d.put("/p/2", v, 200, []byte(`{}`))
	if _, ok := d.get("/p/2"); ok {
		t.Fatal("a document built before a write was cached")
	}
	// Nothing is cached without a counter.
	none := newDocCache(nil)
	none.put("/p/3", none.version(), 200, []byte(`{}`))
	if _, ok := none.get("/p/3"); ok {
		t.Fatal("cached without a counter")
	}
}

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
	// An actor fetched longer ago than actorTTL is not trusted from memory.
	old := now.Add(-actorTTL)
	c.put("https://b.example/u/y#main-key", cachedKey{owner: "https://b.example/u/y", pub: pub1, fetchedAt: old, cachedAt: now})
	if _, ok := c.get("https://b.example/u/y#main-key", now); ok {
		t.Fatal("a stale actor's key served from memory")
	}
	c.forget("https://a.example/u/x")
	if _, ok := c.get("https://a.example/u/x#key-2", now); ok {
		t.Fatal("forget left the key")
	}
}
