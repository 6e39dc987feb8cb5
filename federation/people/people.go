// Package people sends members' follows of remote people: a Follow in the
// member's own name (signed with the member's key by the delivery
// transport), the relationship requested until the person's server
// accepts it, and the Undo when the member stops following. The answers
// (Accept, Reject) are applied by package apply; the statuses those people
// then send are kept by the received side.
package people

import (
	"context"
	"errors"
	"fmt"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/personal"
	"github.com/metropolis/agora/uris"
)

// Store is what the package reads and writes.
type Store interface {
	PersonFollow(ctx context.Context, memberID, personID forum.ID) (*personal.PersonFollow, error)
	SavePersonFollow(ctx context.Context, f *personal.PersonFollow) error      // insert or replace by (member, person)
	DeletePersonFollow(ctx context.Context, memberID, personID forum.ID) error // ErrNotFound if absent
}

// Actors resolves a remote actor (its inbox), fetching it if needed.
type Actors interface {
	Actor(ctx context.Context, uri string, refresh bool) (*stored.RemoteActor, error)
}

// Config is what a People is built from.
type Config struct {
	URLs   *uris.Builder
	IDs    forum.IDs
	Clock  forum.Clock
	Store  Store
	Actors Actors
	// Send queues activities for delivery and runs then (with the
	// transaction's store) in the same transaction.
	Send func(ctx context.Context, acts []*deliver.Outgoing, then func(ctx context.Context, tx Store) error) error
}

// People sends members' follows of remote people.
type People struct{ cfg Config }

// New checks cfg.
func New(cfg Config) (*People, error) {
	if cfg.URLs == nil || cfg.IDs == nil || cfg.Clock == nil || cfg.Store == nil || cfg.Actors == nil || cfg.Send == nil {
		return nil, errors.New("people: incomplete config")
	}
	return &People{cfg: cfg}, nil
}

// ErrNotRemote: only remote people are followed over ActivityPub.
var ErrNotRemote = errors.New("not a remote person")

// ErrUnreachable: the person's actor document could not be had (their
// server down, refusing, or answering something else), so no Follow was
// sent; asking again later may work.
var ErrUnreachable = errors.New("the person's server could not be reached")

// Follow sends me's Follow of person (a remote member) and records the
// follow as requested. Following again while a follow is requested or
// accepted sends nothing and returns the follow as it stands.
func (p *People) Follow(ctx context.Context, me, person *forum.Member) (*personal.PersonFollow, error) {
	if !me.Local() || person.Local() || person.URI == "" {
		return nil, ErrNotRemote
	}
	if fl, err := p.cfg.Store.PersonFollow(ctx, me.ID, person.ID); err == nil {
		return fl, nil
	} else if !errors.Is(err, forum.ErrNotFound) {
		return nil, err
	}
	ra, err := p.cfg.Actors.Actor(ctx, person.URI, false)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("follow %s: %w", person.URI, err)
		}
		return nil, fmt.Errorf("follow %s: %w: %w", person.URI, ErrUnreachable, err)
	}
	id := p.cfg.IDs.New()
	actor := p.cfg.URLs.Member(me.Username)
	now := p.cfg.Clock.Now()
	fl := &personal.PersonFollow{ID: id, MemberID: me.ID, PersonID: person.ID, PersonURI: person.URI,
		FollowID: p.cfg.URLs.Activity(id), State: personal.FollowRequested, CreatedAt: now}
	act := &ap.Activity{ID: fl.FollowID, Type: ap.TypeFollow, Actor: actor, Object: ap.Ref{IRI: person.URI},
		To: []string{person.URI}, Published: now}
	body, err := ap.Marshal(act)
	if err != nil {
		return nil, err
	}
	// The Follow and the Undo of one person keep their order at its host.
	out := []*deliver.Outgoing{{ID: id, URI: act.ID, ActorURI: actor, Type: ap.TypeFollow, Object: person.URI,
		OrderKey: person.URI, Body: body, Inboxes: []string{ra.Inbox}}}
	err = p.cfg.Send(ctx, out, func(ctx context.Context, tx Store) error { return tx.SavePersonFollow(ctx, fl) })
	if err != nil {
		return nil, fmt.Errorf("follow %s: %w", person.URI, err)
	}
	return fl, nil
}

// Unfollow sends me's Undo of their Follow of person and forgets the
// follow; unfollowing someone not followed does nothing.
func (p *People) Unfollow(ctx context.Context, me, person *forum.Member) error {
	fl, err := p.cfg.Store.PersonFollow(ctx, me.ID, person.ID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	ra, err := p.cfg.Actors.Actor(ctx, fl.PersonURI, false)
	if err != nil {
		return fmt.Errorf("unfollow %s: %w", fl.PersonURI, err)
	}
	actor := p.cfg.URLs.Member(me.Username)
	follow := &ap.Activity{ID: fl.FollowID, Type: ap.TypeFollow, Actor: actor, Object: ap.Ref{IRI: fl.PersonURI}}
	id := p.cfg.IDs.New()
	undo := &ap.Activity{ID: p.cfg.URLs.Activity(id), Type: ap.TypeUndo, Actor: actor, Object: ap.Ref{Activity: follow},
		To: []string{fl.PersonURI}, Published: p.cfg.Clock.Now()}
	body, err := ap.Marshal(undo)
	if err != nil {
		return err
	}
	out := []*deliver.Outgoing{{ID: id, URI: undo.ID, ActorURI: actor, Type: ap.TypeUndo, Object: fl.FollowID,
		OrderKey: fl.PersonURI, Body: body, Inboxes: []string{ra.Inbox}}}
	return p.cfg.Send(ctx, out, func(ctx context.Context, tx Store) error {
		err := tx.DeletePersonFollow(ctx, me.ID, person.ID)
		if errors.Is(err, forum.ErrNotFound) {
			return nil // a Reject took it meanwhile
		}
		return err
	})
}
