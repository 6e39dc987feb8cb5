//go:build boringcrypto

package signature

import "testing"

// A GOEXPERIMENT=boringcrypto build without cgo (or on a platform
// BoringCrypto does not support) quietly uses Go's own RSA: then the
// interoperability test would prove nothing about BoringCrypto.
func TestBoringCryptoInUse(t *testing.T) {
	if got := Backend(); got != "boringcrypto" {
		t.Fatalf("built with GOEXPERIMENT=boringcrypto but the RSA backend is %q: build with CGO_ENABLED=1 on linux/amd64 or linux/arm64", got)
	}
}
