package federation

import (
	"context"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/federation/join"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
)

// Joining remote forums is package join's; these keep the node's API.

// JoinState and JoinJob are stored records (package stored).
type (
	JoinState = stored.JoinState
	JoinJob   = stored.JoinJob
)

// Join states.
const (
	JoinQueued      = stored.JoinQueued
	JoinResolving   = stored.JoinResolving
	JoinFollowing   = stored.JoinFollowing
	JoinBackfilling = stored.JoinBackfilling
	JoinWaiting     = stored.JoinWaiting
	JoinDone        = stored.JoinDone
	JoinFailed      = stored.JoinFailed
)

// JoinReasons are the codes a failed join is named by (JoinJob.Reason);
// pages translate them.
var JoinReasons = join.Reasons

// ErrJoinTarget: the target is neither a forum URL nor a handle.
var ErrJoinTarget = join.ErrTarget

// CheckJoinTarget accepts an http(s) URL with a host, or a handle.
func CheckJoinTarget(target string) error { return join.CheckTarget(target) }

// Join follows a remote forum at once, in the caller's time (join.Joiner.Join).
func (f *Federation) Join(ctx context.Context, actor *forum.Member, target string) (*forum.Forum, error) {
	return f.joins.Join(ctx, actor, target)
}

// Leave stops following a remote forum (Undo{Follow}).
func (f *Federation) Leave(ctx context.Context, actor *forum.Member, forumURI string) error {
	return f.joins.Leave(ctx, actor, forumURI)
}

// Joined lists the remote forums this node follows.
func (f *Federation) Joined(ctx context.Context) ([]*Following, error) { return f.joins.Joined(ctx) }

// QueueJoin queues a join of target by an admin and returns at once.
func (f *Federation) QueueJoin(ctx context.Context, actor *forum.Member, target string) (*JoinJob, error) {
	return f.joins.Queue(ctx, actor, target)
}

// JoinJobs lists the latest join jobs, newest first.
func (f *Federation) JoinJobs(ctx context.Context, limit int) ([]*JoinJob, error) {
	return f.joins.Jobs(ctx, limit)
}

// JoinJob returns one join job.
func (f *Federation) JoinJob(ctx context.Context, id forum.ID) (*JoinJob, error) {
	return f.joins.Job(ctx, id)
}

// RunJoin carries out job id in this process (the command line's --wait),
// unless another process holds it; it reports whether it did.
func (f *Federation) RunJoin(ctx context.Context, id forum.ID) bool { return f.joins.RunJob(ctx, id) }

// resolveTarget turns @name@host (WebFinger) or a URL into an actor id.
func (f *Federation) resolveTarget(ctx context.Context, target string) (string, error) {
	return f.joins.ResolveTarget(ctx, target)
}

// sendJoin queues join's activities, with what it records in the same
// transaction.
func (f *Federation) sendJoin(ctx context.Context, acts []*deliver.Outgoing, afterwards func(ctx context.Context, tx join.Store) error) error {
	var after func(ctx context.Context, tx Store) error
	if afterwards != nil {
		after = func(ctx context.Context, tx Store) error { return afterwards(ctx, tx) }
	}
	return f.enqueue(ctx, acts, after)
}

// joinSide is what join needs of the rest of federation: remote actors,
// and the received side's rules for the posts a backfill fetches.
type joinSide struct{ f *Federation }

func (s joinSide) Actor(ctx context.Context, uri string, refresh bool) (*RemoteActor, error) {
	return s.f.actors.actor(ctx, uri, refresh)
}

func (s joinSide) TrustedObject(ctx context.Context, act *ap.Activity) (*ap.Object, error) {
	return s.f.applier.TrustedObject(ctx, act)
}

func (s joinSide) BackfillGoodPractices(ctx context.Context, fo *forum.Forum) error {
	return s.f.applier.BackfillGoodPractices(ctx, fo)
}

func (s joinSide) StoreFetched(ctx context.Context, o *ap.Object, fo *forum.Forum) error {
	return s.f.applier.StoreFetched(ctx, o, fo)
}
