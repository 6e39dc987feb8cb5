//go:build boringcrypto

package signature

import "crypto/boring"

// Backend names the implementation behind the RSA signatures this build
// makes and verifies: "go" (the Go standard library's own code) or
// "boringcrypto" (a build with GOEXPERIMENT=boringcrypto and cgo; README
// "Faster signing"). The node logs it at start.
//
// A GOEXPERIMENT=boringcrypto build without cgo silently falls back to Go's
// own code: this reports what is really in use.
func Backend() string {
	if boring.Enabled() {
		return "boringcrypto"
	}
	return "go"
}
