package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Key is a public key as a key document states it.
type Key struct {
	ID    string // the key's id: the URL it was fetched from
	Owner string // the actor it belongs to
	PEM   string
}

// GetKey fetches the key document at keyURL in GoToSocial's shape: a stub
// of the owner actor, whose id is the actor (not keyURL) and whose
// publicKey is the key fetched. GetObject refuses it (the id is not the
// URL fetched); GetKey accepts it only when the stub vouches for exactly
// this key: publicKey.id equals the URL after redirects, publicKey.owner
// equals the stub's id, and that owner is on the key's host, under the
// path the key hangs from ({owner}/main-key). A key fetched this way is
// still only a claim of its own host about its own actor, as with any key.
func (c *Client) GetKey(ctx context.Context, keyURL string) (*Key, error) {
	body, final, _, err := c.getJSON(ctx, keyURL, Accept, IsActivityPubType)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("{")) {
		return nil, fmt.Errorf("GET %s: %w: not a JSON object", final, ErrMalformedJSON)
	}
	var doc struct {
		ID        string `json:"id"`
		PublicKey struct {
			ID    string `json:"id"`
			Owner string `json:"owner"`
			PEM   string `json:"publicKeyPem"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("GET %s: %w: %v", final, ErrMalformedJSON, err)
	}
	k := doc.PublicKey
	switch {
	case k.ID != final || final != keyURL:
		return nil, fmt.Errorf("GET %s: %w: publicKey.id is %q", final, ErrIDMismatch, k.ID)
	case k.Owner == "" || k.Owner != doc.ID:
		return nil, fmt.Errorf("GET %s: %w: key owned by %q, document is %q", final, ErrIDMismatch, k.Owner, doc.ID)
	case !keyOfActor(k.ID, k.Owner):
		return nil, fmt.Errorf("GET %s: %w: %s is not a key of %s", final, ErrIDMismatch, k.ID, k.Owner)
	case k.PEM == "":
		return nil, fmt.Errorf("GET %s: %w: no publicKeyPem", final, ErrMalformedJSON)
	}
	return &Key{ID: k.ID, Owner: k.Owner, PEM: k.PEM}, nil
}

// keyOfActor reports whether keyURL hangs from the actor's URL: same
// scheme and host, and the actor's path followed by one more segment.
func keyOfActor(keyURL, actor string) bool {
	k, err1 := url.Parse(keyURL)
	a, err2 := url.Parse(actor)
	if err1 != nil || err2 != nil || k.Host == "" || a.RawQuery != "" || k.RawQuery != "" {
		return false
	}
	rest, ok := strings.CutPrefix(k.Path, strings.TrimSuffix(a.Path, "/")+"/")
	return ok && k.Scheme == a.Scheme && strings.EqualFold(k.Host, a.Host) && rest != "" && !strings.Contains(rest, "/")
}
