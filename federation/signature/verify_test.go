package signature

import (
	"crypto"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

type verifyCase struct {
	name      string
	method    string                     // default POST
	target    string                     // default testInbox
	body      string                     // signed body; default testBody for POST
	sentBody  *string                    // body handed to Verify, if not body
	key       func(keyset) crypto.Signer // default the RSA key
	keyID     string                     // default testKeyID
	headers   []string                   // signed list; default requiredHeaders
	alg       string                     // algorithm parameter; default the key's, "none" omits it
	date      string                     // default testNow; "none" omits it
	digest    string                     // default SHA-256 of body; "none" omits it
	edit      func(*http.Request)        // applied after signing
	keys      func(keyset) *fakeKeys
	want      error // nil: must verify
	wantCalls int   // resolver calls; default 1 on success
}

func str(s string) *string { return &s }

func TestVerify(t *testing.T) {
	ks := testKeys()
	rsaPub := func(k keyset) *fakeKeys { return &fakeKeys{cached: k.rsa.Public()} }
	without := func(name string) []string {
		var out []string
		for _, h := range headersWithBody {
			if h != name {
				out = append(out, h)
			}
		}
		return out
	}
	cases := []verifyCase{
		// Valid requests.
		{name: "valid POST", wantCalls: 1},
		{name: "valid GET", method: http.MethodGet, target: "https://city.example/users/ana?page=2", wantCalls: 1},
		{name: "valid POST, keyId ending /main-key", keyID: testKeyIDAlt, wantCalls: 1},
		{name: "hs2019 accepted", alg: "hs2019", wantCalls: 1},
		{name: "no algorithm parameter accepted", alg: "none", wantCalls: 1},
		{name: "algorithm name case-insensitive", alg: "RSA-SHA256", wantCalls: 1},
		{name: "lower-case sha-256 digest accepted", digest: strings.Replace(digestHeader([]byte(testBody)), "SHA-256", "sha-256", 1), wantCalls: 1},
		{name: "SHA-256 listed with another digest", digest: "SHA-512=AAAA," + digestHeader([]byte(testBody)), wantCalls: 1},
		{name: "extra signed headers fine", headers: append(append([]string{}, headersWithBody...), "content-type"), wantCalls: 1},
		{name: "Date 59 minutes old", date: testNow.Add(-59 * time.Minute).Format(http.TimeFormat), wantCalls: 1},
		{name: "Date 59 minutes ahead", date: testNow.Add(59 * time.Minute).Format(http.TimeFormat), wantCalls: 1},
		{name: "Ed25519 key", key: func(k keyset) crypto.Signer { return k.ed },
			keys: func(k keyset) *fakeKeys { return &fakeKeys{cached: k.ed.Public()} }, wantCalls: 1},
		{name: "Ed25519 key, hs2019", key: func(k keyset) crypto.Signer { return k.ed }, alg: "hs2019",
			keys: func(k keyset) *fakeKeys { return &fakeKeys{cached: k.ed.Public()} }, wantCalls: 1},
		{name: "key rotated: refresh succeeds", key: func(k keyset) crypto.Signer { return k.rsaOther },
			keys: func(k keyset) *fakeKeys { return &fakeKeys{cached: k.rsa.Public(), fresh: k.rsaOther.Public()} }, wantCalls: 2},

		// One case per rule that fails. Pre-key rules must not call the resolver.
		{name: "no signature", edit: func(r *http.Request) { r.Header.Del("Signature") }, want: ErrNoSignature},
		{name: "RFC 9421 only", edit: func(r *http.Request) {
			r.Header.Set("Signature-Input", `sig1=("@method" "@target-uri" "content-digest");created=1741964966;keyid="`+testKeyID+`"`)
			r.Header.Set("Signature", "sig1=:dGVzdA==:")
		}, want: ErrRFC9421Unsupported},
		{name: "malformed header", edit: func(r *http.Request) { r.Header.Set("Signature", "not a signature") }, want: ErrMalformed},
		{name: "malformed: duplicate parameter", edit: func(r *http.Request) {
			r.Header.Set("Signature", r.Header.Get("Signature")+`,headers="date"`)
		}, want: ErrMalformed},
		{name: "malformed: unquoted keyId", edit: func(r *http.Request) {
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), `keyId="`+testKeyID+`"`, "keyId="+testKeyID, 1))
		}, want: ErrMalformed},
		{name: "malformed: signature not base64", edit: func(r *http.Request) { setSigParam(r, "signature", "%%%") }, want: ErrMalformed},
		{name: "malformed: two Signature headers", edit: func(r *http.Request) { r.Header.Add("Signature", r.Header.Get("Signature")) }, want: ErrMalformed},
		{name: "keyId not absolute", edit: func(r *http.Request) { setSigParam(r, "keyId", "/users/bob#main-key") }, want: ErrMalformed},
		{name: "keyId not http(s)", edit: func(r *http.Request) { setSigParam(r, "keyId", "acct:bob@remote.example") }, want: ErrMalformed},
		{name: "headers parameter absent (defaults to date)", edit: func(r *http.Request) {
			p, _ := parseSignature(r.Header.Get("Signature"))
			p.headers = nil
			r.Header.Set("Signature", p.format())
		}, want: ErrMissingHeader},
		{name: "(request-target) not signed", headers: without(hdrRequestTarget), want: ErrMissingHeader},
		{name: "host not signed", headers: without(hdrHost), want: ErrMissingHeader},
		{name: "date not signed", headers: without(hdrDate), want: ErrMissingHeader},
		{name: "digest not signed on POST", headers: without(hdrDigest), want: ErrMissingHeader},
		{name: "digest not signed on empty POST", body: "", sentBody: str(""), headers: headersNoBody, digest: "none", want: ErrMissingHeader},
		{name: "digest missing", digest: "none", headers: headersNoBody, edit: func(r *http.Request) {
			setSigParam(r, "headers", strings.Join(headersWithBody, " "))
		}, want: ErrDigestMissing},
		{name: "digest mismatch: body altered by one byte", sentBody: str(strings.Replace(testBody, "Create", "Creatf", 1)), want: ErrDigestMismatch},
		{name: "digest of another algorithm", digest: "SHA-512=z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==", want: ErrDigestAlgorithm},
		{name: "digest not base64", digest: "SHA-256=!!", want: ErrDigestMismatch},
		{name: "Date too old", date: testNow.Add(-61 * time.Minute).Format(http.TimeFormat), want: ErrDateSkew},
		{name: "Date too far in the future", date: testNow.Add(61 * time.Minute).Format(http.TimeFormat), want: ErrDateSkew},
		{name: "Date unparseable", date: "yesterday at noon", want: ErrMalformed},
		{name: "Date missing", date: "none", headers: []string{hdrRequestTarget, hdrHost, hdrDigest}, edit: func(r *http.Request) {
			setSigParam(r, "headers", strings.Join(headersWithBody, " "))
		}, want: ErrMalformed},

		// Rules that need the key.
		{name: "algorithm mismatch: ed25519 claimed on an RSA key", alg: "ed25519", want: ErrAlgorithmMismatch, wantCalls: 2},
		{name: "algorithm mismatch: rsa-sha256 claimed on an Ed25519 key", key: func(k keyset) crypto.Signer { return k.ed },
			alg: "rsa-sha256", keys: func(k keyset) *fakeKeys { return &fakeKeys{cached: k.ed.Public()} },
			want: ErrAlgorithmMismatch, wantCalls: 2},
		{name: "algorithm hmac-sha256 refused", alg: "hmac-sha256", want: ErrAlgorithmMismatch, wantCalls: 2},
		{name: "wrong key: refresh once, then fail", key: func(k keyset) crypto.Signer { return k.rsaOther },
			want: ErrInvalidSignature, wantCalls: 2},
		{name: "sent to another host", edit: func(r *http.Request) { r.Host = "other.example" }, want: ErrInvalidSignature, wantCalls: 2},
		{name: "sent to another path", edit: func(r *http.Request) { r.URL.Path = "/users/ana/inbox" }, want: ErrInvalidSignature, wantCalls: 2},
		{name: "method changed", edit: func(r *http.Request) { r.Method = http.MethodPut }, want: ErrInvalidSignature, wantCalls: 2},
		{name: "resolver fails", keys: func(keyset) *fakeKeys { return &fakeKeys{err: errTestResolver} }, want: ErrKeyUnavailable, wantCalls: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, keys, body := buildCase(t, ks, c, rsaPub)
			before := r.Header.Clone()
			res, err := Verify(r, body, keys, Options{Now: func() time.Time { return testNow }})
			if !reflect.DeepEqual(before, r.Header) {
				t.Errorf("Verify modified the request headers:\n%v\n%v", before, r.Header)
			}
			if keys.calls != c.wantCalls {
				t.Errorf("resolver called %d times, want %d", keys.calls, c.wantCalls)
			}
			if keys.refreshes > 1 {
				t.Errorf("refreshed %d times", keys.refreshes)
			}
			if c.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if res.KeyID != keys.lastKeyID || res.KeyID == "" {
					t.Errorf("KeyID = %q, resolver saw %q", res.KeyID, keys.lastKeyID)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			wantStatus := http.StatusUnauthorized
			if c.want == ErrMalformed {
				wantStatus = http.StatusBadRequest
			}
			if got := HTTPStatus(err); got != wantStatus {
				t.Errorf("HTTPStatus = %d, want %d", got, wantStatus)
			}
			if c.want == ErrKeyUnavailable && !errors.Is(err, errTestResolver) {
				t.Errorf("resolver error not wrapped: %v", err)
			}
		})
	}
}

var errTestResolver = errors.New("remote.example is unreachable")

// buildCase makes the request a case describes, signed by signRaw.
func buildCase(t *testing.T, ks keyset, c verifyCase, defKeys func(keyset) *fakeKeys) (*http.Request, *fakeKeys, []byte) {
	t.Helper()
	method, target := c.method, c.target
	if method == "" {
		method = http.MethodPost
	}
	if target == "" {
		target = testInbox
	}
	body := c.body
	if body == "" && c.sentBody == nil && method == http.MethodPost {
		body = testBody
	}
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/activity+json")
	date := c.date
	if date == "" {
		date = testNow.Format(http.TimeFormat)
	}
	if date != "none" {
		r.Header.Set("Date", date)
	}
	digest := c.digest
	if digest == "" && hasBody(method, len(body)) {
		digest = digestHeader([]byte(body))
	}
	if digest != "" && digest != "none" {
		r.Header.Set("Digest", digest)
	}
	key := crypto.Signer(ks.rsa)
	if c.key != nil {
		key = c.key(ks)
	}
	keyID := c.keyID
	if keyID == "" {
		keyID = testKeyID
	}
	headers := c.headers
	if headers == nil {
		headers = requiredHeaders(method, len(body))
	}
	alg, _ := algorithmFor(key.Public())
	switch c.alg {
	case "":
	case "none":
		alg = ""
	default:
		alg = c.alg
	}
	signRaw(t, r, key, keyID, headers, alg)
	if c.edit != nil {
		c.edit(r)
	}
	keys := defKeys(ks)
	if c.keys != nil {
		keys = c.keys(ks)
	}
	sent := []byte(body)
	if c.sentBody != nil {
		sent = []byte(*c.sentBody)
	}
	return r, keys, sent
}

func TestVerifyDefaultSkewAndCustom(t *testing.T) {
	ks := testKeys()
	c := verifyCase{date: testNow.Add(-10 * time.Minute).Format(http.TimeFormat)}
	r, keys, body := buildCase(t, ks, c, func(k keyset) *fakeKeys { return &fakeKeys{cached: k.rsa.Public()} })
	now := func() time.Time { return testNow }
	if _, err := Verify(r, body, keys, Options{Now: now, MaxSkew: 5 * time.Minute}); !errors.Is(err, ErrDateSkew) {
		t.Errorf("MaxSkew 5m, Date 10m old: err = %v, want ErrDateSkew", err)
	}
	if _, err := Verify(r, body, keys, Options{Now: now}); err != nil {
		t.Errorf("default MaxSkew, Date 10m old: %v", err)
	}
}

func TestHTTPStatus(t *testing.T) {
	for err, want := range map[error]int{
		nil:                             http.StatusOK,
		fail(ErrMalformed, "x"):         http.StatusBadRequest,
		fail(ErrNoSignature, "x"):       http.StatusUnauthorized,
		fail(ErrRFC9421Unsupported, ""): http.StatusUnauthorized,
		errors.New("other"):             http.StatusInternalServerError,
	} {
		if got := HTTPStatus(err); got != want {
			t.Errorf("HTTPStatus(%v) = %d, want %d", err, got, want)
		}
	}
}
