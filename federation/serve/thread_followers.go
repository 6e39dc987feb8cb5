package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/signature"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// MaxListedThreadFollowers bounds the people a thread's followers
// collection lists to a member node (one page, no paging).
const MaxListedThreadFollowers = 5000

// KeyOwners tells which actor holds a key (the actors cache).
type KeyOwners interface {
	KeyOwner(ctx context.Context, keyID string) (string, error)
}

// ThreadFollower is one person a thread's followers collection lists to
// a member node: an actor and where it receives activities.
type ThreadFollower struct {
	ID        string            `json:"id"`
	Type      string            `json:"type"`
	Inbox     string            `json:"inbox"`
	Endpoints map[string]string `json:"endpoints,omitempty"`
}

// threadFollowers answers with the count, as every followers collection
// does (who follows whom is not published), except to a node that
// follows the thread's forum (a city that joined it), signing the
// request with its instance actor. That node is shown the people (not
// servers) who follow the thread, with their inboxes: its members'
// edits and deletions of their answers can then reach those the thread
// actor showed the answers to. Mastodon and GoToSocial apply an edit or
// a deletion only from the post's author, and only the city can sign as
// its member; the servers that follow the forum get the forum's Announce
// of the same activity.
func (s *Server) threadFollowers(_ http.ResponseWriter, r *http.Request) (any, error) {
	ctx := r.Context()
	t, err := LocalThread(ctx, s.cfg.Forum, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	actor := s.urls.ThreadActor(t.ID)
	member, err := s.fromMemberNode(r, t)
	if err != nil || !member {
		if err != nil {
			return nil, err
		}
		return s.followers(ctx, actor)
	}
	var items []json.RawMessage
	after := forum.ID("")
	for len(items) < MaxListedThreadFollowers {
		page, err := s.cfg.Store.ListFollowers(ctx, actor, after, 500)
		if err != nil {
			return nil, fmt.Errorf("followers of %s: %w", actor, err)
		}
		for _, fl := range page {
			if fl.ActorType != ap.TypePerson && fl.ActorType != ap.TypeService {
				continue
			}
			item := ThreadFollower{ID: fl.ActorURI, Type: fl.ActorType, Inbox: fl.Inbox}
			if fl.SharedInbox != "" {
				item.Endpoints = map[string]string{"sharedInbox": fl.SharedInbox}
			}
			raw, err := json.Marshal(item)
			if err != nil {
				return nil, err
			}
			if items = append(items, raw); len(items) == MaxListedThreadFollowers {
				break
			}
		}
		if len(page) < 500 {
			break
		}
		after = page[len(page)-1].ID
	}
	if items == nil {
		items = []json.RawMessage{}
	}
	return withItems(&ap.Collection{ID: uris.ActorFollowers(actor), Type: ap.TypeOrderedCollection, TotalItems: intp(len(items))}, items)
}

// fromMemberNode reports whether r is signed by an actor that follows
// the thread's forum and is a server's (an Application or a Group, as
// its cached document says), not a person's: a node that joined the
// forum.
// A missing or bad signature is not an error: the request is answered as
// anyone's.
func (s *Server) fromMemberNode(r *http.Request, t *forum.Thread) (bool, error) {
	if r.Header.Get("Signature") == "" || s.cfg.Keys == nil || s.cfg.KeyOwners == nil {
		return false, nil
	}
	res, err := signature.Verify(r, nil, s.cfg.Keys, signature.Options{Now: s.cfg.Clock.Now, MaxSkew: s.cfg.SignatureSkew})
	if err != nil {
		return false, nil
	}
	owner, err := s.cfg.KeyOwners.KeyOwner(r.Context(), res.KeyID)
	if err != nil {
		return false, nil // a key we verified with moments ago: gone since
	}
	fo, err := s.cfg.Forum.ForumByID(r.Context(), t.ForumID)
	if err != nil {
		return false, err
	}
	fl, err := s.cfg.Store.Follower(r.Context(), s.urls.Forum(fo.Slug), owner)
	switch {
	case errors.Is(err, forum.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	if fl.State != stored.FollowAccepted {
		return false, nil
	}
	a, err := s.cfg.Store.RemoteActor(r.Context(), owner)
	switch {
	case errors.Is(err, forum.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return a.Type == ap.TypeApplication || a.Type == ap.TypeGroup, nil
}
