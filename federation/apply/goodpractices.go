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
