package federation

import (
	"context"
	"net/url"
	"strings"

	"github.com/metropolis/agora/federation/actors"
)

// The remote actor cache is package actors'. actorCache keeps the names
// the received side calls it by.
type actorCache struct{ *actors.Cache }

func (c actorCache) actor(ctx context.Context, uri string, refresh bool) (*RemoteActor, error) {
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
