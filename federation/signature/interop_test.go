package signature

import (
	"crypto"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Signatures made by one build must verify with the other: the default
// build (Go's own RSA) and the BoringCrypto build (README "Faster
// signing") may both run in one federation, and a node may be rebuilt in
// either mode with the keys it has.
//
// RSA PKCS #1 v1.5 and Ed25519 signatures are deterministic: any correct
// implementation signing the same request with the same key writes the
// same bytes. The headers below were made once by the default build (and
// the RSA one agrees with `openssl dgst -sha256 -sign testdata/rsa2048.pem`
// over the same signing string). So every build must (1) sign the request
// to exactly these bytes, which then verify with every other build, and
// (2) verify them, and refuse them with one byte changed.
// .ci/run runs this test in both modes.
var interopSignatures = map[string]struct {
	key       func() crypto.Signer
	signature string // the Signature header the default build wrote
}{
	"rsa-sha256": {
		key:       func() crypto.Signer { return fixedRSAKey() },
		signature: `keyId="https://remote.example/users/bob#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="tWOuTkKxBQS969r7ew0uRFQV4feFGWXaf6xtUz+exhhRknYYVHG0U8ikwLhAVUWDRKOyUYCH/+h8AdvZymw6kwzBKLE654BI+OmGg+1mCLgC/EUJI5MiChm4hdTNfiG17oKFhehSkoYUzWtLeMs2XYXmsYPIN3Vh9EWtJmkX20IVw286ZgkftH/Y1QU5YZOUWf+k5zNz33FLTVJGRhPmsHUdiVSyRFm03svLxdUDFteRm85n+OIgFkUPQN35EOJZJaQsxVwf4T+klFnm+129MdzAQ5ul3LHrUmA3Ur6mXvwnqSOCyLZ0ttYoKyw8dYmADShlRpfGo6LXq9XY0ieUMA=="`,
	},
	"ed25519": {
		key:       func() crypto.Signer { return fixedEd25519Key() },
		signature: `keyId="https://remote.example/users/bob#main-key",algorithm="ed25519",headers="(request-target) host date digest",signature="fBj7Q9oYvCFkZwRIR25ogy3tuqoOTKOv94DCHnbMdbcKxLBu7i09zUJzr8kdplyDMUcHYKJYegzXeaaDt2pkCA=="`,
	},
}

func TestSignatureInteroperable(t *testing.T) {
	t.Logf("RSA backend: %s", Backend())
	opts := Options{Now: func() time.Time { return testNow }}
	for name, tc := range interopSignatures {
		t.Run(name, func(t *testing.T) {
			key := tc.key()
			body := []byte(testBody)

			// (1) This build signs to the same bytes.
			r := httptest.NewRequest(http.MethodPost, testInbox, strings.NewReader(testBody))
			if err := sign(r, body, testKeyID, key, headersWithBody, testNow); err != nil {
				t.Fatalf("sign: %v", err)
			}
			if got := r.Header.Get("Signature"); got != tc.signature {
				t.Errorf("%s build signed differently from the default build:\n got %s\nwant %s", Backend(), got, tc.signature)
			}

			// (2) This build verifies what the default build signed.
			signed := func(sig string) *http.Request {
				r := httptest.NewRequest(http.MethodPost, testInbox, strings.NewReader(testBody))
				r.Header.Set("Date", testNow.UTC().Format(http.TimeFormat))
				r.Header.Set("Digest", digestHeader(body))
				r.Header.Set("Signature", sig)
				return r
			}
			keys := &fakeKeys{cached: key.Public()}
			if _, err := Verify(signed(tc.signature), body, keys, opts); err != nil {
				t.Errorf("%s build refused the default build's signature: %v", Backend(), err)
			}

			// ... and refuses it with one byte of the signature changed.
			p, err := parseSignature(tc.signature)
			if err != nil {
				t.Fatalf("interop signature: %v", err)
			}
			raw, err := base64.StdEncoding.DecodeString(p.signature)
			if err != nil {
				t.Fatal(err)
			}
			raw[len(raw)/2] ^= 0x01
			p.signature = base64.StdEncoding.EncodeToString(raw)
			_, err = Verify(signed(p.format()), body, keys, opts)
			if !errors.Is(err, ErrInvalidSignature) {
				t.Errorf("%s build verified a changed signature: err = %v, want %v", Backend(), err, ErrInvalidSignature)
			}
		})
	}
}
