package federation

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/metropolis/agora/federation/actors"
	"github.com/metropolis/agora/federation/apply"
)

// The remote actor cache is package actors'. actorCache keeps the names
// the received side calls it by.
type actorCache struct{ *actors.Cache }

// actor returns a remote actor, fetching it if needed. Inside a batch
// (apply.Applier.ApplyBatch) it only reads what the node holds: an actor that needs a
// fetch sends its item to be applied alone (the error is not apply.Permanent),
// so the batch's transaction never waits on the network, nor on another
// goroutine's fetch of the same actor, which writes through the store and
// would wait for the batch.
func (c actorCache) actor(ctx context.Context, uri string, refresh bool) (*RemoteActor, error) {
	if apply.InBatch(ctx) {
		if refresh {
			return nil, fmt.Errorf("refresh actor %s: %w", uri, actors.ErrNotCached)
		}
		return c.Stored(ctx, uri)
	}
	return c.Actor(ctx, uri, refresh)
}

func (c actorCache) keyOwner(ctx context.Context, keyID string) (string, error) {
	return c.KeyOwner(ctx, keyID)
}

// errLocalActor: an actor asked for is one of ours.
var errLocalActor = actors.ErrLocal

// sameHost reports whether two URLs are on the same host (and port).
func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Host != "" && strings.EqualFold(ua.Host, ub.Host)
}

// hostOf is a URL's host, lowercased ("" if unparseable).
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// FetchGate lets one process of a node fetch a remote document while the
// others wait for it (see actors.FetchGate).
type FetchGate = actors.FetchGate
