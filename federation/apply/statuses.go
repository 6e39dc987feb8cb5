package apply

import (
	"context"
	"errors"
	"net/url"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply/content"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/personal"
)

// Members follow remote people from apps (package people sends the
// Follow); what those people post outside any forum — a plain Mastodon
// status — is kept here as a personal.Status while one of our members
// follows them, and shown only in those members' home timelines.

// statusTypes are the objects kept as statuses: what Mastodon-like
// servers post (Note), and blog posts (Article). Polls, events and pages
// are not.
var statusTypes = map[string]bool{ap.TypeNote: true, ap.TypeArticle: true}

// onPersonStatus keeps, edits or drops a followed person's status: a post
// that belongs to no forum. handled is false for anything that may be
// forum content (a reply, a post naming a forum, an edit of a forum post):
// the forum's rules apply to it as before.
func (a *Applier) onPersonStatus(ctx context.Context, act *ap.Activity, o *ap.Object, via *forum.Forum) (handled bool, err error) {
	// Replies, posts announced by a forum and other types are never kept
	// as statuses (nor edited into one): the forum's rules apply.
	if via != nil || o.InReplyTo != "" || !statusTypes[o.Type] {
		return false, nil
	}
	store := a.store(ctx)
	old, err := store.PersonStatusByURI(ctx, o.ID)
	switch {
	case err == nil:
		return true, a.editPersonStatus(ctx, act, o, old)
	case !errors.Is(err, forum.ErrNotFound):
		return true, err
	}
	if a.addressedForum(ctx, o) != nil || a.followedForum(ctx, o) != nil {
		return false, nil
	}
	if act.Type == ap.TypeUpdate {
		if _, err := a.forum(ctx).PostByURI(ctx, o.ID); err == nil {
			return false, nil // an edit of a forum post
		} else if !errors.Is(err, forum.ErrNotFound) {
			return true, err
		}
	}
	// Followers-only and direct posts are not kept: a status is shown to
	// every member who follows its author, and nothing here checks who
	// the post was addressed to.
	if err := PublicOnly(act, o); err != nil {
		return true, err
	}
	if _, err := store.Tombstone(ctx, o.ID); err == nil {
		return true, nil // deleted before it arrived
	} else if !errors.Is(err, forum.ErrNotFound) {
		return true, err
	}
	author, err := a.forum(ctx).MemberByURI(ctx, act.Actor)
	if errors.Is(err, forum.ErrNotFound) {
		// Never met, so followed by nobody here: the forum's rules refuse
		// it (after fetching the actor, as for any post).
		return false, nil
	} else if err != nil {
		return true, err
	}
	followed, err := store.PersonFollowed(ctx, author.ID)
	if err != nil {
		return true, err
	}
	if !followed {
		return true, Refused(ReasonUnknownTarget, "%s addresses no forum of this node, and nobody here follows %s", o.ID, act.Actor)
	}
	st, err := a.personStatus(o, author)
	if err != nil {
		return true, err
	}
	st.ID = a.cfg.IDs.New()
	return true, store.SavePersonStatus(ctx, st)
}

// editPersonStatus applies a Create or Update of a status kept here: an
// edit replaces it, an edit that makes it private removes it (it must no
// longer be shown), a repeated Create changes nothing.
func (a *Applier) editPersonStatus(ctx context.Context, act *ap.Activity, o *ap.Object, old *personal.Status) error {
	if act.Type != ap.TypeUpdate {
		return nil
	}
	if err := PublicOnly(act, o); err != nil {
		a.cfg.Log.Info("status made private: removed", "status", o.ID, "err", err)
		return a.deletePersonStatus(ctx, o.ID)
	}
	if o.Updated != nil && !old.Edited.IsZero() && !o.Updated.After(old.Edited) {
		a.cfg.Log.Info("stale status update ignored", "activity", act.ID)
		return nil
	}
	author, err := a.forum(ctx).MemberByURI(ctx, act.Actor)
	if err != nil {
		return err
	}
	if author.ID != old.AuthorID {
		return Refused(ReasonOrigin, "%s cannot edit %s", act.Actor, o.ID)
	}
	st, err := a.personStatus(o, author)
	if err != nil {
		return err
	}
	st.ID = old.ID
	if st.Edited.IsZero() {
		st.Edited = a.cfg.Clock.Now()
	}
	return a.store(ctx).SavePersonStatus(ctx, st)
}

// onPersonStatusDelete removes a status kept here when its author deletes
// it; handled is false when the object is no such status.
func (a *Applier) onPersonStatusDelete(ctx context.Context, act *ap.Activity) (handled bool, err error) {
	id := act.Object.ID()
	st, err := a.store(ctx).PersonStatusByURI(ctx, id)
	if errors.Is(err, forum.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return true, err
	}
	author, err := a.forum(ctx).MemberByURI(ctx, act.Actor)
	if err != nil || author.ID != st.AuthorID {
		return true, Refused(ReasonOrigin, "%s cannot delete %s", act.Actor, id)
	}
	if err := a.deletePersonStatus(ctx, id); err != nil {
		return true, err
	}
	// A Create that comes late (or again) must not bring it back.
	return true, a.store(ctx).AddTombstone(ctx, &stored.Tombstone{URI: id, DeletedAt: a.cfg.Clock.Now()})
}

func (a *Applier) deletePersonStatus(ctx context.Context, uri string) error {
	err := a.store(ctx).DeletePersonStatus(ctx, uri)
	if errors.Is(err, forum.ErrNotFound) {
		return nil
	}
	return err
}

// personStatus is a received status as kept: its HTML cleaned by the
// forum's rules for received posts.
func (a *Applier) personStatus(o *ap.Object, author *forum.Member) (*personal.Status, error) {
	p, err := a.cfg.Forum.CleanReceived(content.RemotePost(o, author, ""))
	if err != nil {
		return nil, Refused(ReasonInvalid, "status %s: %w", o.ID, err)
	}
	st := &personal.Status{URI: o.ID, AuthorID: author.ID, HTML: p.HTML, Summary: content.PlainSummary(o.Summary, maxSummary),
		Sensitive: o.Sensitive, Language: p.Language, Visibility: string(o.Visibility()), Published: o.Published}
	if u, err := url.Parse(o.URL); err == nil && (u.Scheme == "https" || u.Scheme == "http") && sameHost(o.URL, o.ID) {
		st.URL = o.URL
	}
	if st.Published.IsZero() {
		st.Published = a.cfg.Clock.Now()
	}
	if o.Updated != nil {
		st.Edited = *o.Updated
	}
	return st, nil
}

// maxSummary bounds a content warning, as Mastodon's 500 characters.
const maxSummary = 500
