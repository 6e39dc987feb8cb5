package federation

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// Key owners, as stored in ActorKey.Owner.
const ownerInstance = "instance"

func memberOwner(id forum.ID) string { return "member:" + id }
func forumOwner(id forum.ID) string  { return "forum:" + id }
func threadOwner(id forum.ID) string { return "thread:" + id }

// KeySource makes the private key of one of this node's actors, the first
// time the actor needs one (owner names it: "instance", "member:<id>"…).
// GenerateKeys, the default, makes a fresh RSA-2048 key each time; tests
// hand out fixed keys instead, so that no run pays for key generation.
type KeySource func(owner string) (crypto.Signer, error)

// GenerateKeys is the production KeySource: a new RSA-2048 key per actor.
func GenerateKeys(string) (crypto.Signer, error) { return signature.GenerateRSA() }

// keyring hands out this node's actors' keys, making each once (from its
// KeySource) and keeping them; parsed keys are cached in memory.
type keyring struct {
	store  Store
	clock  forum.Clock
	source KeySource
	mu     sync.Mutex
	cache  map[string]*localKey
}

type localKey struct {
	signer    crypto.Signer
	publicPEM string
}

func newKeyring(store Store, clock forum.Clock, source KeySource) *keyring {
	if source == nil {
		source = GenerateKeys
	}
	return &keyring{store: store, clock: clock, source: source, cache: map[string]*localKey{}}
}

// get returns owner's key, creating it on first use. Two processes racing
// to create one both end up with the stored key.
func (k *keyring) get(ctx context.Context, owner string) (*localKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if lk, ok := k.cache[owner]; ok {
		return lk, nil
	}
	stored, err := k.store.ActorKey(ctx, owner)
	if errors.Is(err, forum.ErrNotFound) {
		stored, err = k.create(ctx, owner)
	}
	if err != nil {
		return nil, fmt.Errorf("key of %s: %w", owner, err)
	}
	signer, err := signature.ParsePrivatePEM(stored.PrivatePEM)
	if err != nil {
		return nil, fmt.Errorf("key of %s: %w", owner, err)
	}
	lk := &localKey{signer: signer, publicPEM: stored.PublicPEM}
	k.cache[owner] = lk
	return lk, nil
}

func (k *keyring) create(ctx context.Context, owner string) (*ActorKey, error) {
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
	key := &ActorKey{Owner: owner, PrivatePEM: privPEM, PublicPEM: pubPEM, CreatedAt: k.clock.Now()}
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

// signAs makes requests sent with ctx signed by the given actor; without
// it they are signed by the instance actor.
func signAs(ctx context.Context, owner, keyID string) context.Context {
	return context.WithValue(ctx, signerKey{}, signer{owner: owner, keyID: keyID})
}

// signingTransport signs every request, each attempt afresh, with the key
// of the actor named in its context.
func (k *keyring) signingTransport(urls *uris.Builder, clock forum.Clock) func(http.RoundTripper) http.RoundTripper {
	return func(base http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			s, ok := r.Context().Value(signerKey{}).(signer)
			if !ok {
				s = signer{owner: ownerInstance, keyID: urls.KeyID(urls.InstanceActor())}
			}
			lk, err := k.get(r.Context(), s.owner)
			if err != nil {
				return nil, err
			}
			t := &signature.Transport{Base: base, KeyID: s.keyID, Key: lk.signer, Now: clock.Now}
			return t.RoundTrip(r)
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
