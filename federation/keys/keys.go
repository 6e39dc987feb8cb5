// Package keys holds the key pairs of this node's actors: it makes each
// once (RSA-2048), keeps it in the store, and signs outgoing requests with
// the key of the actor a request's context names. Serving an actor's
// document, delivering and fetching all go through it.
package keys

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// Store is what the keyring reads and writes.
type Store interface {
	CreateActorKey(ctx context.Context, k *stored.ActorKey) error // ErrConflict if the owner has one
	ActorKey(ctx context.Context, owner string) (*stored.ActorKey, error)
}

// Key owners, as stored in ActorKey.Owner.
const Instance = "instance"

// Member names a member's key.
func Member(id forum.ID) string { return "member:" + id }

// Forum names a forum's key.
func Forum(id forum.ID) string { return "forum:" + id }

// Thread names a thread actor's key.
func Thread(id forum.ID) string { return "thread:" + id }

// Source makes the private key of one of this node's actors, the first
// time the actor needs one (owner names it: Instance, Member(id)…).
// Generate, the default, makes a fresh RSA-2048 key each time; tests hand
// out fixed keys instead, so that no run pays for key generation.
type Source func(owner string) (crypto.Signer, error)

// Generate is the production Source: a new RSA-2048 key per actor.
func Generate(string) (crypto.Signer, error) { return signature.GenerateRSA() }

// Ring hands out this node's actors' keys, making each once (from its
// Source) and keeping them; parsed keys are cached in memory.
type Ring struct {
	store  Store
	clock  forum.Clock
	source Source
	mu     sync.Mutex
	cache  map[string]*Key
}

// Key is one actor's key pair, parsed.
type Key struct {
	Signer    crypto.Signer
	PublicPEM string
}

// NewRing returns a keyring over store whose new keys come from source
// (nil: Generate).
func NewRing(store Store, clock forum.Clock, source Source) *Ring {
	if source == nil {
		source = Generate
	}
	return &Ring{store: store, clock: clock, source: source, cache: map[string]*Key{}}
}

// Get returns owner's key, creating it on first use. Two processes racing
// to create one both end up with the stored key.
func (k *Ring) Get(ctx context.Context, owner string) (*Key, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if lk, ok := k.cache[owner]; ok {
		return lk, nil
	}
	st, err := k.store.ActorKey(ctx, owner)
	if errors.Is(err, forum.ErrNotFound) {
		st, err = k.create(ctx, owner)
	}
	if err != nil {
		return nil, fmt.Errorf("key of %s: %w", owner, err)
	}
	signer, err := signature.ParsePrivatePEM(st.PrivatePEM)
	if err != nil {
		return nil, fmt.Errorf("key of %s: %w", owner, err)
	}
	lk := &Key{Signer: signer, PublicPEM: st.PublicPEM}
	k.cache[owner] = lk
	return lk, nil
}

func (k *Ring) create(ctx context.Context, owner string) (*stored.ActorKey, error) {
	priv, err := k.source(owner)
	if err != nil {
		return nil, fmt.Errorf("new key: %w", err)
	}
	privPEM, err := signature.EncodePrivatePEM(priv)
	if err != nil {
		return nil, err
	}
	pubPEM, err := signature.EncodePublicPEM(priv.Public())
	if err != nil {
		return nil, err
	}
	key := &stored.ActorKey{Owner: owner, PrivatePEM: privPEM, PublicPEM: pubPEM, CreatedAt: k.clock.Now()}
	if err := k.store.CreateActorKey(ctx, key); errors.Is(err, forum.ErrConflict) {
		return k.store.ActorKey(ctx, owner) // another process made it first
	} else if err != nil {
		return nil, err
	}
	return key, nil
}

// signerKey travels in a request's context: which actor signs it.
type signerKey struct{}

type signer struct {
	owner string
	keyID string
}

// SignAs makes requests sent with ctx signed by the given actor; without
// it they are signed by the instance actor.
func SignAs(ctx context.Context, owner, keyID string) context.Context {
	return context.WithValue(ctx, signerKey{}, signer{owner: owner, keyID: keyID})
}

// Transport signs every request, each attempt afresh (a fresh Date), with
// the key of the actor named in its context (see SignAs).
func (k *Ring) Transport(urls *uris.Builder, clock forum.Clock) func(http.RoundTripper) http.RoundTripper {
	return func(base http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			s, ok := r.Context().Value(signerKey{}).(signer)
			if !ok {
				s = signer{owner: Instance, keyID: urls.KeyID(urls.InstanceActor())}
			}
			lk, err := k.Get(r.Context(), s.owner)
			if err != nil {
				return nil, err
			}
			t := &signature.Transport{Base: base, KeyID: s.keyID, Key: lk.Signer, Now: clock.Now}
			return t.RoundTrip(r)
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Directory is what Owners looks up: the node's members and forums.
type Directory interface {
	MemberByUsername(ctx context.Context, username string) (*forum.Member, error)
	ForumBySlug(ctx context.Context, slug string) (*forum.Forum, error)
}

// Owners tells which key signs for one of this node's actors.
type Owners struct {
	URLs  *uris.Builder
	Forum Directory
}

// Owner names the key of the local actor actorURI.
func (o Owners) Owner(ctx context.Context, actorURI string) (string, error) {
	switch kind, key := o.URLs.Parse(actorURI); kind {
	case uris.KindInstance:
		return Instance, nil
	case uris.KindMember:
		m, err := o.Forum.MemberByUsername(ctx, key)
		if err != nil {
			return "", fmt.Errorf("signer %s: %w", actorURI, err)
		}
		return Member(m.ID), nil
	case uris.KindForum:
		fo, err := o.Forum.ForumBySlug(ctx, key)
		if err == nil && !fo.Local() {
			err = forum.ErrNotFound // a mirror: its node signs for it
		}
		if err != nil {
			return "", fmt.Errorf("signer %s: %w", actorURI, err)
		}
		return Forum(fo.ID), nil
	case uris.KindThreadActor:
		return Thread(key), nil
	}
	return "", fmt.Errorf("signer %s: not one of our actors", actorURI)
}
