// Package actors resolves remote actors: from the store while fresh, else
// from their server, once per node however many ask at once (fetchonce.go);
// and the signing keys their documents list, parsed and kept in memory
// (keycache.go), for the inbox and authorized fetch to verify signatures.
package actors

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// How long a fetched actor is trusted before it is fetched again, and how
// often one key may be refetched on a signature failure.
const (
	TTL             = 24 * time.Hour
	keyRefetchEvery = time.Minute
)

// Store is what the cache reads and writes: the remote actors' documents.
type Store interface {
	SaveRemoteActor(ctx context.Context, a *stored.RemoteActor) error // insert or replace by URI
	RemoteActor(ctx context.Context, uri string) (*stored.RemoteActor, error)
	RemoteActorByKeyID(ctx context.Context, keyID string) (*stored.RemoteActor, error)
}

// Fetcher fetches an actor's document (fetch.Client).
type Fetcher interface {
	GetObject(ctx context.Context, rawURL string) (*fetch.Document, error)
	// GetKey fetches a key document in GoToSocial's stub shape.
	GetKey(ctx context.Context, keyURL string) (*fetch.Key, error)
}

// Config is what a Cache is built from; FetchGate may be nil.
type Config struct {
	Store     Store
	Client    Fetcher
	URLs      *uris.Builder
	Clock     forum.Clock
	Log       *slog.Logger
	FetchGate FetchGate
}

// Cache resolves remote actors: from the store while fresh, else from
// their server. It also resolves signing keys (signature.KeyResolver).
type Cache struct {
	cfg         Config
	keys        *keyCache
	mu          sync.Mutex
	lastRefetch map[string]time.Time // by key id
	flight      singleflight.Group   // one fetch per URL at a time
}

// New returns a Cache.
func New(cfg Config) *Cache {
	return &Cache{cfg: cfg, keys: newKeyCache(), lastRefetch: map[string]time.Time{}}
}

// Actor returns the remote actor uri, fetching it when unknown, stale or
// refresh is set. One of this node's actors is ErrLocal.
func (c *Cache) Actor(ctx context.Context, uri string, refresh bool) (*stored.RemoteActor, error) {
	if c.cfg.URLs.IsLocal(uri) {
		return nil, fmt.Errorf("actor %s: %w", uri, ErrLocal)
	}
	a, err := c.cfg.Store.RemoteActor(ctx, uri)
	if err == nil && !refresh && c.cfg.Clock.Now().Sub(a.FetchedAt) < TTL {
		return a, nil
	}
	if err != nil && !errors.Is(err, forum.ErrNotFound) {
		return nil, err
	}
	return c.fetchActorOnce(ctx, uri, refresh)
}

// Stored returns the remote actor uri only as this node holds it, fresh:
// it never fetches, nor waits for another goroutine's fetch of it (whose
// result is written through the store). ErrNotCached when it is unknown or
// stale. The received side applies a batch in one write transaction with
// it: waiting there for a fetch whose write waits for that transaction
// would never end.
func (c *Cache) Stored(ctx context.Context, uri string) (*stored.RemoteActor, error) {
	if c.cfg.URLs.IsLocal(uri) {
		return nil, fmt.Errorf("actor %s: %w", uri, ErrLocal)
	}
	a, err := c.cfg.Store.RemoteActor(ctx, uri)
	if errors.Is(err, forum.ErrNotFound) || (err == nil && c.cfg.Clock.Now().Sub(a.FetchedAt) >= TTL) {
		return nil, fmt.Errorf("actor %s: %w", uri, ErrNotCached)
	}
	return a, err
}

// ErrNotCached: Stored has no fresh copy of the actor.
var ErrNotCached = errors.New("not held fresh; it needs a fetch")

// ErrLocal: the actor asked for is one of this node's.
var ErrLocal = errors.New("is one of ours")

// fetch gets an actor document, checks it and stores it.
func (c *Cache) fetch(ctx context.Context, uri string) (*stored.RemoteActor, error) {
	doc, err := c.cfg.Client.GetObject(ctx, uri)
	if err != nil {
		return nil, fmt.Errorf("fetch actor %s: %w", uri, err)
	}
	a, err := ap.ParseActor(ctx, doc.Body)
	if err != nil {
		return nil, fmt.Errorf("actor %s: %w", uri, err)
	}
	return c.save(ctx, a, doc.Body)
}

func (c *Cache) save(ctx context.Context, a *ap.Actor, body []byte) (*stored.RemoteActor, error) {
	u, err := url.Parse(a.ID)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("actor id %q: not an absolute URL", a.ID)
	}
	if a.Inbox == "" || !sameHost(a.Inbox, a.ID) {
		return nil, fmt.Errorf("actor %s: inbox %q missing or on another host", a.ID, a.Inbox)
	}
	if a.PublicKey.Owner != "" && a.PublicKey.Owner != a.ID {
		return nil, fmt.Errorf("actor %s: key owned by %s", a.ID, a.PublicKey.Owner)
	}
	if a.PublicKey.ID != "" && !sameHost(a.PublicKey.ID, a.ID) {
		return nil, fmt.Errorf("actor %s: key %s on another host", a.ID, a.PublicKey.ID)
	}
	ra := &stored.RemoteActor{URI: a.ID, Type: a.Type, Username: a.PreferredUsername, Domain: strings.ToLower(u.Host),
		Inbox: a.Inbox, SharedInbox: a.SharedInbox, Outbox: a.Outbox, Followers: a.Followers,
		KeyID: a.PublicKey.ID, PublicKeyPEM: a.PublicKey.PEM, Document: body, FetchedAt: c.cfg.Clock.Now()}
	if ra.SharedInbox != "" && !sameHost(ra.SharedInbox, a.ID) {
		ra.SharedInbox = "" // a shared inbox elsewhere could collect other hosts' traffic
	}
	c.keys.forget(ra.URI)
	if err := c.cfg.Store.SaveRemoteActor(ctx, ra); err != nil {
		return nil, fmt.Errorf("store actor %s: %w", a.ID, err)
	}
	c.cacheKey(ra)
	return ra, nil
}

// sameHost reports whether two URLs are on the same host (and port).
func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Host != "" && strings.EqualFold(ua.Host, ub.Host)
}

// PublicKey implements signature.KeyResolver: the key from the cached actor
// that owns keyID, refetched at most once a minute per key on failures.
// Parsed keys are kept in memory (keyCache), so a verified request costs
// no database read once its sender is known.
func (c *Cache) PublicKey(ctx context.Context, keyID string, refresh bool) (crypto.PublicKey, error) {
	k, err := c.key(ctx, keyID, refresh)
	if err != nil {
		return nil, err
	}
	return k.pub, nil
}

// KeyOwner is the actor whose document lists keyID, as PublicKey last
// resolved it.
func (c *Cache) KeyOwner(ctx context.Context, keyID string) (string, error) {
	k, err := c.key(ctx, keyID, false)
	if err != nil {
		return "", err
	}
	return k.owner, nil
}

func (c *Cache) key(ctx context.Context, keyID string, refresh bool) (cachedKey, error) {
	if refresh && !c.mayRefetch(keyID) {
		refresh = false
	}
	now := c.cfg.Clock.Now()
	if !refresh {
		if k, ok := c.keys.get(keyID, now); ok {
			return k, nil
		}
		if a, err := c.cfg.Store.RemoteActorByKeyID(ctx, keyID); err == nil && now.Sub(a.FetchedAt) < TTL {
			return c.cacheKey(a)
		}
	}
	a, err := c.actorForKey(ctx, keyID, refresh)
	if err != nil {
		return cachedKey{}, err
	}
	return c.cacheKey(a)
}

// cacheKey parses an actor's key and caches it.
func (c *Cache) cacheKey(a *stored.RemoteActor) (cachedKey, error) {
	if a.KeyID == "" || a.PublicKeyPEM == "" {
		return cachedKey{}, fmt.Errorf("actor %s has no public key", a.URI)
	}
	pub, err := signature.ParsePublicPEM(a.PublicKeyPEM)
	if err != nil {
		return cachedKey{}, err
	}
	k := cachedKey{owner: a.URI, pub: pub, fetchedAt: a.FetchedAt, cachedAt: c.cfg.Clock.Now()}
	c.keys.put(a.KeyID, k)
	return k, nil
}

func (c *Cache) mayRefetch(keyID string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.cfg.Clock.Now()
	if last, ok := c.lastRefetch[keyID]; ok && now.Sub(last) < keyRefetchEvery {
		return false
	}
	if len(c.lastRefetch) > 10_000 {
		clear(c.lastRefetch)
	}
	c.lastRefetch[keyID] = now
	return true
}

// actorForKey finds the actor owning keyID. Mastodon's key ids are
// <actor>#main-key; GoToSocial's are <actor>/main-key. Both lead to the
// actor, whose document must list that key.
func (c *Cache) actorForKey(ctx context.Context, keyID string, refresh bool) (*stored.RemoteActor, error) {
	u, err := url.Parse(keyID)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("key id %q: not an absolute URL", keyID)
	}
	u.Fragment = ""
	candidates := []string{u.String()}
	if strings.HasSuffix(u.Path, "/main-key") {
		v := *u
		v.Path = strings.TrimSuffix(u.Path, "/main-key")
		candidates = []string{v.String(), u.String()}
	}
	var lastErr error
	for _, uri := range candidates {
		a, err := c.fetchActorOnce(ctx, uri, refresh)
		if err != nil {
			lastErr = err
			continue
		}
		if a.KeyID != keyID {
			lastErr = fmt.Errorf("actor %s does not list key %s", a.URI, keyID)
			continue
		}
		return a, nil
	}
	if strings.HasSuffix(u.Path, "/main-key") {
		a, err := c.keyFromStub(ctx, keyID)
		if err == nil {
			return a, nil
		}
		lastErr = errors.Join(lastErr, err)
	}
	return nil, lastErr
}
