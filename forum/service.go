package forum

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// PasswordHasher hashes and checks passwords with a slow KDF.
type PasswordHasher interface {
	Hash(password string) (string, error)
	Verify(password, hash string) (bool, error)
}

// Renderer turns a post's markdown into HTML that is safe to show, and
// cleans HTML written elsewhere.
type Renderer interface {
	Render(markdown string) (string, error)
	Sanitize(html string) string
}

// Lifetimes of the things the service hands out.
type Lifetimes struct {
	Invitation time.Duration
	LoginToken time.Duration
	Session    time.Duration
}

// DefaultLifetimes are the lifetimes a node uses unless told otherwise.
func DefaultLifetimes() Lifetimes {
	return Lifetimes{
		Invitation: 14 * 24 * time.Hour,
		LoginToken: 24 * time.Hour,
		Session:    30 * 24 * time.Hour,
	}
}

// Deps are what a Service is built from.
type Deps struct {
	Store     Store
	Clock     Clock
	IDs       IDs
	Hasher    PasswordHasher
	Renderer  Renderer
	Lifetimes Lifetimes
	// DefaultCity is the node's city: members who name none belong to
	// it ("" for none).
	DefaultCity string
}

// Service applies the domain rules. Every method that changes something
// checks the actor's permissions first; a nil actor is an anonymous visitor.
type Service struct {
	store  Store
	clock  Clock
	ids    IDs
	hasher PasswordHasher
	render Renderer
	life   Lifetimes
	// defaultCity is the city of members who name none (Deps.DefaultCity).
	defaultCity string
	// dummyHash is verified against when a username is unknown, so sign-in
	// takes as long whether or not the account exists. It is made on first
	// use: hashing takes the hasher's full memory (64 MiB for argon2id),
	// which an idle node should not hold.
	dummyHash func() (string, error)
}

// NewService checks deps and returns a Service.
func NewService(d Deps) (*Service, error) {
	if d.Store == nil || d.Clock == nil || d.IDs == nil || d.Hasher == nil || d.Renderer == nil {
		return nil, fmt.Errorf("forum: incomplete dependencies")
	}
	if d.Lifetimes == (Lifetimes{}) {
		d.Lifetimes = DefaultLifetimes()
	}
	hasher := d.Hasher
	return &Service{
		store: d.Store, clock: d.Clock, ids: d.IDs, hasher: d.Hasher,
		render: d.Renderer, life: d.Lifetimes, defaultCity: d.DefaultCity,
		dummyHash: sync.OnceValues(func() (string, error) {
			return hasher.Hash("not a real password, only for timing")
		}),
	}, nil
}

// Ping checks that storage answers.
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }

// SystemActor is the actor of administrative commands run on the node's
// own command line: it may do what an admin may.
func SystemActor() *Member {
	return &Member{Username: "system", Role: RoleAdmin}
}

// newSecret returns a random token for a link or cookie and the hash that
// is stored in its place.
func newSecret() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("random token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashSecret(token), nil
}

// HashSecret is how tokens are stored: a leaked database holds no usable link
// or session.
func HashSecret(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
