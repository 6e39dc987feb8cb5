package signature

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	_ "embed"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-fed/httpsig"
)

// Test rig: fixed ids, a fixed clock, keys generated once per test binary,
// a fake resolver that counts its calls, and a raw signer that signs whatever
// headers a test has set up (so each failing case has a valid signature and
// fails on exactly one rule).

const (
	testKeyID    = "https://remote.example/users/bob#main-key"
	testKeyIDAlt = "https://remote.example/users/bob/main-key"
	testInbox    = "https://city.example/inbox"
	testBody     = `{"type":"Create","actor":"https://remote.example/users/bob"}`
)

var testNow = time.Date(2025, time.March, 14, 15, 9, 26, 0, time.UTC)

type keyset struct {
	rsa, rsaOther *rsa.PrivateKey
	ed            ed25519.PrivateKey
}

var testKeys = sync.OnceValue(func() keyset {
	a, err := GenerateRSA()
	if err != nil {
		panic(err)
	}
	b, err := GenerateRSA()
	if err != nil {
		panic(err)
	}
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, "agora federation signature test")
	return keyset{rsa: a, rsaOther: b, ed: ed25519.NewKeyFromSeed(seed)}
})

// The fixed keys: the same bytes in every run and every build, so that
// benchmarks generate no key and the interoperability test can hold
// signatures made once. testdata/rsa2048.pem is a test key made with
// `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`; it signs
// nothing outside these tests.

//go:embed testdata/rsa2048.pem
var fixedRSAPEM string

var fixedRSAKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := ParsePrivatePEM(fixedRSAPEM)
	if err != nil {
		panic(err)
	}
	return k.(*rsa.PrivateKey)
})

func fixedEd25519Key() ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, "agora fixed ed25519 test key")
	return ed25519.NewKeyFromSeed(seed)
}

// fakeKeys answers with cached on a plain call and fresh on a refresh.
type fakeKeys struct {
	mu        sync.Mutex
	cached    crypto.PublicKey
	fresh     crypto.PublicKey // nil: same as cached
	err       error
	calls     int
	refreshes int
	lastKeyID string
}

func (f *fakeKeys) PublicKey(_ context.Context, keyID string, refresh bool) (crypto.PublicKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.lastKeyID = keyID
	if f.err != nil {
		return nil, f.err
	}
	if refresh {
		f.refreshes++
		if f.fresh != nil {
			return f.fresh, nil
		}
	}
	return f.cached, nil
}

// signRaw signs r's current headers (it sets neither Date nor Digest) with
// httpsig, then sets the algorithm parameter to alg ("" removes it).
func signRaw(t testing.TB, r *http.Request, key crypto.Signer, keyID string, headers []string, alg string) {
	t.Helper()
	algo, err := algorithmFor(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.Algorithm(algo)}, httpsig.DigestSha256, headers, httpsig.Signature, 0)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Del("Signature")
	r.Header.Set("Host", requestHost(r))
	sr := &http.Request{Method: r.Method, URL: requestTargetURL(r.URL), Header: r.Header, Host: r.Host}
	if err := s.SignRequest(key, keyID, sr, nil); err != nil {
		t.Fatal(err)
	}
	r.Header.Del("Host")
	p, err := parseSignature(r.Header.Get("Signature"))
	if err != nil {
		t.Fatal(err)
	}
	p.algorithm = alg
	r.Header.Set("Signature", p.format())
}

// setSigParam replaces one parameter of r's Signature header, textually.
func setSigParam(r *http.Request, name, value string) {
	var out []string
	for _, item := range strings.Split(r.Header.Get("Signature"), ",") {
		if strings.HasPrefix(item, name+"=") {
			item = name + `="` + value + `"`
		}
		out = append(out, item)
	}
	r.Header.Set("Signature", strings.Join(out, ","))
}
