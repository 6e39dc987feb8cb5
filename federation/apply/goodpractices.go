package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// GoodPracticesURI is the id of a forum's good-practices collection.
func GoodPracticesURI(urls *uris.Builder, fo *forum.Forum) string {
	if fo.Local() {
		return urls.Abs(uris.GoodPracticesPath(fo.Slug))
	}
	return uris.ForumGoodPractices(fo.URI)
}

// onGoodPractice applies a joined forum's Add (on) or Remove of one of its
// answers to its good-practices collection. The actor must be the forum
// itself (the inbox checked it signed): a member, a moderator's own
// account or another node cannot mark a forum's answers.
func (a *Applier) onGoodPractice(ctx context.Context, act *ap.Activity, on bool) error {
	if !strings.HasSuffix(act.Target, uris.GoodPracticesSuffix) {
		return Refused(ReasonUnsupported, "%s to %q: only a forum's good-practices collection is handled", act.Type, act.Target)
	}
	fo, err := a.forum(ctx).ForumByURI(ctx, act.Actor)
	if errors.Is(err, forum.ErrNotFound) {
		return Refused(ReasonForbidden, "%s of a good practice by %s, which is not a forum this node joined: only the forum marks its good practices", act.Type, act.Actor)
	} else if err != nil {
		return err
	}
	if want := GoodPracticesURI(a.cfg.URLs, fo); act.Target != want {
		return Refused(ReasonForbidden, "%s to %s: the forum %s marks in its own collection, %s", act.Type, act.Target, fo.URI, want)
	}
	post, err := a.FindPost(ctx, act.Object.ID())
	if errors.Is(err, forum.ErrNotFound) {
		return Refused(ReasonUnknownTarget, "good practice %s, which this node doesn't have", act.Object.ID())
	} else if err != nil {
		return err
	}
	if err := a.forum(ctx).ReceiveGoodPractice(ctx, fo, post, on, act.Published); err != nil {
		if errors.Is(err, forum.ErrForbidden) {
			return Refused(ReasonForbidden, "%s of %s by %s: the answer is not in one of its threads", act.Type, act.Object.ID(), act.Actor)
		}
		return fmt.Errorf("good practice %s: %w", act.Object.ID(), err)
	}
	return nil
}

// BackfillGoodPractices marks, after a join's backfill, the answers the
// forum lists in its good-practices collection (and unmarks those it no
// longer lists), so a node that joins late shows the marks made before.
// Answers this node does not hold are skipped.
func (a *Applier) BackfillGoodPractices(ctx context.Context, fo *forum.Forum) error {
	items, err := a.collectionFirstItems(ctx, GoodPracticesURI(a.cfg.URLs, fo))
	if err != nil {
		return fmt.Errorf("good practices of %s: %w", fo.URI, err)
	}
	listed := map[forum.ID]bool{}
	for _, item := range items {
		post, err := a.FindPost(ctx, item.ID())
		if errors.Is(err, forum.ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		listed[post.ID] = true
		err = a.forum(ctx).ReceiveGoodPractice(ctx, fo, post, true, a.cfg.Clock.Now())
		if err != nil && !errors.Is(err, forum.ErrForbidden) && !forum.IsValidation(err) {
			return err
		}
	}
	held, err := a.forum(ctx).GoodPractices(ctx, forum.GoodPracticeFilter{ForumID: fo.ID})
	if err != nil {
		return err
	}
	for _, g := range held.Items {
		if !listed[g.Post.ID] {
			if err := a.forum(ctx).ReceiveGoodPractice(ctx, fo, g.Post, false, a.cfg.Clock.Now()); err != nil && !errors.Is(err, forum.ErrForbidden) {
				return err
			}
		}
	}
	return nil
}

// collectionFirstItems reads a collection's inline items, or those of its
// first page (on the collection's host).
func (a *Applier) collectionFirstItems(ctx context.Context, uri string) ([]ap.Ref, error) {
	doc, err := a.cfg.Fetcher.GetObject(ctx, uri)
	if err != nil {
		return nil, err
	}
	c, err := ap.ParseCollection(ctx, doc.Body)
	if err != nil {
		return nil, err
	}
	if len(c.Items) > 0 || c.First == "" || !sameHost(c.First, uri) {
		return c.Items, nil
	}
	if doc, err = a.cfg.Fetcher.GetObject(ctx, c.First); err != nil {
		return nil, err
	}
	if c, err = ap.ParseCollection(ctx, doc.Body); err != nil {
		return nil, err
	}
	return c.Items, nil
}
