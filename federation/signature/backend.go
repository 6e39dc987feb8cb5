//go:build !boringcrypto

package signature

// Backend names the implementation behind the RSA signatures this build
// makes and verifies: "go" (the Go standard library's own code) or
// "boringcrypto" (a build with GOEXPERIMENT=boringcrypto and cgo; README
// "Faster signing"). The node logs it at start.
func Backend() string { return "go" }
