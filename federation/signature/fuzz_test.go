package signature

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzVerify feeds arbitrary Signature, Digest and Date values (and body) to
// Verify: it must never panic, must classify every failure, and may only
// succeed for a request the key really signed.
func FuzzVerify(f *testing.F) {
	ks := testKeys()
	good := httptest.NewRequest(http.MethodPost, testInbox, strings.NewReader(testBody))
	good.Header.Set("Date", testNow.Format(http.TimeFormat))
	good.Header.Set("Digest", digestHeader([]byte(testBody)))
	signRaw(f, good, ks.rsa, testKeyID, headersWithBody, algRSASHA256)
	sig, dig, dat := good.Header.Get("Signature"), good.Header.Get("Digest"), good.Header.Get("Date")

	f.Add(sig, dig, dat, testBody)
	f.Add(sig, dig, dat, testBody+" ")
	f.Add(strings.Replace(sig, "rsa-sha256", "hs2019", 1), strings.ToLower(dig), dat, testBody)
	f.Add(`keyId="https://a.example/k",headers="(request-target) host date digest",signature="AAAA"`, "SHA-256=", "Thu, 01 Jan 1970 00:00:00 GMT", "")
	f.Add(`keyId="x",created=99999999999999999999,signature="=="`, "sha-512=,,=", "Mon, 02 Jan 2006", "x")
	f.Add(`Signature keyId="a"`, "", "", "")
	f.Add(`,,,=,"=",keyId=""""`, "=", "\x00", "")

	f.Fuzz(func(t *testing.T, sig, digest, date, body string) {
		r := httptest.NewRequest(http.MethodPost, testInbox, nil)
		r.Header["Signature"] = []string{sig}
		r.Header["Digest"] = []string{digest}
		r.Header["Date"] = []string{date}
		keys := &fakeKeys{cached: ks.rsa.Public()}
		res, err := Verify(r, []byte(body), keys, Options{Now: func() time.Time { return testNow }})
		switch HTTPStatus(err) {
		case http.StatusOK:
			if res.KeyID == "" || body != testBody || digest != dig || date != dat {
				t.Fatalf("verified a request the key did not sign: %q %q %q %q", sig, digest, date, body)
			}
		case http.StatusBadRequest, http.StatusUnauthorized:
		default:
			t.Fatalf("unclassified error: %v", err)
		}
		if keys.refreshes > 1 {
			t.Fatalf("refreshed %d times", keys.refreshes)
		}
	})
}
