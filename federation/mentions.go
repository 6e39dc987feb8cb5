package federation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/publish"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/markup"
)

// Mentions and hashtags a member writes in markdown (@name, @name@host,
// #word) become `Mention` and `Hashtag` tags on the published object, and
// links in its content. The markup package finds them (outside code and
// links); this file resolves mentions to actors.
//
// Resolving @name@host takes WebFinger, so it happens in the publisher,
// never on a request: before a post's Create or Update is built, the
// publisher resolves the handles nobody resolved recently (at most
// markup.MaxMentions per post, all within mentionBudget) and stores each
// answer (actor_handles) and actor (remote_actors). Building an object
// (for delivery, for a GET, in a context collection) then only reads what
// is stored, so every copy of a post says the same. A handle that doesn't
// resolve stays plain text; the post is published all the same.
//
// The HTML stored when the post is written links its hashtags (the
// renderer knows the node's tag pages) and leaves mentions as written. The
// publisher renders the markdown again with the resolved mentions linked,
// publishes that, and stores it as the post's HTML (forum's LinkMentions,
// unless the post changed meanwhile), so the node's own page links them too.

const (
	// handleTTL is how long a WebFinger answer is trusted.
	handleTTL = 7 * 24 * time.Hour
	// mentionBudget bounds the resolution of one post's mentions.
	mentionBudget = 15 * time.Second
)

var errBlockedHandle = errors.New("on a blocked instance")

// written is what a local post's markdown adds to its object.
type written = publish.Written

// writtenTags resolves a local post's mentions from what the node knows
// (no network) and renders its content with them.
func (f *Federation) writtenTags(ctx context.Context, source string) (*written, error) {
	handles, hashtags := f.markup.Tags(source)
	if len(handles) == 0 && len(hashtags) == 0 {
		return nil, nil
	}
	w := &written{}
	known := map[string]markup.Mention{}
	seen := map[string]bool{}
	for _, h := range handles {
		uri, err := f.knownHandle(ctx, h)
		if err != nil {
			return nil, err
		}
		if uri == "" {
			continue
		}
		known[h.Key()] = markup.Mention{Href: uri, Name: h.Name}
		if seen[uri] {
			continue
		}
		seen[uri] = true
		w.Mentions = append(w.Mentions, uri)
		w.Tags = append(w.Tags, ap.Tag{Type: "Mention", Href: uri, Name: "@" + strings.ToLower(h.Name) + "@" + f.handleHost(h)})
	}
	for _, tag := range hashtags {
		w.Tags = append(w.Tags, ap.Tag{Type: "Hashtag", Href: f.urls.Tag(tag), Name: "#" + tag})
	}
	html, err := f.markup.RenderMentions(source, known)
	if err != nil {
		return nil, err
	}
	w.HTML = html
	return w, nil
}

// handleHost is the host part of a handle's full form.
func (f *Federation) handleHost(h markup.Handle) string {
	if h.Host == "" {
		return f.urls.Host()
	}
	return h.Host
}

// isLocalHandle reports whether a handle names an account of this node.
func (f *Federation) isLocalHandle(h markup.Handle) bool {
	return h.Host == "" || strings.EqualFold(h.Host, f.urls.Host())
}

// knownHandle is the actor a handle names, from the node's own members and
// stored WebFinger answers; "" when unknown or on a blocked instance.
func (f *Federation) knownHandle(ctx context.Context, h markup.Handle) (string, error) {
	if f.isLocalHandle(h) {
		m, err := f.svc.MemberByUsername(ctx, h.Name)
		if errors.Is(err, forum.ErrNotFound) {
			return "", nil
		} else if err != nil {
			return "", err
		}
		return f.memberURI(m), nil
	}
	ah, err := f.store.ActorHandle(ctx, h.Key())
	if errors.Is(err, forum.ErrNotFound) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	// An answer stored before its instance was blocked: the handle stays
	// text, so nothing links, tags or delivers to the blocked instance.
	if blocked, err := f.blocked(ctx, ah.ActorURI); err != nil {
		return "", err
	} else if blocked {
		return "", nil
	}
	return ah.ActorURI, nil
}

// learnMentions resolves, by WebFinger, the remote handles of a post that
// are unknown or stale, and stores the answers and actors. Failures are
// logged and leave the handle plain text. In the publisher the lookups run
// in the background (learnHandleLater): publish.ErrResolving means the post waits
// for a handle it has never resolved. Other errors are the database's.
func (f *Federation) learnMentions(ctx context.Context, source string) error {
	handles, _ := f.markup.Tags(source)
	var todo []markup.Handle
	for _, h := range handles {
		if f.isLocalHandle(h) {
			continue
		}
		ah, err := f.store.ActorHandle(ctx, h.Key())
		if err != nil && !errors.Is(err, forum.ErrNotFound) {
			return fmt.Errorf("handle %s: %w", h.Key(), err)
		}
		known := err == nil
		if known && f.cfg.Clock.Now().Sub(ah.ResolvedAt) < handleTTL {
			continue
		}
		if publish.Building(ctx) {
			if err := f.learnHandleLater(ctx, h, known); err != nil {
				return err
			}
			continue
		}
		todo = append(todo, h)
	}
	if len(todo) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, mentionBudget)
	defer cancel()
	for _, h := range todo {
		if err := f.learnHandle(ctx, h); err != nil {
			f.log.Info("mention not resolved", "handle", h.String(), "err", err)
		}
	}
	return nil
}

// learnHandle resolves one handle and stores the answer.
// A blocked instance is not asked, and an answer naming an actor on one is
// not kept.
func (f *Federation) learnHandle(ctx context.Context, h markup.Handle) error {
	if blocked, err := f.hostBlocked(ctx, h.Host); err != nil || blocked {
		return errors.Join(errBlockedHandle, err)
	}
	uri, err := f.resolveTarget(ctx, h.Key())
	if err != nil {
		return err
	}
	if f.urls.IsLocal(uri) {
		return errLocalActor
	}
	if blocked, err := f.blocked(ctx, uri); err != nil || blocked {
		return errors.Join(errBlockedHandle, err)
	}
	if _, err := f.actors.actor(ctx, uri, false); err != nil {
		return err
	}
	return f.store.SaveActorHandle(ctx, &ActorHandle{Acct: h.Key(), ActorURI: uri, ResolvedAt: f.cfg.Clock.Now()})
}

// learnHandleLater is learnMentions in the publisher: an unknown handle is
// resolved in the background and the event waits for it
// (publish.ErrResolving); a stale one (known) is refreshed without
// waiting; one that failed lately stays plain text.
func (f *Federation) learnHandleLater(ctx context.Context, h markup.Handle, known bool) error {
	run := func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, mentionBudget)
		defer cancel()
		return f.learnHandle(ctx, h)
	}
	if known {
		f.pub.Refresh(ctx, "handle "+h.Key(), run)
		return nil
	}
	var ue *publish.UnreachableError
	if err := f.pub.Await(ctx, "handle "+h.Key(), run); err != nil && !errors.As(err, &ue) {
		return err
	}
	return nil
}
