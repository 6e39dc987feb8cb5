package federation

import (
	"crypto/rand"
	"encoding/hex"
)

// newHolder names this process's leases.
func newHolder() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
