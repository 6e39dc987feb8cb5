package serve

import (
	"math/rand/v2"
	"sync"
	"time"
)

// docCacheTTL bounds how long a cached document is served without being
// built again, for changes made by another process sharing the database;
// this process's own writes drop it at once (Versioner). Each entry lives
// between 80% and 120% of it, so entries made together do not all expire
// together.
const docCacheTTL = 5 * time.Second

// docCacheMax bounds the cache; past it, the cache starts again empty.
const docCacheMax = 4096

// docCache keeps the serialized ActivityPub documents of page URLs
// (members, forums, threads, posts): building one takes several database
// reads and a JSON serialization, and remote servers fetch the same
// documents again and again. An entry is used only while the store's
// version is the one read before the document was built, so an edit, a
// delete or any other write is never hidden by it.
type docCache struct {
	changes Versioner // nil: no cache
	mu      sync.RWMutex
	m       map[string]cachedDoc
}

type cachedDoc struct {
	version uint64
	expires time.Time
	status  int
	body    []byte
}

func newDocCache(changes Versioner) *docCache {
	return &docCache{changes: changes, m: map[string]cachedDoc{}}
}

// get returns the document cached under key if it is still current: its
// version is v, read with version before the document would be built.
func (c *docCache) get(key string, v uint64) (cachedDoc, bool) {
	if c.changes == nil {
		return cachedDoc{}, false
	}
	c.mu.RLock()
	d, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || d.version != v || time.Now().After(d.expires) {
		return cachedDoc{}, false
	}
	return d, true
}

// version returns what a document depends on: one thread's version for a
// thread's document (thread set, when the store versions threads apart),
// every write otherwise. Read it before building the document.
func (c *docCache) version(thread string) func() uint64 {
	if c.changes == nil {
		return func() uint64 { return 0 }
	}
	if tv, ok := c.changes.(ThreadVersioner); ok && thread != "" {
		return func() uint64 { return tv.ThreadVersion(thread) }
	}
	return c.changes.Version
}

// put caches a document built from what the store held at version v.
func (c *docCache) put(key string, v uint64, version func() uint64, status int, body []byte) {
	if c.changes == nil || version() != v {
		return // already stale
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= docCacheMax {
		clear(c.m)
	}
	c.m[key] = cachedDoc{version: v, expires: expiry(docCacheTTL), status: status, body: body}
}

// expiry is now plus ttl, spread by ±20%.
func expiry(ttl time.Duration) time.Time {
	return time.Now().Add(ttl*4/5 + rand.N(ttl*2/5))
}

// ThreadVersioner also versions each thread apart (storage.Changes):
// ThreadVersion(id) moves on writes to that thread and on writes of
// unknown scope only.
type ThreadVersioner interface {
	ThreadVersion(id string) uint64
}
