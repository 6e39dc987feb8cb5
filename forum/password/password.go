// Package password hashes passwords with argon2id.
package password

import (
	"fmt"

	"github.com/alexedwards/argon2id"
)

// Argon2id hashes with the given parameters; hashes record their own
// parameters, so raising them later still verifies old hashes.
type Argon2id struct {
	params *argon2id.Params
}

// New uses the RFC 9106 second recommended setting (64 MiB, 3 passes),
// scaled to the two threads a small node has.
func New() *Argon2id {
	return &Argon2id{params: &argon2id.Params{Memory: 64 * 1024, Iterations: 3, Parallelism: 2, SaltLength: 16, KeyLength: 32}}
}

// NewFast is for tests only: cheap parameters so suites stay quick.
func NewFast() *Argon2id {
	return &Argon2id{params: &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}}
}

// Hash returns an encoded argon2id hash of password.
func (a *Argon2id) Hash(password string) (string, error) {
	h, err := argon2id.CreateHash(password, a.params)
	if err != nil {
		return "", fmt.Errorf("argon2id: %w", err)
	}
	return h, nil
}

// Verify reports whether password matches hash.
func (a *Argon2id) Verify(password, hash string) (bool, error) {
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil {
		return false, fmt.Errorf("argon2id: %w", err)
	}
	return ok, nil
}
