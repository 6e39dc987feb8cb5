package federation

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// keyFromStub finds keyID's owner from the key document alone: GoToSocial
// serves {actor}/main-key, unsigned, as a stub of the actor holding that
// key, while it may refuse the actor itself to a requester it cannot
// authenticate yet. fetch.GetKey checks that the stub vouches for exactly
// this key, on the owner's host, under the owner's path. The owner is not
// stored (the stub has no inbox); only its key is cached, so the next
// request from it fetches the actor again.
func (c *actorCache) keyFromStub(ctx context.Context, keyID string) (*RemoteActor, error) {
	u, err := url.Parse(keyID)
	if err != nil || u.Fragment != "" || !strings.HasSuffix(u.Path, "/main-key") {
		return nil, fmt.Errorf("key id %q: not a /main-key document", keyID)
	}
	k, err := c.f.client.GetKey(ctx, keyID)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", keyID, err)
	}
	if c.f.urls.IsLocal(k.Owner) {
		return nil, fmt.Errorf("key %s: owner %s %w", keyID, k.Owner, errLocalActor)
	}
	return &RemoteActor{URI: k.Owner, Domain: hostOf(k.Owner), KeyID: k.ID, PublicKeyPEM: k.PEM,
		FetchedAt: c.f.cfg.Clock.Now()}, nil
}
