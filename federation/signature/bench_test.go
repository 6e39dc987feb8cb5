package signature

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The costs that bound delivery (bench/README.md): one signature per POST
// sent, one verification per POST received.

func BenchmarkSignPOSTRSA(b *testing.B) {
	key := testKeys().rsa
	body := []byte(testBody)
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, testInbox, nil)
		if err := sign(r, body, testKeyID, key, headersWithBody, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignPOSTEd25519(b *testing.B) {
	key := testKeys().ed
	body := []byte(testBody)
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, testInbox, nil)
		if err := sign(r, body, testKeyID, key, headersWithBody, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyPOSTRSA(b *testing.B) {
	ks := testKeys()
	body := []byte(testBody)
	signed := httptest.NewRequest(http.MethodPost, testInbox, strings.NewReader(testBody))
	if err := sign(signed, body, testKeyID, ks.rsa, headersWithBody, testNow); err != nil {
		b.Fatal(err)
	}
	keys := &fakeKeys{cached: ks.rsa.Public()}
	opts := Options{Now: func() time.Time { return testNow }}
	for b.Loop() {
		if _, err := Verify(signed, body, keys, opts); err != nil {
			b.Fatal(err)
		}
	}
}
