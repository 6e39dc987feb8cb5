package actors

import (
	"crypto"
	"sync"
	"time"
)

// keyCacheTTL bounds how long a parsed key is used without looking at the
// store again: another process sharing the database (PostgreSQL) may have
// refetched the actor meanwhile. Within this process every save of an
// actor updates the cache at once.
const keyCacheTTL = time.Minute

// keyCacheMax bounds the cache; past it, the cache starts again empty.
const keyCacheMax = 50_000

// keyCache holds the parsed public keys of remote actors by key id, so
// the inbox verifies a signature without a database read or a PEM parse.
type keyCache struct {
	mu      sync.Mutex
	byKey   map[string]cachedKey
	byOwner map[string]string // actor URI → its key id
}

type cachedKey struct {
	owner     string // the actor whose document lists the key
	pub       crypto.PublicKey
	fetchedAt time.Time // when the actor document was fetched
	cachedAt  time.Time
}

func newKeyCache() *keyCache {
	return &keyCache{byKey: map[string]cachedKey{}, byOwner: map[string]string{}}
}

// get returns the cached key keyID if it was cached less than keyCacheTTL
// ago and its actor was fetched less than TTL ago.
func (c *keyCache) get(keyID string, now time.Time) (cachedKey, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.byKey[keyID]
	if !ok || now.Sub(k.cachedAt) >= keyCacheTTL || now.Sub(k.fetchedAt) >= TTL {
		return cachedKey{}, false
	}
	return k, true
}

// put caches the key an actor's document lists, replacing whatever key
// the actor had: a key rotated away stops verifying at once.
func (c *keyCache) put(keyID string, k cachedKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byKey) >= keyCacheMax {
		clear(c.byKey)
		clear(c.byOwner)
	}
	if old, ok := c.byOwner[k.owner]; ok && old != keyID {
		delete(c.byKey, old)
	}
	if prev, ok := c.byKey[keyID]; ok && prev.owner != k.owner {
		delete(c.byOwner, prev.owner)
	}
	c.byKey[keyID] = k
	c.byOwner[k.owner] = keyID
}

// forget drops what is cached for an actor (its document changed).
func (c *keyCache) forget(owner string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if keyID, ok := c.byOwner[owner]; ok {
		delete(c.byKey, keyID)
		delete(c.byOwner, owner)
	}
}
