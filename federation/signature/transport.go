package signature

import (
	"bytes"
	"crypto"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-fed/httpsig"
)

// Transport is an http.RoundTripper that signs every request it sends, at
// send time: each attempt gets a fresh Date (and so a fresh signature), which
// makes retries safe. Requests with a body (POST, PUT) sign
// (request-target) host date digest with a SHA-256 Digest of the body; others
// sign (request-target) host date. The caller's request is never modified:
// RoundTrip signs a clone.
type Transport struct {
	Base  http.RoundTripper // nil means http.DefaultTransport
	KeyID string            // absolute URL of the public key, e.g. https://city.example/u/ana#main-key
	Key   crypto.Signer     // *rsa.PrivateKey (rsa-sha256) or ed25519.PrivateKey (ed25519)
	Now   func() time.Time  // nil means time.Now
}

var _ http.RoundTripper = (*Transport)(nil)

// RoundTrip reads the body (through GetBody when set), closes req.Body as
// the RoundTripper contract requires, and sends a signed clone whose body
// can be replayed (GetBody) by the base transport.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	setBody(out, body)
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	if err := sign(out, body, t.KeyID, t.Key, requiredHeaders(out.Method, len(body)), now()); err != nil {
		return nil, err
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(out)
}

// sign sets Date (and Digest, when listed) on r and signs the listed headers
// with key, writing the Signature header with the key's real algorithm.
func sign(r *http.Request, body []byte, keyID string, key crypto.Signer, headers []string, now time.Time) error {
	if err := checkKeyID(keyID); err != nil {
		return err
	}
	if key == nil {
		return fmt.Errorf("signature: no signing key")
	}
	algo, err := algorithmFor(key.Public())
	if err != nil {
		return err
	}
	host := requestHost(r)
	if host == "" {
		return fmt.Errorf("signature: request has no host")
	}
	r.Host = host
	r.Header.Del("Signature")
	r.Header.Set("Date", now.UTC().Format(http.TimeFormat))
	if slices.Contains(headers, hdrDigest) {
		r.Header.Set("Digest", digestHeader(body))
	}
	// httpsig reads host from the header map; Go's client sends r.Host and
	// ignores the map entry, but remove it anyway once signed.
	r.Header.Set("Host", host)
	defer r.Header.Del("Host")

	s, got, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.Algorithm(algo)}, httpsig.DigestSha256, headers, httpsig.Signature, 0)
	if err != nil || string(got) != algo {
		return fmt.Errorf("signature: no signer for %s: %v", algo, err)
	}
	sr := &http.Request{Method: r.Method, URL: requestTargetURL(r.URL), Header: r.Header, Host: host}
	if err := s.SignRequest(key, keyID, sr, nil); err != nil {
		return fmt.Errorf("signature: sign: %w", err)
	}
	// httpsig always writes algorithm="hs2019"; name the real one, as
	// Mastodon does, for receivers that want it.
	p, err := parseSignature(r.Header.Get("Signature"))
	if err != nil {
		return fmt.Errorf("signature: httpsig wrote an unexpected header: %w", err)
	}
	p.algorithm = algo
	r.Header.Set("Signature", p.format())
	return nil
}

// checkKeyID requires an absolute http(s) URL that fits in a Signature
// header parameter.
func checkKeyID(keyID string) error {
	u, err := url.Parse(keyID)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(keyID, "\",\\") {
		return fail(ErrMalformed, "keyId %q is not an absolute http(s) URL", keyID)
	}
	return nil
}

// readBody returns the request body, preferring a fresh copy from GetBody,
// and closes req.Body.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	src := io.Reader(req.Body)
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("signature: GetBody: %w", err)
		}
		defer rc.Close()
		src = rc
	}
	b, err := io.ReadAll(src)
	if err != nil {
		return nil, fmt.Errorf("signature: read body: %w", err)
	}
	return b, nil
}

// setBody gives r a replayable body holding b.
func setBody(r *http.Request, b []byte) {
	r.ContentLength = int64(len(b))
	if len(b) == 0 {
		r.Body, r.GetBody = http.NoBody, func() (io.ReadCloser, error) { return http.NoBody, nil }
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}
