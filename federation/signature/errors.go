package signature

import (
	"errors"
	"fmt"
	"net/http"
)

// Sentinel errors returned (wrapped in *Error) by Verify. Test with errors.Is;
// HTTPStatus maps them to the status the inbox answers.
var (
	// ErrNoSignature: the request carries no Signature header.
	ErrNoSignature = errors.New("request is not signed")
	// ErrRFC9421Unsupported: the request is signed with RFC 9421
	// (Signature-Input). Answered with 401 so the sender falls back to
	// draft-cavage.
	ErrRFC9421Unsupported = errors.New("RFC 9421 signatures are not supported, use draft-cavage")
	// ErrMalformed: the Signature header (or another header Verify must read)
	// cannot be parsed. The only sentinel answered with 400.
	ErrMalformed = errors.New("malformed signature")
	// ErrMissingHeader: a required header is absent from the signed list.
	ErrMissingHeader = errors.New("required header not signed")
	// ErrDigestMissing: a request with a body has no Digest header.
	ErrDigestMissing = errors.New("digest header missing")
	// ErrDigestAlgorithm: the Digest header holds no SHA-256 digest.
	ErrDigestAlgorithm = errors.New("digest algorithm not supported, use SHA-256")
	// ErrDigestMismatch: the SHA-256 digest does not match the body.
	ErrDigestMismatch = errors.New("digest does not match body")
	// ErrDateSkew: Date is further than MaxSkew from now.
	ErrDateSkew = errors.New("date outside the accepted window")
	// ErrAlgorithmMismatch: the algorithm parameter contradicts the key type.
	ErrAlgorithmMismatch = errors.New("signature algorithm does not match key type")
	// ErrUnsupportedKey: the resolved key is neither RSA nor Ed25519.
	ErrUnsupportedKey = errors.New("unsupported key type")
	// ErrKeyUnavailable: the KeyResolver failed; the resolver's own error is
	// wrapped too.
	ErrKeyUnavailable = errors.New("public key unavailable")
	// ErrInvalidSignature: the signature does not verify, even after
	// refetching the key.
	ErrInvalidSignature = errors.New("invalid signature")
)

// Error is what Verify returns. Error() is detailed and meant for logs;
// Public() is the short text a client may see.
type Error struct {
	Kind   error  // one of the sentinels above
	Detail string // for logs: what exactly was wrong
	cause  error  // optional underlying error (e.g. the resolver's)
}

func (e *Error) Error() string {
	s := "signature: " + e.Kind.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s
}

// Public is the message safe to show the sender.
func (e *Error) Public() string { return e.Kind.Error() }

// Unwrap exposes the sentinel and the underlying cause to errors.Is/As.
func (e *Error) Unwrap() []error {
	if e.cause != nil {
		return []error{e.Kind, e.cause}
	}
	return []error{e.Kind}
}

func fail(kind error, format string, args ...any) *Error {
	return &Error{Kind: kind, Detail: fmt.Sprintf(format, args...)}
}

// HTTPStatus is the status an inbox answers for an error from Verify: 400 for
// ErrMalformed, 401 for every other verification failure, 500 for an error
// this package did not produce.
func HTTPStatus(err error) int {
	var e *Error
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrMalformed):
		return http.StatusBadRequest
	case errors.As(err, &e):
		return http.StatusUnauthorized
	default:
		return http.StatusInternalServerError
	}
}

// PublicReason is what may be told the sender of a request whose
// signature failed: the Error's public text, or a generic one.
func PublicReason(err error) string {
	var se *Error
	if errors.As(err, &se) {
		return se.Public()
	}
	return "invalid signature"
}
