package signature

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The costs that bound delivery (bench/README.md): one signature per POST
// sent, one verification per POST received.
//
// The benchmarks sign with the fixed keys of the rig (fixedRSAKey, parsed as
// the node parses its stored keys), so that a benchmark binary generates no
// key: an RSA key generation (a random search for primes) costs a random
// amount of CPU, many signatures' worth, which would swamp whole-process CPU
// figures. Besides the wall-clock ns/op each reports cpu-ns/op, the
// process's user+system CPU per operation (getrusage), because on a shared
// machine the wall clock also counts the time other processes held the core.
// Run with -cpu 1 so that the figures are per core. The backend in use
// (Backend) is logged with -v.

// cpuTime is the user+system CPU this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs op under b.Loop and reports cpu-ns/op besides ns/op.
func loop(b *testing.B, op func() error) {
	b.Helper()
	b.Logf("RSA backend: %s", Backend())
	var n int
	var start time.Duration
	for b.Loop() {
		if n == 0 {
			start = cpuTime(b)
		}
		if err := op(); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(n), "cpu-ns/op")
}

// BenchmarkSignPOSTRSA is what a delivery pays to sign: Date, Digest and
// the RSA-2048 signature of a POST.
func BenchmarkSignPOSTRSA(b *testing.B) {
	key := fixedRSAKey()
	body := []byte(testBody)
	loop(b, func() error {
		r := httptest.NewRequest(http.MethodPost, testInbox, nil)
		return sign(r, body, testKeyID, key, headersWithBody, testNow)
	})
}

func BenchmarkSignPOSTEd25519(b *testing.B) {
	key := fixedEd25519Key()
	body := []byte(testBody)
	loop(b, func() error {
		r := httptest.NewRequest(http.MethodPost, testInbox, nil)
		return sign(r, body, testKeyID, key, headersWithBody, testNow)
	})
}

// BenchmarkVerifyPOSTRSA is what the inbox pays per received POST once the
// sender's key is cached.
func BenchmarkVerifyPOSTRSA(b *testing.B) {
	key := fixedRSAKey()
	body := []byte(testBody)
	signed := httptest.NewRequest(http.MethodPost, testInbox, strings.NewReader(testBody))
	if err := sign(signed, body, testKeyID, key, headersWithBody, testNow); err != nil {
		b.Fatal(err)
	}
	keys := &fakeKeys{cached: key.Public()}
	opts := Options{Now: func() time.Time { return testNow }}
	loop(b, func() error {
		_, err := Verify(signed, body, keys, opts)
		return err
	})
}

// BenchmarkRSA2048SignPKCS1v15 and BenchmarkRSA2048VerifyPKCS1v15 are the
// bare RSA operations inside the two above (a SHA-256 of a short signing
// string, then PKCS #1 v1.5), for comparison with `openssl speed rsa2048`.
func BenchmarkRSA2048SignPKCS1v15(b *testing.B) {
	key := fixedRSAKey()
	msg := []byte("(request-target): post /inbox\nhost: city.example\ndate: Fri, 14 Mar 2025 15:09:26 GMT")
	loop(b, func() error {
		h := sha256.Sum256(msg)
		_, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, h[:])
		return err
	})
}

func BenchmarkRSA2048VerifyPKCS1v15(b *testing.B) {
	key := fixedRSAKey()
	msg := []byte("(request-target): post /inbox\nhost: city.example\ndate: Fri, 14 Mar 2025 15:09:26 GMT")
	h := sha256.Sum256(msg)
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, h[:])
	if err != nil {
		b.Fatal(err)
	}
	loop(b, func() error {
		h := sha256.Sum256(msg)
		return rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, h[:], sig)
	})
}
