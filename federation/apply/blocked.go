package apply

import (
	"context"
	"errors"
	"fmt"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/fetch"
	"github.com/metropolis/agora/forum"
)

// Blocked means blocked everywhere. The inbox refuses a blocked instance's
// own deliveries (403), and the fetch client refuses every request to one
// (fetch.ErrBlocked). What is left is an activity from an unblocked server
// that leads to a blocked one — its reply, its Like, a forum's Announce of
// what a blocked server wrote: such an activity is refused whole, failed
// at once with a reason that errors.Is(err, fetch.ErrBlocked) classifies.
// A reply is refused rather than stored without its parent: it answers the
// blocked post, and shown alone (or announced) it would carry the blocked
// conversation onwards.

// maxAncestors bounds the walk up a stored thread from a reply's parent.
const maxAncestors = 64

// errBlocked is the permanent refusal of what names a blocked instance.
func errBlocked(role, uri string) error {
	return Permanent("%s %s is on a blocked instance (%w)", role, uri, fetch.ErrBlocked)
}

// namedRef is an id an activity names, and what it is to the activity.
type namedRef struct{ role, uri string }

// refuseBlocked refuses an activity whose actor, id or object — or the
// embedded post's author or parent, or the announced or undone activity,
// recursively — is on a blocked instance. A Delete's object is not
// checked: removing what a blocked instance wrote is always welcome.
func (a *Applier) refuseBlocked(ctx context.Context, act *ap.Activity) error {
	// The parser bounds how deep activities nest (8 levels).
	for ; act != nil; act = act.Object.Activity {
		refs := []namedRef{{"actor", act.Actor}, {"activity", act.ID}}
		if act.Type != ap.TypeDelete {
			refs = append(refs, namedRef{"object", act.Object.ID()})
			if o := act.Object.Object; o != nil {
				refs = append(refs, namedRef{"attributedTo", o.AttributedTo}, namedRef{"inReplyTo", o.InReplyTo})
			}
		}
		if err := a.refuseBlockedRefs(ctx, refs); err != nil {
			return err
		}
	}
	return nil
}

// refuseBlockedObject refuses a post fetched or embedded by another
// server (a joined forum's backfill) when it, its author or its parent is
// on a blocked instance.
func (a *Applier) refuseBlockedObject(ctx context.Context, o *ap.Object) error {
	return a.refuseBlockedRefs(ctx, []namedRef{{"object", o.ID}, {"attributedTo", o.AttributedTo}, {"inReplyTo", o.InReplyTo}})
}

// refuseBlockedRefs refuses the first of refs on a blocked instance.
func (a *Applier) refuseBlockedRefs(ctx context.Context, refs []namedRef) error {
	for _, r := range refs {
		if r.uri == "" || a.cfg.URLs.IsLocal(r.uri) {
			continue
		}
		if blocked, err := a.blockedURL(ctx, r.uri); err != nil {
			return fmt.Errorf("block list: %w", err)
		} else if blocked {
			return errBlocked(r.role, r.uri)
		}
	}
	return nil
}

// refuseBlockedThread refuses a reply to parent, a post stored here, when
// the parent, one of its ancestors or the thread's forum is on a blocked
// instance (stored before the block): nothing more is added to what a
// blocked instance wrote.
func (a *Applier) refuseBlockedThread(ctx context.Context, parent *forum.Post, t *forum.Thread) error {
	p := parent
	for i := 0; p != nil && i < maxAncestors; i++ {
		if p.URI != "" {
			if blocked, err := a.blockedURL(ctx, p.URI); err != nil {
				return fmt.Errorf("block list: %w", err)
			} else if blocked {
				return errBlocked("parent", p.URI)
			}
		}
		if p.ParentID == "" {
			break
		}
		next, err := a.forum(ctx).Post(ctx, p.ParentID)
		if errors.Is(err, forum.ErrNotFound) {
			break
		} else if err != nil {
			return fmt.Errorf("ancestor %s: %w", p.ParentID, err)
		}
		p = next
	}
	fo, err := a.forum(ctx).ForumByID(ctx, t.ForumID)
	if err != nil {
		return fmt.Errorf("forum of thread %s: %w", t.ID, err)
	}
	if !fo.Local() {
		if blocked, err := a.blockedURL(ctx, fo.URI); err != nil {
			return fmt.Errorf("block list: %w", err)
		} else if blocked {
			return errBlocked("forum", fo.URI)
		}
	}
	return nil
}
