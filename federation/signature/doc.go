// Package signature signs outgoing ActivityPub requests and verifies incoming
// ones with draft-cavage HTTP signatures (the dialect Mastodon speaks).
//
// The cryptography is github.com/go-fed/httpsig. That library only checks that
// the signature matches the listed headers; it checks neither that the Digest
// equals the body, nor the age of Date, nor which headers were signed, and it
// ignores the algorithm parameter. Verify adds those checks (DESIGN.md §5):
//
//   - a Signature header is required (ErrNoSignature); RFC 9421 signatures
//     (Signature-Input) are refused with ErrRFC9421Unsupported so that the
//     inbox answers 401 and the sender retries with draft-cavage;
//   - the signed list must hold (request-target), host, date, and digest when
//     the request carries a body (ErrMissingHeader);
//   - Digest must be present when there is a body (ErrDigestMissing), hold a
//     SHA-256 entry (ErrDigestAlgorithm) equal to SHA-256 of the exact body
//     (ErrDigestMismatch);
//   - Date must parse (ErrMalformed) and be within Options.MaxSkew of now,
//     past or future (ErrDateSkew);
//   - keyId must be an absolute http(s) URL (ErrMalformed);
//   - the verification algorithm comes from the key type, and a claimed
//     algorithm other than hs2019 must agree with it (ErrAlgorithmMismatch);
//   - on a failed verification the key is fetched again once, in case it
//     rotated.
//
// Every check that needs no key runs before the key is resolved, so a
// malformed or stale request never causes a fetch. httpsig is handed a copy
// of the request carrying our own re-serialisation of the Signature header
// we checked (so its lenient parser cannot read something else) and the Host
// the request arrived for (Go's server keeps it in r.Host, not r.Header).
//
// Transport signs every attempt at send time with a fresh Date, so retries
// re-sign. The header lists both sides use are in headers.go.
package signature
