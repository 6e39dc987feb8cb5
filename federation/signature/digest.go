package signature

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
)

// digestHeader is the RFC 3230 Digest value for body: "SHA-256=<base64>".
func digestHeader(body []byte) string {
	sum := sha256.Sum256(body)
	return "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
}

// checkDigest checks a Digest header value against body. The value may list
// several digests ("SHA-256=…,SHA-512=…"); the algorithm name is
// case-insensitive. At least one SHA-256 entry is required, and every SHA-256
// entry must match. Other algorithms are ignored, never trusted alone.
func checkDigest(value string, body []byte) error {
	want := sha256.Sum256(body)
	found := false
	for _, item := range strings.Split(value, ",") {
		alg, enc, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok || alg == "" {
			return fail(ErrMalformed, "Digest entry %q is not algorithm=value", item)
		}
		if !strings.EqualFold(alg, "SHA-256") {
			continue
		}
		found = true
		got, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			return fail(ErrDigestMismatch, "SHA-256 digest is not base64")
		}
		if subtle.ConstantTimeCompare(got, want[:]) != 1 {
			return fail(ErrDigestMismatch, "SHA-256 of the %d-byte body differs", len(body))
		}
	}
	if !found {
		return fail(ErrDigestAlgorithm, "Digest %q has no SHA-256 entry", value)
	}
	return nil
}
