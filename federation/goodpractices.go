package federation

import (
	"context"
	"errors"
	"net/http"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply"
	"github.com/metropolis/agora/forum"
)

// Good practices federate as a collection of the forum, as Mastodon's
// `featured` does for pinned posts: the forum's own actor Adds a marked
// answer to its good-practices collection ({forum id}/good-practices) and
// Removes it when the mark is taken back. Only the forum's Add counts: a
// mark is its moderators' word, and they act on the forum's node, which
// sends it as the forum. See docs/federation.md, "Good practices".

// goodPracticesURI is a forum's good-practices collection: ours under our
// base URL, a joined forum's under its id.
func (f *Federation) goodPracticesURI(fo *forum.Forum) string {
	return apply.GoodPracticesURI(f.urls, fo)
}

// GoodPractices serves a local forum's good-practices collection (web
// routes it by content negotiation: the same URL is the HTML page).
func (f *Federation) GoodPractices() http.Handler { return f.serve.GoodPractices() }

// goodPracticeActivities: a mark in one of our forums is the forum's Add
// of the answer to its good-practices collection (Remove when taken back),
// to the forum's followers that are servers (nodes and forum software;
// Mastodon shows nothing of it).
func (f *Federation) goodPracticeActivities(ctx context.Context, e *forum.Event) ([]*outgoing, error) {
	pc, err := f.loadPost(ctx, e.PostID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if !pc.Forum.Local() {
		return nil, nil // a joined forum's marks are its node's to send
	}
	typ := ap.TypeAdd
	if e.Kind == forum.EventGoodPracticeUnmarked {
		typ = ap.TypeRemove
	}
	forumURI := f.forumURI(pc.Forum)
	object := f.postURI(pc.Post, pc.Thread)
	act := &ap.Activity{ID: f.urls.Activity(e.ID), Type: typ, Actor: forumURI, Object: ap.Ref{IRI: object},
		Target: f.goodPracticesURI(pc.Forum), To: []string{ap.Public}, Cc: []string{followersOf(forumURI)},
		Audience: forumURI, Published: e.CreatedAt}
	body, err := ap.Marshal(act)
	if err != nil {
		return nil, err
	}
	servers, _, err := f.pub.FollowerSets(ctx, forumURI)
	if err != nil {
		return nil, err
	}
	return []*outgoing{{uri: act.ID, actorURI: forumURI, typ: typ, object: object, public: true, body: body,
		inboxes: servers.List()}}, nil
}
