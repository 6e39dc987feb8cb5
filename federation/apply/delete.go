package apply

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
)

// onDelete deletes a post by its author, or by a member of the node that
// hosts its forum; an unknown object is remembered so that a late Create
// is ignored.
func (a *Applier) onDelete(ctx context.Context, act *ap.Activity, received forum.ID) error {
	id := act.Object.ID()
	if id == act.Actor {
		return nil // an account deleted: its posts stay, as the node's record
	}
	post, err := a.forum(ctx).PostByURI(ctx, id)
	if a.cfg.URLs.IsLocal(id) {
		post, err = a.FindPost(ctx, id)
	}
	if errors.Is(err, forum.ErrNotFound) {
		if !sameHost(id, act.Actor) {
			return Refused(ReasonOrigin, "%s cannot delete %s", act.Actor, id)
		}
		return a.store(ctx).AddTombstone(ctx, &stored.Tombstone{URI: id, DeletedAt: a.cfg.Clock.Now()})
	} else if err != nil {
		return err
	}
	by, err := a.RemoteMember(ctx, act.Actor)
	if err != nil {
		return err
	}
	if err := a.forum(ctx).ReceiveDelete(ctx, post, by, received); err != nil {
		return err
	}
	if !a.cfg.URLs.IsLocal(id) {
		if err := a.store(ctx).AddTombstone(ctx, &stored.Tombstone{URI: id, DeletedAt: a.cfg.Clock.Now()}); err != nil {
			return err
		}
	}
	return nil
}

// onLock applies a lock (or unlock) of a remote forum's thread, sent by a
// member of the forum's node.
func (a *Applier) onLock(ctx context.Context, act *ap.Activity, locked bool) error {
	t, err := a.forum(ctx).ThreadByURI(ctx, act.Object.ID())
	if errors.Is(err, forum.ErrNotFound) {
		return Refused(ReasonUnknownTarget, "lock of unknown thread %s", act.Object.ID())
	} else if err != nil {
		return err
	}
	by, err := a.RemoteMember(ctx, act.Actor)
	if err != nil {
		return err
	}
	return a.forum(ctx).ReceiveLock(ctx, t, by, locked)
}

// sameHost reports whether two URLs are on the same host (and port).
func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Host != "" && strings.EqualFold(ua.Host, ub.Host)
}
