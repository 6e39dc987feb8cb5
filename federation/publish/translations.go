package publish

import (
	"context"
	"errors"
	"fmt"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/forum"
)

// Translations travel in two steps (docs/federation.md, "Translations"):
// the origin's Update with every language version, or, for another node's
// post, the translator's offer to its origin (see federation's
// onTranslationOffer for the receiving end).

// translationActivities publishes a post.translated event: the post's
// Update by its author when the post is this node's, else the offer to
// its origin.
func (p *Publisher) translationActivities(ctx context.Context, e *forum.Event) ([]*deliver.Outgoing, error) {
	pc, err := p.cfg.Docs.Post(ctx, e.PostID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if pc.Post.URI == "" {
		// The post's Update is its author's, whoever translated it.
		byAuthor := *e
		byAuthor.ActorID = pc.Post.AuthorID
		return p.postActivities(ctx, &byAuthor, ap.TypeUpdate)
	}
	translator, err := p.actorOf(ctx, e.ActorID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	obj := &ap.Object{ID: pc.Post.URI, Type: ap.TypeNote, ContentMap: map[string]string{}}
	if pc.Post.IsQuestion() {
		obj.Type, obj.NameMap = ap.TypePage, map[string]string{}
	}
	for lang, tr := range pc.Post.Translations {
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
	act := &ap.Activity{ID: p.cfg.URLs.Activity(e.ID), Type: ap.TypeUpdate, Actor: p.cfg.Docs.MemberURI(translator),
		Object: ap.Ref{Object: obj}, To: []string{pc.Author.URI}, Published: e.CreatedAt}
	body, err := ap.Marshal(act)
	if err != nil {
		return nil, err
	}
	to := InboxSet{}
	if err := p.AddActor(ctx, to, pc.Author.URI); err != nil {
		return nil, fmt.Errorf("author %s: %w", pc.Author.URI, err)
	}
	return []*deliver.Outgoing{{URI: act.ID, ActorURI: act.Actor, Type: act.Type, Object: obj.ID, Body: body,
		Inboxes: to.List(), OrderKey: SubjectOf(act)}}, nil
}
