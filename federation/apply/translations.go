package apply

import (
	"context"
	"errors"
	"fmt"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/forum"
)

// Translations travel in two steps (docs/federation.md, "Translations").
// Only a post's origin may Update it, so a member who translates another
// node's post offers the version to the origin: an Update by the
// translator whose object carries the post's id and only the new
// language entries of contentMap/nameMap, sent to the author's inbox
// alone. The origin keeps it (forum.ReceiveTranslation) and publishes the
// post's own Update, with every language version, as for any edit: the
// forum's followers, the translator's node among them, all get it.

// isTranslationOffer reports whether an Update is a remote member's offer
// of a language version of one of this node's posts.
func (a *Applier) isTranslationOffer(act *ap.Activity) bool {
	o := act.Object.Object
	return act.Type == ap.TypeUpdate && o != nil && o.ID != "" && a.cfg.URLs.IsLocal(o.ID) && !a.cfg.URLs.IsLocal(act.Actor) &&
		len(o.ContentMap) > 0 && (o.Type == ap.TypeNote || o.Type == ap.TypePage)
}

// onTranslationOffer keeps each language version offered, by the rules
// of forum.ReceiveTranslation. The offered entries are the actor's own
// words, so they are taken as they came; nothing else of the object is
// read (its id names our post, whose text stays ours).
func (a *Applier) onTranslationOffer(ctx context.Context, act *ap.Activity, received forum.ID) error {
	o := act.Object.Object
	post, err := a.FindPost(ctx, o.ID)
	if errors.Is(err, forum.ErrNotFound) {
		return Refused(ReasonUnknownTarget, "translation of %s, which this node doesn't have", o.ID)
	} else if err != nil {
		return err
	}
	by, err := a.RemoteMember(ctx, act.Actor)
	if err != nil {
		return err
	}
	for lang, h := range o.ContentMap {
		in := forum.ReceivedTranslation{Language: lang, Title: o.NameMap[lang], HTML: h, ReceivedID: received}
		// The batch's service: a transaction of its own would wait for
		// the batch's, which holds the write lock (SQLite) until this returns.
		if _, err := a.forum(ctx).ReceiveTranslation(ctx, post.ID, by, in); err != nil {
			return fmt.Errorf("translation of %s into %s: %w", o.ID, lang, err)
		}
	}
	return nil
}
