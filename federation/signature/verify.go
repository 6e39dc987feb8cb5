package signature

import (
	"context"
	"crypto"
	"net/http"
	"net/url"
	"time"

	"github.com/go-fed/httpsig"
)

// DefaultMaxSkew is how far Date may be from now, in either direction.
const DefaultMaxSkew = time.Hour

// KeyResolver finds the public key named by a keyId.
//
// With refresh false it may answer from a cache. With refresh true the key
// failed to verify a signature and may have rotated: the resolver should
// fetch it again. Verify asks for a refresh at most once per request, but a
// stream of bad signatures would still mean a stream of refetches, so
// rate-limiting refetches (per key or per host) is the resolver's job; a
// rate-limited resolver may simply return its cached key.
//
// It returns *rsa.PublicKey or ed25519.PublicKey (see ParsePublicPEM).
type KeyResolver interface {
	PublicKey(ctx context.Context, keyID string, refresh bool) (crypto.PublicKey, error)
}

// Options tune Verify. The zero value is usable.
type Options struct {
	Now     func() time.Time // default time.Now
	MaxSkew time.Duration    // default DefaultMaxSkew; applies to past and future
}

// Result is what a verified request proves: the holder of KeyID signed it.
// Tying the key to the activity's actor is the inbox's business.
type Result struct {
	KeyID string
}

// Verify checks the draft-cavage signature of a server-side request r whose
// body (already read, size-capped by the caller) is body. r.Body is not read.
// The rules are listed in the package documentation; every failure is an
// *Error wrapping one of the Err… sentinels (see HTTPStatus). r is not
// modified.
func Verify(r *http.Request, body []byte, keys KeyResolver, opts Options) (Result, error) {
	p, err := checkRequest(r, body, opts)
	if err != nil {
		return Result{}, err
	}
	// Feed httpsig a copy of the request whose Signature header is our own
	// re-serialisation of what we checked, whose Host header is the host the
	// request arrived for, and which carries no Authorization header (httpsig
	// would look there too).
	h := r.Header.Clone()
	h.Del("Authorization")
	h.Set("Signature", p.format())
	h.Set("Host", requestHost(r))
	vr := &http.Request{Method: r.Method, URL: requestTargetURL(r.URL), Header: h, Host: requestHost(r)}
	v, err := httpsig.NewVerifier(vr)
	if err != nil { // created/expires out of range (checked against the real clock)
		return Result{}, &Error{Kind: ErrInvalidSignature, cause: err}
	}

	// Verify with the (possibly cached) key; if that fails, fetch the key
	// again once, in case it rotated, and retry.
	var verr error
	for _, refresh := range []bool{false, true} {
		pub, err := keys.PublicKey(r.Context(), p.keyID, refresh)
		if err != nil {
			return Result{}, &Error{Kind: ErrKeyUnavailable, Detail: p.keyID, cause: err}
		}
		if verr = verifyWith(v, p, pub); verr == nil {
			return Result{KeyID: p.keyID}, nil
		}
	}
	return Result{}, verr
}

// checkRequest runs every rule that needs no key.
func checkRequest(r *http.Request, body []byte, opts Options) (sigParams, error) {
	if r.Header.Get("Signature-Input") != "" {
		return sigParams{}, fail(ErrRFC9421Unsupported, "Signature-Input present")
	}
	sigs := r.Header.Values("Signature")
	switch len(sigs) {
	case 0:
		return sigParams{}, fail(ErrNoSignature, "no Signature header")
	case 1:
	default:
		return sigParams{}, fail(ErrMalformed, "%d Signature headers", len(sigs))
	}
	p, err := parseSignature(sigs[0])
	if err != nil {
		return p, fail(ErrMalformed, "Signature header: %v", err)
	}
	if err := checkKeyID(p.keyID); err != nil {
		return p, err
	}
	if requestHost(r) == "" {
		return p, fail(ErrMalformed, "request has no host")
	}
	for _, name := range requiredHeaders(r.Method, len(body)) {
		if !p.signs(name) {
			return p, fail(ErrMissingHeader, "%s not in signed headers %q", name, p.headers)
		}
	}
	if err := checkDate(r.Header, opts); err != nil {
		return p, err
	}
	digests := r.Header.Values("Digest")
	switch {
	case len(digests) > 1:
		return p, fail(ErrMalformed, "%d Digest headers", len(digests))
	case len(digests) == 1:
		if err := checkDigest(digests[0], body); err != nil {
			return p, err
		}
	case hasBody(r.Method, len(body)):
		return p, fail(ErrDigestMissing, "%s with a %d-byte body", r.Method, len(body))
	}
	return p, nil
}

// checkDate requires exactly one Date header, parseable, within MaxSkew.
func checkDate(h http.Header, opts Options) error {
	dates := h.Values("Date")
	if len(dates) != 1 {
		return fail(ErrMalformed, "%d Date headers", len(dates))
	}
	t, err := http.ParseTime(dates[0])
	if err != nil {
		return fail(ErrMalformed, "Date %q: %v", dates[0], err)
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	skew := opts.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	d := now().Sub(t)
	if d > skew || d < -skew {
		return fail(ErrDateSkew, "Date %q is %v from now (max %v)", dates[0], d.Round(time.Second), skew)
	}
	return nil
}

// verifyWith verifies with pub, using the algorithm of pub's type, after
// checking the claimed algorithm agrees with it.
func verifyWith(v httpsig.Verifier, p sigParams, pub crypto.PublicKey) error {
	algo, err := algorithmFor(pub)
	if err != nil {
		return &Error{Kind: ErrUnsupportedKey, Detail: p.keyID}
	}
	if p.algorithm != "" && p.algorithm != algHS2019 && p.algorithm != algo {
		return fail(ErrAlgorithmMismatch, "header claims %q, key %s is %s", p.algorithm, p.keyID, algo)
	}
	if err := v.Verify(pub, httpsig.Algorithm(algo)); err != nil {
		return &Error{Kind: ErrInvalidSignature, Detail: p.keyID, cause: err}
	}
	return nil
}

// requestHost is the host the request was sent to: r.Host on the server
// side (Go moves the Host header there), else the URL's host.
func requestHost(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	if r.URL != nil {
		return r.URL.Host
	}
	return ""
}

// requestTargetURL is the URL httpsig should put in (request-target). httpsig
// writes URL.Path, which is decoded; the wire form is the escaped path, so
// hand it a URL whose Path is the escaped path. Signer and verifier both go
// through here.
func requestTargetURL(u *url.URL) *url.URL {
	if u == nil {
		return &url.URL{Path: "/"}
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	return &url.URL{Path: p, RawQuery: u.RawQuery}
}
