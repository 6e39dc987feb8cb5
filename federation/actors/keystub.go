package actors

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/metropolis/agora/federation/stored"
)

// keyFromStub finds keyID's owner from the key document alone: GoToSocial
// serves {actor}/main-key, unsigned, as a stub of the actor holding that
// key, while it may refuse the actor itself to a requester it cannot
// authenticate yet. fetch.GetKey checks that the stub vouches for exactly
// this key, on the owner's host, under the owner's path. The owner is not
// stored (the stub has no inbox); only its key is cached, so the next
// request from it fetches the actor again.
func (c *Cache) keyFromStub(ctx context.Context, keyID string) (*stored.RemoteActor, error) {
	u, err := url.Parse(keyID)
	if err != nil || u.Fragment != "" || !strings.HasSuffix(u.Path, "/main-key") {
		return nil, fmt.Errorf("key id %q: not a /main-key document", keyID)
	}
	k, err := c.cfg.Client.GetKey(ctx, keyID)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", keyID, err)
	}
	if c.cfg.URLs.IsLocal(k.Owner) {
		return nil, fmt.Errorf("key %s: owner %s is one of ours", keyID, k.Owner)
	}
	return &stored.RemoteActor{URI: k.Owner, Domain: strings.ToLower(hostOfURL(k.Owner)), KeyID: k.ID, PublicKeyPEM: k.PEM,
		FetchedAt: c.cfg.Clock.Now()}, nil
}

func hostOfURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}
