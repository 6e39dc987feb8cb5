package testrig

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/federation/signature"
)

// Presigned is a POST signed once, by a fixed key at a fixed Date: its
// bytes (Date, Digest, Signature) are the same on every run, so a test
// can hold them, and it can be sent again unchanged (a replay). A node
// accepts it only while its clock is within the signature window of the
// Date: run the node under test on a rig Clock.
type Presigned struct {
	URL    string      // where it is addressed: its host is signed
	Header http.Header // as signed: Content-Type, Date, Digest, Host, Signature
	Body   string
}

// Presign signs a POST of body (an activity) to target, by key as keyID,
// dated at (Epoch for a node on a fresh rig Clock).
func Presign(t testing.TB, key *RigKey, keyID, target, body string, at time.Time) *Presigned {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		t.Fatalf("presign %s: %v", target, err)
	}
	req.Header.Set("Content-Type", "application/activity+json")
	var signed *http.Request
	tr := &signature.Transport{KeyID: keyID, Key: key.Signer, Now: func() time.Time { return at },
		Base: roundTripper(func(r *http.Request) (*http.Response, error) {
			signed = r
			return nil, errCaptured
		})}
	if _, err := tr.RoundTrip(req); !errors.Is(err, errCaptured) {
		t.Fatalf("presign %s: %v", target, err)
	}
	h := signed.Header.Clone()
	h.Set("Host", signed.URL.Host)
	return &Presigned{URL: target, Header: h, Body: body}
}

var errCaptured = errors.New("captured")

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// SendTo posts the request, unchanged, to the server listening at addr
// (host:port): the Host header stays the one signed, so a server on any
// port receives the same bytes. It returns the status and the response
// body.
func (p *Presigned) SendTo(t testing.TB, addr string) (int, string) {
	t.Helper()
	u, err := url.Parse(p.URL)
	if err != nil {
		t.Fatalf("presigned %s: %v", p.URL, err)
	}
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+u.RequestURI(), strings.NewReader(p.Body))
	if err != nil {
		t.Fatalf("presigned %s: %v", p.URL, err)
	}
	for k, v := range p.Header {
		req.Header[k] = append([]string(nil), v...)
	}
	req.Host = p.Header.Get("Host")
	req.Header.Del("Host") // net/http sends req.Host
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("POST %s (to %s): %v", p.URL, addr, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST %s (to %s): %v", p.URL, addr, err)
	}
	return resp.StatusCode, string(b)
}
