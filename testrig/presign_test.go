package testrig_test

import (
	"context"
	"crypto"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/testrig"
)

const (
	presignActor = "https://remote.test/users/ana"
	presignInbox = "http://agora.test/inbox"
	presignBody  = `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://remote.test/users/ana#follows/1",` +
		`"type":"Follow","actor":"https://remote.test/users/ana","object":"http://agora.test/f/digitalisation"}`
	// presignSignature is the Signature header Presign made for the Follow
	// above, by remote-mastodon at Epoch, once: it must never change.
	presignSignature = `keyId="https://remote.test/users/ana#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",` +
		`signature="B1hoohrbQOAM8UMhnLcO7KRNt5sevlVwp+xzbEtQ3XTGXl+zWJfc4w1Q4kBC6KDa4azXcaiRiFb1yAbbtBVI032Nu1e8RlhW2urfnFEUYK2W9h1j+3KuFg/3sELKVnutR6BqSaBNd21k+E4OPw/zPed2M+lR5qBkqm2HPIf/qllPJKgYGWratjqda61xnmej9pOjunCJ7r5hqApH1WDrvdMyqEwiwrKZWqyjiY9NYzFWRMmn8Etnm+UuKvjX+HDVkFcNOAFJq5FOGx+M8ijfK4KHjcwMIIioo5LpGKzqJoh3a8QIcAmNFnTZ1cutvzQs28ZCuck4wnCpL//5772P5A=="`
)

type oneKey struct {
	id  string
	pub crypto.PublicKey
}

func (k oneKey) PublicKey(_ context.Context, keyID string, _ bool) (crypto.PublicKey, error) {
	if keyID != k.id {
		return nil, fmt.Errorf("unknown key %s", keyID)
	}
	return k.pub, nil
}

// A presigned request is the same bytes on every run, and verifies at the
// rig's Epoch but not an hour and more after it.
func TestPresign(t *testing.T) {
	key := testrig.Key(t, "remote-mastodon")
	p := testrig.Presign(t, key, presignActor+"#main-key", presignInbox, presignBody, testrig.Epoch)
	again := testrig.Presign(t, key, presignActor+"#main-key", presignInbox, presignBody, testrig.Epoch)
	if got := p.Header.Get("Signature"); got != presignSignature {
		t.Errorf("Signature:\n%s\nwant the one made once:\n%s", got, presignSignature)
	}
	for _, h := range []string{"Date", "Digest", "Host", "Signature"} {
		if p.Header.Get(h) == "" || p.Header.Get(h) != again.Header.Get(h) {
			t.Errorf("%s: %q, then %q; want the same, set", h, p.Header.Get(h), again.Header.Get(h))
		}
	}
	if got, want := p.Header.Get("Date"), "Mon, 02 Nov 2026 09:30:00 GMT"; got != want {
		t.Errorf("Date %q, want %q (Epoch)", got, want)
	}
	verify := func(now time.Time) error {
		r, _ := http.NewRequest(http.MethodPost, p.URL, strings.NewReader(p.Body))
		r.Header = p.Header.Clone()
		r.Host = p.Header.Get("Host")
		_, err := signature.Verify(r, []byte(p.Body), oneKey{presignActor + "#main-key", key.Signer.Public()}, signature.Options{Now: func() time.Time { return now }, MaxSkew: time.Hour})
		return err
	}
	if err := verify(testrig.Epoch.Add(time.Minute)); err != nil {
		t.Errorf("at Epoch: %v", err)
	}
	if err := verify(testrig.Epoch.Add(2 * time.Hour)); err == nil {
		t.Error("two hours after its Date it still verifies")
	}
}
