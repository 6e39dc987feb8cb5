package fetch

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestGetKey: GoToSocial's key stub (id = the actor, publicKey.id = the
// URL fetched) is accepted; every stub that does not vouch for exactly
// the key fetched, for an actor it hangs from on the same host, is not.
func TestGetKey(t *testing.T) {
	const pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n"
	tests := []struct {
		name    string
		doc     string // {base} is the server's URL
		fetched string // path fetched
		ok      bool
	}{
		{"GoToSocial stub", `{"id":"{base}/users/bob","publicKey":{"id":"{base}/users/bob/main-key","owner":"{base}/users/bob","publicKeyPem":%q}}`, "/users/bob/main-key", true},
		{"key id is not the URL fetched", `{"id":"{base}/users/bob","publicKey":{"id":"{base}/users/eve/main-key","owner":"{base}/users/bob","publicKeyPem":%q}}`, "/users/bob/main-key", false},
		{"owner is not the document", `{"id":"{base}/users/bob","publicKey":{"id":"{base}/users/bob/main-key","owner":"{base}/users/eve","publicKeyPem":%q}}`, "/users/bob/main-key", false},
		{"owner on another host", `{"id":"http://other.example/users/bob","publicKey":{"id":"{base}/users/bob/main-key","owner":"http://other.example/users/bob","publicKeyPem":%q}}`, "/users/bob/main-key", false},
		{"key not under its owner", `{"id":"{base}/users/eve","publicKey":{"id":"{base}/users/bob/main-key","owner":"{base}/users/eve","publicKeyPem":%q}}`, "/users/bob/main-key", false},
		{"key two levels under its owner", `{"id":"{base}/users","publicKey":{"id":"{base}/users/bob/main-key","owner":"{base}/users","publicKeyPem":%q}}`, "/users/bob/main-key", false},
		{"no owner", `{"id":"{base}/users/bob","publicKey":{"id":"{base}/users/bob/main-key","publicKeyPem":%q}}`, "/users/bob/main-key", false},
		{"no key", `{"id":"{base}/users/bob","publicKey":{"id":"{base}/users/bob/main-key","owner":"{base}/users/bob","publicKeyPem":""}} %.0q`, "/users/bob/main-key", false},
		{"not an object", `[%q]`, "/users/bob/main-key", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var base string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/activity+json")
				fmt.Fprintf(w, strings.ReplaceAll(tt.doc, "{base}", base), pem)
			}))
			defer srv.Close()
			base = srv.URL
			c, _ := newTestClient(t, testConfig())
			k, err := c.GetKey(context.Background(), base+tt.fetched)
			if tt.ok != (err == nil) {
				t.Fatalf("GetKey: %+v, %v; want ok=%v", k, err, tt.ok)
			}
			if tt.ok && (k.ID != base+tt.fetched || k.Owner != base+"/users/bob" || k.PEM != pem) {
				t.Errorf("key %+v", k)
			}
		})
	}
}
