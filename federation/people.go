package federation

import (
	"context"

	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/federation/people"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/personal"
)

// FollowPerson sends me's Follow of a remote person; the follow is
// requested until they accept it.
func (f *Federation) FollowPerson(ctx context.Context, me, person *forum.Member) (*personal.PersonFollow, error) {
	return f.people.Follow(ctx, me, person)
}

// UnfollowPerson sends me's Undo of their Follow of a remote person.
func (f *Federation) UnfollowPerson(ctx context.Context, me, person *forum.Member) error {
	return f.people.Unfollow(ctx, me, person)
}

// sendPeople queues a person follow's activities with its write, in one
// transaction.
func (f *Federation) sendPeople(ctx context.Context, acts []*deliver.Outgoing, then func(ctx context.Context, tx people.Store) error) error {
	return f.enqueue(ctx, acts, func(ctx context.Context, tx Store) error { return then(ctx, tx) })
}
