package federation

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

// translationActivities publishes a post.translated event: the post's
// Update by its author when the post is this node's, else the offer to
// its origin.
func (f *Federation) translationActivities(ctx context.Context, e *forum.Event) ([]*outgoing, error) {
	pc, err := f.loadPost(ctx, e.PostID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if pc.post.URI == "" {
		// The post's Update is its author's, whoever translated it.
		byAuthor := *e
		byAuthor.ActorID = pc.post.AuthorID
		return f.postActivities(ctx, &byAuthor, ap.TypeUpdate)
	}
	translator, err := f.actorOf(ctx, e.ActorID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	obj := &ap.Object{ID: pc.post.URI, Type: ap.TypeNote, ContentMap: map[string]string{}}
	if pc.post.IsQuestion() {
		obj.Type, obj.NameMap = ap.TypePage, map[string]string{}
	}
	for lang, tr := range pc.post.Translations {
		if tr.TranslatorID != translator.ID {
			continue
		}
		obj.ContentMap[lang] = tr.HTML
		if obj.NameMap != nil && tr.Title != "" {
			obj.NameMap[lang] = tr.Title
		}
	}
	if len(obj.ContentMap) == 0 {
		return nil, nil // replaced since by a version from the origin
	}
	act := &ap.Activity{ID: f.urls.Activity(e.ID), Type: ap.TypeUpdate, Actor: f.memberURI(translator),
		Object: ap.Ref{Object: obj}, To: []string{pc.author.URI}, Published: e.CreatedAt}
	body, err := ap.Marshal(act)
	if err != nil {
		return nil, err
	}
	to := inboxSet{}
	if err := f.addActor(ctx, to, pc.author.URI); err != nil {
		return nil, fmt.Errorf("author %s: %w", pc.author.URI, err)
	}
	return []*outgoing{{uri: act.ID, actorURI: act.Actor, typ: act.Type, object: obj.ID, body: body,
		inboxes: to.list(), orderKey: subjectOf(act)}}, nil
}

// isTranslationOffer reports whether an Update is a remote member's offer
// of a language version of one of this node's posts.
func (f *Federation) isTranslationOffer(act *ap.Activity) bool {
	o := act.Object.Object
	return act.Type == ap.TypeUpdate && o != nil && o.ID != "" && f.urls.IsLocal(o.ID) && !f.urls.IsLocal(act.Actor) &&
		len(o.ContentMap) > 0 && (o.Type == ap.TypeNote || o.Type == ap.TypePage)
}

// onTranslationOffer keeps each language version offered, by the rules
// of forum.ReceiveTranslation. The offered entries are the actor's own
// words, so they are taken as they came; nothing else of the object is
// read (its id names our post, whose text stays ours).
func (f *Federation) onTranslationOffer(ctx context.Context, act *ap.Activity, received forum.ID) error {
	o := act.Object.Object
	post, err := f.findPost(ctx, o.ID)
	if errors.Is(err, forum.ErrNotFound) {
		return refused(ReasonUnknownTarget, "translation of %s, which this node doesn't have", o.ID)
	} else if err != nil {
		return err
	}
	by, err := f.remoteMember(ctx, act.Actor)
	if err != nil {
		return err
	}
	for lang, h := range o.ContentMap {
		in := forum.ReceivedTranslation{Language: lang, Title: o.NameMap[lang], HTML: h, ReceivedID: received}
		if _, err := f.svc.ReceiveTranslation(ctx, post.ID, by, in); err != nil {
			return fmt.Errorf("translation of %s into %s: %w", o.ID, lang, err)
		}
	}
	return nil
}
